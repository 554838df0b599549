import { randomBytes } from 'node:crypto';
import type { DpopReplayStore } from '../../lib/stores/types';

/** A key as the DPoP check makes them: base64url SHA-256. */
function newKey(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The behaviour every `DpopReplayStore` shares (lib/stores/types.ts): a key is
 * claimed once until it expires. Times are the real clock's, since a Redis
 * store expires keys by Redis' own.
 */
export function describeDpopReplayStoreContract(name: string, makeStore: () => DpopReplayStore): void {
  describe(`${name} (DpopReplayStore contract)`, () => {
    let store: DpopReplayStore;
    beforeEach(() => {
      store = makeStore();
    });

    it('claims a new key', async () => {
      const now = Date.now();
      expect(await store.claim(newKey(), now + 60_000, now)).toBe(true);
    });

    it('refuses a key claimed before and not yet expired: a replay', async () => {
      const now = Date.now();
      const key = newKey();
      expect(await store.claim(key, now + 60_000, now)).toBe(true);
      expect(await store.claim(key, now + 60_000, now + 1000)).toBe(false);
      expect(await store.claim(key, now + 120_000, now + 2000)).toBe(false);
    });

    it('keeps keys apart', async () => {
      const now = Date.now();
      expect(await store.claim(newKey(), now + 60_000, now)).toBe(true);
      expect(await store.claim(newKey(), now + 60_000, now)).toBe(true);
    });

    it('lets exactly one of many concurrent claims of a key win', async () => {
      const now = Date.now();
      const key = newKey();
      const results = await Promise.all(Array.from({ length: 10 }, () => store.claim(key, now + 60_000, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
