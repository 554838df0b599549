import { MemoryRefreshTokenStore } from '../../../lib/stores/memory/refresh-tokens';
import { describeRefreshTokenStoreContract } from '../refresh-tokens-contract';

describeRefreshTokenStoreContract('MemoryRefreshTokenStore', () => new MemoryRefreshTokenStore());
