import { randomBytes, randomUUID } from 'node:crypto';
import type { RefreshFamily, RefreshTokenRecord, RefreshTokenStore } from '../../lib/stores/types';

const T0 = Date.UTC(2024, 0, 1);
const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
/** Absolute lifetime of a family in these tests. */
const TTL = 30 * DAY;
/** Idle lifetime of a token in these tests. */
const IDLE = 7 * DAY;
const GRACE = 30 * SECOND;

// Rejections are checked with `.rejects.toHaveProperty('message')`, not
// `.rejects.toThrow()`: under Jest, better-sqlite3 keeps the SqliteError class
// of the first test file that loaded it in a worker, so in later files its
// errors are not `instanceof Error` and toThrow reports "did not throw".

/** A random base64url SHA-256-sized hash: unique per test even in a shared database. */
function newHash(): string {
  return randomBytes(32).toString('base64url');
}

function newFamily(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return {
    id: randomUUID(),
    userId: randomUUID(),
    scopes: ['read', 'write'],
    epoch: 3,
    createdAt: T0,
    expiresAt: T0 + TTL,
    revokedAt: null,
    jkt: null,
    ...overrides,
  };
}

function newToken(familyId: string, createdAt: number, overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return {
    hash: newHash(),
    familyId,
    createdAt,
    expiresAt: createdAt + IDLE,
    rotatedAt: null,
    replacedBy: null,
    retried: false,
    ...overrides,
  };
}

/**
 * The behaviour every `RefreshTokenStore` shares (the contract in
 * lib/stores/types.ts, rotation rules in lib/stores/refresh-rotation.ts).
 * Each test gets a store from `makeStore`; `cleanup` runs after it. The tests
 * use only the interface and fresh random ids and hashes, so the store may
 * hold other tests' rows.
 */
