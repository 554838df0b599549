import { randomBytes } from 'node:crypto';
import { MemoryDpopReplayStore } from '../../../lib/stores/memory/dpop-replay';
import { describeDpopReplayStoreContract } from '../dpop-replay-contract';

describeDpopReplayStoreContract('MemoryDpopReplayStore', () => new MemoryDpopReplayStore());

describe('MemoryDpopReplayStore', () => {
  const T0 = Date.UTC(2026, 0, 1);

  it('claims a key again once its expiry has passed', async () => {
    const store = new MemoryDpopReplayStore();
    expect(await store.claim('k', T0 + 60_000, T0)).toBe(true);
    expect(await store.claim('k', T0 + 60_000, T0 + 59_999)).toBe(false);
    expect(await store.claim('k', T0 + 120_000, T0 + 60_000)).toBe(true);
  });

  it('sweeps expired entries out, so memory holds one window of proofs', async () => {
    const store = new MemoryDpopReplayStore();
    for (let i = 0; i < 100; i++) await store.claim(randomBytes(16).toString('hex'), T0 + 60_000, T0);
    expect(store.size).toBe(100);
    await store.claim('later', T0 + 130_000, T0 + 70_000);
    expect(store.size).toBe(1);
  });
});
