import { randomUUID } from 'node:crypto';
import type { DenylistStore } from '../../lib/stores/types';

const T0 = Date.UTC(2024, 0, 1);
const MINUTE = 60_000;

/**
 * The behaviour every `DenylistStore` shares (the contract in
 * lib/stores/types.ts). Each test gets a store from `makeStore`; `cleanup`
 * runs after it. The tests use only the interface and fresh random jtis, so
 * the store may hold other tests' entries.
 */
export function describeDenylistStoreContract<S extends DenylistStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  cleanup?: (store: S) => Promise<void> | void,
): void {
  describe(`${name} (DenylistStore contract)`, () => {
    let store: S;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await cleanup?.(store);
    });

    const newJti = () => randomUUID();

    function expectPurged(removed: number, expected: number): void {
      expect(removed).toBe(expected);
    }

    it('lists a jti from when it is added until just before its expiry', async () => {
      const jti = newJti();

      await store.add(jti, T0 + MINUTE);

      expect(await store.has(jti, T0)).toBe(true);
      expect(await store.has(jti, T0 + MINUTE - 1)).toBe(true);
      expect(await store.has(jti, T0 + MINUTE)).toBe(false);
      expect(await store.has(jti, T0 + 2 * MINUTE)).toBe(false);
    });

    it('does not list a jti that was never added', async () => {
      await store.add(newJti(), T0 + MINUTE);

      expect(await store.has(newJti(), T0)).toBe(false);
    });

    it('keeps the later expiry when a jti is added again', async () => {
      const jti = newJti();

      await store.add(jti, T0 + MINUTE);
      await store.add(jti, T0 + 5 * MINUTE);
      await store.add(jti, T0 + 2 * MINUTE);

      expect(await store.has(jti, T0 + 3 * MINUTE)).toBe(true);
      expect(await store.has(jti, T0 + 5 * MINUTE)).toBe(false);
    });

    it('keeps jtis apart', async () => {
      const short = newJti();
      const long = newJti();

      await store.add(short, T0 + MINUTE);
      await store.add(long, T0 + 10 * MINUTE);

      expect(await store.has(short, T0 + 5 * MINUTE)).toBe(false);
      expect(await store.has(long, T0 + 5 * MINUTE)).toBe(true);
    });

    it('purges entries expired at or before now and keeps the others', async () => {
      const expired = newJti();
      const expiringNow = newJti();
      const live = newJti();
      await store.add(expired, T0 + MINUTE);
      await store.add(expiringNow, T0 + 2 * MINUTE);
      await store.add(live, T0 + 3 * MINUTE);

      const removed = await store.purgeExpired(T0 + 2 * MINUTE);

      expectPurged(removed, 2);
      // Asked about a time when they were still listed: only a removed entry answers false.
      expect(await store.has(expired, T0)).toBe(false);
      expect(await store.has(expiringNow, T0)).toBe(false);
      expect(await store.has(live, T0)).toBe(true);
    });

    it('purges nothing while every entry is live', async () => {
      const jti = newJti();
      await store.add(jti, T0 + MINUTE);

      // T0 - 1 keeps entries of other tests in a shared store alive too.
      expectPurged(await store.purgeExpired(T0 - 1), 0);
      expect(await store.has(jti, T0)).toBe(true);
    });

    it('lists a jti again when it is added after being purged', async () => {
      const jti = newJti();
      await store.add(jti, T0 + MINUTE);
      await store.purgeExpired(T0 + MINUTE);

      await store.add(jti, T0 + 3 * MINUTE);

      expect(await store.has(jti, T0 + 2 * MINUTE)).toBe(true);
    });
  });
}