export function describeRefreshTokenStoreContract<S extends RefreshTokenStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  cleanup?: (store: S) => Promise<void> | void,
): void {
  describe(`${name} (RefreshTokenStore contract)`, () => {
    let store: S;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await cleanup?.(store);
    });

    /** Creates a family with its first token, both as given. */
    async function start(
      familyOverrides: Partial<RefreshFamily> = {},
      tokenOverrides: Partial<RefreshTokenRecord> = {},
    ): Promise<{ family: RefreshFamily; first: RefreshTokenRecord }> {
      const family = newFamily(familyOverrides);
      const first = newToken(family.id, family.createdAt, tokenOverrides);
      await store.createFamily(family, first);
      return { family, first };
    }

    /** Rotates `token` at `now` into a fresh token of the same family; resolves the outcome and that token. */
    async function rotate(token: RefreshTokenRecord, now: number) {
      const next = newToken(token.familyId, now);
      const result = await store.rotate(token.hash, next, now, GRACE);
      return { ...result, next };
    }

    async function tokenOf(hash: string): Promise<RefreshTokenRecord | undefined> {
      return (await store.find(hash))?.token;
    }

    async function familyOf(hash: string): Promise<RefreshFamily | undefined> {
      return (await store.find(hash))?.family;
    }

    function expectPurged(removed: number, expected: number): void {
      expect(removed).toBe(expected);
    }

    describe('createFamily and find', () => {
      it('finds a token and its family by the token hash', async () => {
        const { family, first } = await start();

        expect(await store.find(first.hash)).toEqual({ token: first, family });
      });

      it('keeps every field of the family and token, including empty scopes', async () => {
        const { family, first } = await start({ scopes: [], epoch: 0 }, { expiresAt: T0 + HOUR });

        expect(await store.find(first.hash)).toEqual({ token: first, family });
      });

      it('keeps the DPoP key a family is bound to (jkt) through find and rotate', async () => {
        const jkt = randomBytes(32).toString('base64url');
        const { family, first } = await start({ jkt });

        expect(await store.find(first.hash)).toEqual({ token: first, family });
        const { next, ...result } = await rotate(first, T0 + HOUR);
        expect(result).toEqual({ outcome: 'rotated', family });
        expect((await store.find(next.hash))?.family.jkt).toBe(jkt);
      });

      it('resolves null for an unknown hash', async () => {
        await start();

        expect(await store.find(newHash())).toBeNull();
      });

      it('returns expired and revoked families as they are', async () => {
        const { family, first } = await start({ expiresAt: T0 + HOUR });
        await store.revokeFamily(family.id, T0 + 2 * HOUR);

        expect(await store.find(first.hash)).toEqual({ token: first, family: { ...family, revokedAt: T0 + 2 * HOUR } });
      });

      it('rejects a first token of another family and stores nothing', async () => {
        const family = newFamily();
        const first = newToken(randomUUID(), T0);

        await expect(store.createFamily(family, first)).rejects.toHaveProperty('message');
        expect(await store.find(first.hash)).toBeNull();
      });

      it('rejects a first token whose hash is already stored and stores nothing', async () => {
        const { family, first } = await start();
        const other = newFamily();

        await expect(store.createFamily(other, { ...first, familyId: other.id })).rejects.toHaveProperty('message');
        expect(await store.find(first.hash)).toEqual({ token: first, family });
      });

      it('is not changed by changing what it was given or what find returned', async () => {
        const { family, first } = await start();
        const snapshot = structuredClone({ token: first, family });

        family.scopes.push('admin');
        family.revokedAt = T0;
        first.rotatedAt = T0;
        const found = (await store.find(first.hash))!;
        found.family.scopes.push('admin');
        found.family.expiresAt = 0;
        found.token.expiresAt = 0;
        found.token.replacedBy = 'x';

        expect(await store.find(snapshot.token.hash)).toEqual(snapshot);
      });
    });

    describe('rotate', () => {
      it('rotates a current token: marks it rotated, stores the next one and resolves the family', async () => {
        const { family, first } = await start();
        const now = T0 + HOUR;

        const { next, ...result } = await rotate(first, now);

        expect(result).toEqual({ outcome: 'rotated', family });
        expect(await tokenOf(first.hash)).toEqual({ ...first, rotatedAt: now, replacedBy: next.hash });
        expect(await store.find(next.hash)).toEqual({ token: next, family });
      });

      it('rotates each new token in turn', async () => {
        const { first } = await start();

        const second = await rotate(first, T0 + HOUR);
        const third = await rotate(second.next, T0 + 2 * HOUR);

        expect(third.outcome).toBe('rotated');
        expect((await tokenOf(second.next.hash))?.replacedBy).toBe(third.next.hash);
        expect((await tokenOf(third.next.hash))?.rotatedAt).toBeNull();
      });

      it('rotates a token just before its idle limit', async () => {
        const { first } = await start();

        expect((await rotate(first, first.expiresAt - 1)).outcome).toBe('rotated');
      });

      it('lets a rotated token be retried once within the grace period, replacing its lost successor', async () => {
        const { family, first } = await start();
        const rotatedAt = T0 + HOUR;
        const { next: lost } = await rotate(first, rotatedAt);
        const retryAt = rotatedAt + GRACE; // the grace period includes its last millisecond

        const { next: replacement, ...result } = await rotate(first, retryAt);

        expect(result).toEqual({ outcome: 'retried', family });
        expect(await tokenOf(first.hash)).toEqual({
          ...first,
          rotatedAt,
          replacedBy: replacement.hash,
          retried: true,
        });
        expect(await tokenOf(lost.hash)).toEqual({
          ...lost,
          rotatedAt: retryAt,
          replacedBy: replacement.hash,
          retried: true,
        });
        expect(await store.find(replacement.hash)).toEqual({ token: replacement, family });
      });

      it('rotates the token that replaced a lost successor normally', async () => {
        const { first } = await start();
        await rotate(first, T0 + HOUR);
        const { next: replacement } = await rotate(first, T0 + HOUR + SECOND);

        const result = await rotate(replacement, T0 + 2 * HOUR);

        expect(result.outcome).toBe('rotated');
      });

      it('treats a second retry of the same token as reuse and revokes the family', async () => {
        const { family, first } = await start();
        await rotate(first, T0 + HOUR);
        const { next: replacement } = await rotate(first, T0 + HOUR + SECOND);
        const now = T0 + HOUR + 2 * SECOND;

        const { next, ...result } = await rotate(first, now);

        expect(result).toEqual({ outcome: 'reused', family: { ...family, revokedAt: now } });
        expect(await store.find(next.hash)).toBeNull();
        expect((await rotate(replacement, now + SECOND)).outcome).toBe('invalid');
      });

      it('treats a retry after the grace period as reuse and stores nothing', async () => {
        const { family, first } = await start();
        const { next: successor } = await rotate(first, T0 + HOUR);
        const now = T0 + HOUR + GRACE + 1;

        const { next, ...result } = await rotate(first, now);

        expect(result).toEqual({ outcome: 'reused', family: { ...family, revokedAt: now } });
        expect(await store.find(next.hash)).toBeNull();
        expect(await tokenOf(first.hash)).toEqual({ ...first, rotatedAt: T0 + HOUR, replacedBy: successor.hash });
        expect(await tokenOf(successor.hash)).toEqual(successor);
      });

      it('treats presenting the lost successor after a retry as reuse, even within the grace period', async () => {
        const { family, first } = await start();
        const { next: lost } = await rotate(first, T0 + HOUR);
        const { next: replacement } = await rotate(first, T0 + HOUR + SECOND);
        const now = T0 + HOUR + 2 * SECOND;

        const { next, ...result } = await rotate(lost, now);

        expect(result).toEqual({ outcome: 'reused', family: { ...family, revokedAt: now } });
        expect(await store.find(next.hash)).toBeNull();
        expect((await rotate(replacement, now + SECOND)).outcome).toBe('invalid');
      });

      it('treats a retry as reuse once the successor has itself been rotated', async () => {
        const { family, first } = await start();
        const { next: second } = await rotate(first, T0 + HOUR);
        await rotate(second, T0 + HOUR + SECOND);
        const now = T0 + HOUR + 2 * SECOND;

        const result = await rotate(first, now);

        expect(result.outcome).toBe('reused');
        expect(result.family).toEqual({ ...family, revokedAt: now });
      });

      it('revokes the family on reuse, so the newest token is then invalid', async () => {
        const { family, first } = await start();
        const { next: second } = await rotate(first, T0 + HOUR);
        const { next: newest } = await rotate(second, T0 + 2 * HOUR);
        const reusedAt = T0 + 3 * HOUR;

        expect((await rotate(first, reusedAt)).outcome).toBe('reused');
        const { next, ...result } = await rotate(newest, reusedAt + SECOND);

        expect(result).toEqual({ outcome: 'invalid', family: { ...family, revokedAt: reusedAt } });
        expect(await tokenOf(newest.hash)).toEqual(newest);
        expect(await store.find(next.hash)).toBeNull();
      });

      it('treats a rotated token presented after the family was revoked as invalid and keeps the revocation time', async () => {
        const { family, first } = await start();
        await rotate(first, T0 + HOUR);
        await rotate(first, T0 + 2 * HOUR); // reused: revoked at T0 + 2h

        const result = await rotate(first, T0 + 3 * HOUR);

        expect(result.outcome).toBe('invalid');
        expect(result.family).toEqual({ ...family, revokedAt: T0 + 2 * HOUR });
      });

      it('detects reuse of a rotated token even after its idle limit', async () => {
        const { first } = await start();
        await rotate(first, T0 + HOUR);

        expect((await rotate(first, first.expiresAt + DAY)).outcome).toBe('reused');
      });

      it('refuses a token at its idle limit and changes nothing', async () => {
        const { family, first } = await start();

        const { next, ...result } = await rotate(first, first.expiresAt);

        expect(result).toEqual({ outcome: 'invalid', family });
        expect(await store.find(first.hash)).toEqual({ token: first, family });
        expect(await store.find(next.hash)).toBeNull();
      });

      it('refuses a token of a family at its absolute end and changes nothing', async () => {
        // The token's own idle limit is later, so only the family's end applies.
        const { family, first } = await start({ expiresAt: T0 + HOUR }, { expiresAt: T0 + DAY });

        const { next, ...result } = await rotate(first, T0 + HOUR);

        expect(result).toEqual({ outcome: 'invalid', family });
        expect(await store.find(first.hash)).toEqual({ token: first, family });
        expect(await store.find(next.hash)).toBeNull();
      });

      it('refuses a token of a revoked family and changes nothing', async () => {
        const { family, first } = await start();
        await store.revokeFamily(family.id, T0 + HOUR);
        const revoked = { ...family, revokedAt: T0 + HOUR };

        const { next, ...result } = await rotate(first, T0 + 2 * HOUR);

        expect(result).toEqual({ outcome: 'invalid', family: revoked });
        expect(await store.find(first.hash)).toEqual({ token: first, family: revoked });
        expect(await store.find(next.hash)).toBeNull();
      });

      it('resolves invalid with no family for an unknown token and stores nothing', async () => {
        const { family } = await start();
        const next = newToken(family.id, T0 + HOUR);

        expect(await store.rotate(newHash(), next, T0 + HOUR, GRACE)).toEqual({ outcome: 'invalid', family: null });
        expect(await store.find(next.hash)).toBeNull();
      });

      it('rejects a next token of another family and changes nothing', async () => {
        const { family, first } = await start();
        const other = await start();
        const stray = newToken(other.family.id, T0 + HOUR);

        await expect(store.rotate(first.hash, stray, T0 + HOUR, GRACE)).rejects.toHaveProperty('message');

        expect(await store.find(first.hash)).toEqual({ token: first, family });
        expect(await store.find(stray.hash)).toBeNull();
        expect((await rotate(first, T0 + HOUR)).outcome).toBe('rotated');
      });

      it('rejects a next token whose hash is already stored and changes nothing', async () => {
        const { family, first } = await start();
        const other = await start();
        const clash = { ...newToken(family.id, T0 + HOUR), hash: other.first.hash };

        await expect(store.rotate(first.hash, clash, T0 + HOUR, GRACE)).rejects.toHaveProperty('message');

        expect(await store.find(first.hash)).toEqual({ token: first, family });
        expect(await store.find(other.first.hash)).toEqual({ token: other.first, family: other.family });
      });

      it('rejects a retry whose next token hash is already stored and changes nothing', async () => {
        const { family, first } = await start();
        const { next: successor } = await rotate(first, T0 + HOUR);
        const before = { first: await tokenOf(first.hash), successor: await tokenOf(successor.hash) };
        const clash = { ...newToken(family.id, T0 + HOUR), hash: successor.hash };

        await expect(store.rotate(first.hash, clash, T0 + HOUR + SECOND, GRACE)).rejects.toHaveProperty('message');

        expect({ first: await tokenOf(first.hash), successor: await tokenOf(successor.hash) }).toEqual(before);
        expect((await familyOf(first.hash))?.revokedAt).toBeNull();
      });

      it('lets exactly one of two concurrent rotations of a token win; the other is a retry', async () => {
        const { first } = await start();
        const now = T0 + HOUR;

        const results = await Promise.all([rotate(first, now), rotate(first, now)]);

        expect(results.map((result) => result.outcome).sort()).toEqual(['retried', 'rotated']);
      });
    });

    describe('revokeFamily', () => {
      it('revokes a family, so its current token is then invalid', async () => {
        const { family, first } = await start();

        await store.revokeFamily(family.id, T0 + HOUR);

        expect(await familyOf(first.hash)).toEqual({ ...family, revokedAt: T0 + HOUR });
        expect((await rotate(first, T0 + 2 * HOUR)).outcome).toBe('invalid');
      });

      it('is idempotent and keeps the time of the first revocation', async () => {
        const { family, first } = await start();

        await store.revokeFamily(family.id, T0 + HOUR);
        await store.revokeFamily(family.id, T0 + 2 * HOUR);

        expect((await familyOf(first.hash))?.revokedAt).toBe(T0 + HOUR);
      });

      it('revokes only the given family', async () => {
        const a = await start();
        const b = await start();

        await store.revokeFamily(a.family.id, T0 + HOUR);

        expect(await store.find(b.first.hash)).toEqual({ token: b.first, family: b.family });
        expect((await rotate(b.first, T0 + 2 * HOUR)).outcome).toBe('rotated');
      });

      it('resolves for an unknown family', async () => {
        await expect(store.revokeFamily(randomUUID(), T0)).resolves.toBeUndefined();
      });
    });

    describe('purgeExpired', () => {
      it('removes families past their end with their tokens, and tokens that died unused', async () => {
        // A live family whose first token was rotated and whose second then idled out.
        const live = await start();
        const { next: idled } = await rotate(live.first, T0 + HOUR);
        // A family at its absolute end, with a rotated and a current token.
        const ended = await start({ expiresAt: T0 + 5 * DAY }, { expiresAt: T0 + 5 * DAY });
        const { next: endedCurrent } = await rotate(ended.first, T0 + 2 * HOUR);
        const now = idled.expiresAt;
        // endedCurrent goes because its family ended, not because it idled out.
        expect(now).toBeGreaterThan(ended.family.expiresAt);
        expect(endedCurrent.expiresAt).toBeGreaterThan(now);

        const removed = await store.purgeExpired(now);

        // idled, ended.first, endedCurrent and the ended family.
        expectPurged(removed, 4);
        expect((await tokenOf(live.first.hash))?.rotatedAt).toBe(T0 + HOUR);
        expect(await store.find(idled.hash)).toBeNull();
        expect(await store.find(ended.first.hash)).toBeNull();
        expect(await store.find(endedCurrent.hash)).toBeNull();
      });

      it('keeps rotated tokens of live families, so reuse is still detected', async () => {
        const { first } = await start();
        const { next: idled } = await rotate(first, T0 + HOUR);
        const now = idled.expiresAt + HOUR;

        await store.purgeExpired(now);

        expect(await tokenOf(first.hash)).toEqual({ ...first, rotatedAt: T0 + HOUR, replacedBy: idled.hash });
        const result = await rotate(first, now);
        expect(result.outcome).toBe('reused');
        expect(result.family?.revokedAt).toBe(now);
      });

      it('keeps live tokens and revoked families that have not reached their end', async () => {
        const live = await start();
        const revoked = await start();
        await store.revokeFamily(revoked.family.id, T0 + HOUR);
        const now = T0 + IDLE - 1;

        const removed = await store.purgeExpired(now);

        expectPurged(removed, 0);
        expect(await store.find(live.first.hash)).toEqual({ token: live.first, family: live.family });
        expect(await store.find(revoked.first.hash)).toEqual({
          token: revoked.first,
          family: { ...revoked.family, revokedAt: T0 + HOUR },
        });
        expect((await rotate(live.first, now)).outcome).toBe('rotated');
      });

      it('removes a token exactly at its idle limit and a family exactly at its end', async () => {
        const idle = await start({}, { expiresAt: T0 + DAY });
        const ended = await start({ expiresAt: T0 + DAY }, { expiresAt: T0 + 2 * DAY });

        const removed = await store.purgeExpired(T0 + DAY);

        expectPurged(removed, 3);
        expect(await store.find(idle.first.hash)).toBeNull();
        expect(await store.find(ended.first.hash)).toBeNull();
      });
    });
  });
}
