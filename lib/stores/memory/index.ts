export { MemoryUserStore, type MemoryUserStoreOptions } from './users';
export { MemoryRefreshTokenStore } from './refresh-tokens';
export { MemoryDenylistStore } from './denylist';
export { MemoryDpopReplayStore } from './dpop-replay';
