import { randomUUID } from 'node:crypto';
import type { User } from '../../lib/core/user';
import { type UserStore } from '../../lib/stores/types';
import { UsernameTakenError } from '../../lib/core/errors';
import { endAllSessions } from '../../lib/login/accounts';
import { LOOKALIKES } from '../lookalikes';

export interface UserStoreContractOptions {
  /** Moves the clock the store was given forward by `ms`: `updatedAt` must come from that clock. */
  advanceClock: (ms: number) => void;
}

/**
 * The behaviour every `UserStore` shares (the contract in lib/stores/types.ts).
 * Each test gets a fresh, empty store from `makeStore`; `cleanup` runs after it.
 */
export function describeUserStoreContract<S extends UserStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  cleanup: ((store: S) => Promise<void> | void) | undefined,
  options: UserStoreContractOptions,
): void {
  describe(`${name} (UserStore contract)`, () => {
    let store: S;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await cleanup?.(store);
    });

    const unknownId = () => randomUUID();

    async function usernames(): Promise<string[]> {
      return (await store.list()).map((user) => user.username);
    }

    describe('create', () => {
      it('returns the fields it was given with an id and creation times', async () => {
        const user = await store.create({
          username: 'alice',
          email: 'alice@example.com',
          passwordHash: '$argon2id$hash-a',
          scopes: ['read', 'write'],
          disabled: true,
          tokenEpoch: 7,
        });

        expect(user).toEqual({
          id: expect.any(String),
          username: 'alice',
          email: 'alice@example.com',
          passwordHash: '$argon2id$hash-a',
          scopes: ['read', 'write'],
          disabled: true,
          tokenEpoch: 7,
          createdAt: expect.any(Date),
          updatedAt: expect.any(Date),
        });
        expect(user.id).not.toBe('');
        expect(Number.isNaN(user.createdAt.getTime())).toBe(false);
        expect(user.updatedAt).toEqual(user.createdAt);
      });

      it('defaults to no email, no scopes, enabled and token epoch 0', async () => {
        const user = await store.create({ username: 'bob', passwordHash: 'h' });

        expect(user.email).toBeNull();
        expect(user.scopes).toEqual([]);
        expect(user.disabled).toBe(false);
        expect(user.tokenEpoch).toBe(0);
        expect((await store.findById(user.id))?.tokenEpoch).toBe(0);
      });

      it('gives each user its own id', async () => {
        const a = await store.create({ username: 'a', passwordHash: 'h' });
        const b = await store.create({ username: 'b', passwordHash: 'h' });

        expect(a.id).not.toBe(b.id);
      });

      it('stores the username in NFC', async () => {
        const user = await store.create({ username: 'Ame\u0301lie', passwordHash: 'h' });

        expect(user.username).toBe('Am\u00e9lie');
        expect((await store.findById(user.id))?.username).toBe('Am\u00e9lie');
      });

      it('refuses a username taken in another case', async () => {
        await store.create({ username: 'Alice', passwordHash: 'h1' });

        await expect(store.create({ username: 'alice', passwordHash: 'h2' })).rejects.toBeInstanceOf(
          UsernameTakenError,
        );
        expect(await usernames()).toEqual(['Alice']);
        expect((await store.findByUsername('alice'))?.passwordHash).toBe('h1');
      });

      it('refuses a username taken in another Unicode normal form', async () => {
        await store.create({ username: 'Am\u00e9lie', passwordHash: 'h' });

        await expect(store.create({ username: 'AME\u0301LIE', passwordHash: 'h' })).rejects.toBeInstanceOf(
          UsernameTakenError,
        );
        expect(await usernames()).toEqual(['Am\u00e9lie']);
      });

      it.each([
        ['full width', 'alice', 'ａｌｉｃｅ'],
        ['ß folded to ss', 'straße', 'STRASSE'],
        ['final sigma folded to σ', 'ΟΔΟΣ', 'οδος'],
      ])('refuses a username that is taken once %s (usernameKey)', async (_name, first, second) => {
        const created = await store.create({ username: first, passwordHash: 'h1' });

        await expect(store.create({ username: second, passwordHash: 'h2' })).rejects.toBeInstanceOf(UsernameTakenError);
        expect(await store.findByUsername(second)).toEqual(created);
        expect(await store.list()).toEqual([created]);
      });

      it('stores a full-width username in its ordinary width', async () => {
        const user = await store.create({ username: 'ａｌｉｃｅ', passwordHash: 'h' });

        expect(user.username).toBe('alice');
        expect((await store.findByUsername('ALICE'))?.id).toBe(user.id);
      });
    });

    describe('findById and findByUsername', () => {
      it('finds a user by id', async () => {
        const created = await store.create({ username: 'alice', email: 'a@example.com', passwordHash: 'h' });

        expect(await store.findById(created.id)).toEqual(created);
      });

      it('finds a user regardless of case', async () => {
        const created = await store.create({ username: 'Alice', passwordHash: 'h' });

        expect(await store.findByUsername('Alice')).toEqual(created);
        expect(await store.findByUsername('alice')).toEqual(created);
        expect(await store.findByUsername('ALICE')).toEqual(created);
      });

      it('finds a user regardless of Unicode normal form', async () => {
        const created = await store.create({ username: 'Ame\u0301lie', passwordHash: 'h' });

        expect(await store.findByUsername('Am\u00e9lie')).toEqual(created);
        expect(await store.findByUsername('Ame\u0301lie')).toEqual(created);
      });

      it('resolves null for an unknown id or username', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });

        expect(await store.findById(unknownId())).toBeNull();
        expect(await store.findByUsername('bob')).toBeNull();
      });
    });

    describe('update', () => {
      it('changes only the given fields', async () => {
        const created = await store.create({
          username: 'alice',
          email: 'old@example.com',
          passwordHash: 'h',
          scopes: ['read'],
          disabled: false,
        });

        const updated = await store.update(created.id, { email: 'new@example.com' });

        expect(updated).toEqual({ ...created, email: 'new@example.com', updatedAt: expect.any(Date) });
        expect(await store.findById(created.id)).toEqual(updated);
      });

      it('ignores fields given as undefined', async () => {
        const created = await store.create({ username: 'alice', email: 'a@example.com', passwordHash: 'h' });

        const updated = await store.update(created.id, { email: undefined, scopes: undefined });

        expect(updated).toEqual({ ...created, updatedAt: expect.any(Date) });
      });

      it('changes every field it is given', async () => {
        const created = await store.create({ username: 'alice', email: 'a@example.com', passwordHash: 'h' });

        const updated = await store.update(created.id, {
          username: 'alicia',
          email: null,
          passwordHash: 'h2',
          scopes: ['admin', 'read'],
          disabled: true,
          tokenEpoch: 4,
        });

        expect(updated).toEqual({
          ...created,
          username: 'alicia',
          email: null,
          passwordHash: 'h2',
          scopes: ['admin', 'read'],
          disabled: true,
          tokenEpoch: 4,
          updatedAt: expect.any(Date),
        });
        expect(await store.findByUsername('alicia')).toEqual(updated);
        expect(await store.findByUsername('alice')).toBeNull();
      });

      it('sets the token epoch and leaves the other fields as they were', async () => {
        const created = await store.create({
          username: 'alice',
          email: 'a@example.com',
          passwordHash: 'h',
          scopes: ['read'],
          tokenEpoch: 2,
        });

        const updated = await store.update(created.id, { tokenEpoch: 3 });

        expect(updated).toEqual({ ...created, tokenEpoch: 3, updatedAt: expect.any(Date) });
        expect(await store.findById(created.id)).toEqual(updated);
      });

      it('keeps the token epoch when other fields change', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', tokenEpoch: 5 });

        const updated = await store.update(created.id, { passwordHash: 'h2', disabled: true });

        expect(updated?.tokenEpoch).toBe(5);
        expect((await store.findById(created.id))?.tokenEpoch).toBe(5);
      });

      it('can clear the scopes', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read'] });

        await store.update(created.id, { scopes: [] });

        expect((await store.findById(created.id))?.scopes).toEqual([]);
      });

      it('sets updatedAt and keeps createdAt', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h' });
        options.advanceClock(1000);

        const updated = await store.update(created.id, { disabled: true });

        expect(updated?.createdAt).toEqual(created.createdAt);
        expect(updated!.updatedAt.getTime()).toBe(created.updatedAt.getTime() + 1000);
      });

      it('resolves null for an unknown id', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });

        expect(await store.update(unknownId(), { email: 'x@example.com' })).toBeNull();
        expect(await usernames()).toEqual(['alice']);
      });

      it('stores a new username in NFC', async () => {
        const created = await store.create({ username: 'amelie', passwordHash: 'h' });

        const updated = await store.update(created.id, { username: 'Ame\u0301lie' });

        expect(updated?.username).toBe('Am\u00e9lie');
        expect((await store.findByUsername('am\u00e9lie'))?.id).toBe(created.id);
      });

      it('lets a user change the case of its own name', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h' });

        const updated = await store.update(created.id, { username: 'Alice' });

        expect(updated?.username).toBe('Alice');
        expect((await store.findByUsername('ALICE'))?.username).toBe('Alice');
      });

      it('refuses a rename to a name taken in another case and leaves the user as it was', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });
        const bob = await store.create({ username: 'bob', email: 'bob@example.com', passwordHash: 'h' });
        options.advanceClock(1000);

        await expect(
          store.update(bob.id, { username: 'ALICE', email: 'changed@example.com', tokenEpoch: 9 }),
        ).rejects.toBeInstanceOf(UsernameTakenError);

        expect(await store.findById(bob.id)).toEqual(bob);
        expect(await store.findByUsername('bob')).toEqual(bob);
        expect(await usernames()).toEqual(['alice', 'bob']);
      });
    });

    describe('update with ifMatch (compare-and-set)', () => {
      it('applies the patch when the password hash and token epoch are still the ones given', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h1', tokenEpoch: 3 });

        const updated = await store.update(created.id, { passwordHash: 'h2' }, { ifMatch: { passwordHash: 'h1', tokenEpoch: 3 } });

        expect(updated).toEqual({ ...created, passwordHash: 'h2', updatedAt: expect.any(Date) });
        expect(await store.findById(created.id)).toEqual(updated);
      });

      it.each([
        ['the password hash', { passwordHash: 'other', tokenEpoch: 3 }],
        ['the token epoch', { passwordHash: 'h1', tokenEpoch: 2 }],
        ['the token epoch alone', { tokenEpoch: 4 }],
        ['the password hash alone', { passwordHash: 'h0' }],
      ])('changes nothing and resolves null when %s differs', async (_name, ifMatch) => {
        const created = await store.create({ username: 'alice', passwordHash: 'h1', tokenEpoch: 3 });
        options.advanceClock(1000);

        expect(await store.update(created.id, { passwordHash: 'h2', tokenEpoch: 9, email: 'x@example.com' }, { ifMatch })).toBeNull();

        expect(await store.findById(created.id)).toEqual(created);
      });

      it('compares the token epoch alone when only it is given', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h1', tokenEpoch: 3 });

        const updated = await store.update(created.id, { tokenEpoch: 4, disabled: true }, { ifMatch: { tokenEpoch: 3 } });

        expect(updated).toMatchObject({ tokenEpoch: 4, disabled: true, passwordHash: 'h1' });
      });

      it('is an ordinary update with an empty ifMatch or no options', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h1' });

        expect(await store.update(created.id, { email: 'a@example.com' }, {})).toMatchObject({ email: 'a@example.com' });
        expect(await store.update(created.id, { email: 'b@example.com' }, { ifMatch: {} })).toMatchObject({ email: 'b@example.com' });
      });

      it('resolves null for an unknown id', async () => {
        expect(await store.update(unknownId(), { passwordHash: 'h2' }, { ifMatch: { passwordHash: 'h1', tokenEpoch: 0 } })).toBeNull();
        expect(await store.list()).toEqual([]);
      });

      it('checks the condition first: a rename that does not match resolves null, not UsernameTakenError', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });
        const bob = await store.create({ username: 'bob', passwordHash: 'h' });

        expect(await store.update(bob.id, { username: 'ALICE' }, { ifMatch: { tokenEpoch: 1 } })).toBeNull();
        await expect(store.update(bob.id, { username: 'ALICE' }, { ifMatch: { tokenEpoch: 0 } })).rejects.toBeInstanceOf(UsernameTakenError);
        expect(await store.findById(bob.id)).toEqual(bob);
      });

      it('lets exactly one of many concurrent writers of one version win', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h0', tokenEpoch: 0 });

        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.update(created.id, { passwordHash: `h${i + 1}`, tokenEpoch: 1 }, { ifMatch: { passwordHash: 'h0', tokenEpoch: 0 } }),
          ),
        );

        const winners = results.filter((result) => result !== null);
        expect(winners).toHaveLength(1);
        expect(await store.findById(created.id)).toEqual(winners[0]);
      });

      it('counts every bump of many concurrent compare-and-set loops (endAllSessions)', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', tokenEpoch: 5 });

        const bumped = await Promise.all(Array.from({ length: 8 }, () => endAllSessions(store, created)));

        expect(bumped.map((user) => user?.tokenEpoch).sort((a, b) => a! - b!)).toEqual([6, 7, 8, 9, 10, 11, 12, 13]);
        expect((await store.findById(created.id))?.tokenEpoch).toBe(13);
      });
    });

    describe('look-alike usernames (usernameSkeletons, UTS #39 §4)', () => {
      const refused = async (promise: Promise<unknown>, lookalike: boolean) => {
        const err = await promise.then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(UsernameTakenError);
        expect((err as UsernameTakenError).lookalike).toBe(lookalike);
      };

      it.each(LOOKALIKES)('refuses %s then its look-alike %s (%s)', async (existing, lookalike) => {
        const created = await store.create({ username: existing, passwordHash: 'h1' });

        await refused(store.create({ username: lookalike, passwordHash: 'h2' }), true);

        expect(await store.list()).toEqual([created]);
        expect(await store.findByUsername(lookalike)).toBeNull();
        expect(await store.findByUsername(existing)).toEqual(created);
      });

      it('says taken, not look-alike, for a name with the same key', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });

        await refused(store.create({ username: 'ALICE', passwordHash: 'h' }), false);
      });

      it('refuses a rename to a look-alike of another account and leaves the user as it was', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });
        const bob = await store.create({ username: 'bob', passwordHash: 'h' });
        options.advanceClock(1000);

        await refused(store.update(bob.id, { username: 'aIice', email: 'x@example.com' }), true);

        expect(await store.findById(bob.id)).toEqual(bob);
        // The old name keeps its skeletons: a look-alike of bob is still refused.
        await refused(store.create({ username: '\u0412\u041e\u0412', passwordHash: 'h' }), true);
      });

      it('lets a user take a look-alike of its own name, or another case of it', async () => {
        const alice = await store.create({ username: 'alice', passwordHash: 'h' });

        expect(await store.update(alice.id, { username: 'ALICE' })).toMatchObject({ username: 'ALICE' });
        expect(await store.update(alice.id, { username: 'aIice' })).toMatchObject({ username: 'aIice' });
        expect((await store.findByUsername('AIICE'))?.id).toBe(alice.id);
      });

      it('frees the look-alikes of a name given up by a rename', async () => {
        const alice = await store.create({ username: 'alice', passwordHash: 'h' });
        await store.update(alice.id, { username: 'alicia' });

        const other = await store.create({ username: 'aIice', passwordHash: 'h' });

        expect(other.username).toBe('aIice');
        await refused(store.create({ username: 'aIicia', passwordHash: 'h' }), true);
      });

      it('frees the look-alikes of a removed account', async () => {
        const alice = await store.create({ username: 'alice', passwordHash: 'h' });
        await store.delete(alice.id);

        expect((await store.create({ username: '\u0430\u04cf\u0456\u0441\u0435', passwordHash: 'h' })).username).toBe('\u0430\u04cf\u0456\u0441\u0435');
      });

      it('finds the account a name looks like with findLookalike, and null when none does', async () => {
        const alice = await store.create({ username: 'alice', passwordHash: 'h' });
        await store.create({ username: 'bob', passwordHash: 'h' });

        expect(await store.findLookalike!('ꓮꓡꓲꓚꓰ')).toEqual(alice);
        expect(await store.findLookalike!('ALICE')).toEqual(alice);
        expect(await store.findLookalike!('alicia')).toBeNull();
        expect(await store.findLookalike!('')).toBeNull();
      });

      it('lets exactly one of concurrent look-alike creates win', async () => {
        // Each pair of these looks alike (all share the skeleton "alice"). Not every look-alike of
        // alice would do: ꓮꓡꓲꓚꓰ looks like ALICE, aIice like alice, and not like each other.
        const names = ['alice', '\u0430\u04cf\u0456\u0441\u0435', 'aIice', 'ᎪᏞᎥᏟᎬ', '\u0251lice'];

        const results = await Promise.allSettled(names.map((username) => store.create({ username, passwordHash: 'h' })));

        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(UsernameTakenError);
        expect(await store.list()).toHaveLength(1);
      });
    });

    describe('delete', () => {
      it('removes a user and resolves true, then false', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h' });

        expect(await store.delete(created.id)).toBe(true);
        expect(await store.delete(created.id)).toBe(false);
        expect(await store.findById(created.id)).toBeNull();
        expect(await store.findByUsername('alice')).toBeNull();
      });

      it('resolves false for an unknown id and removes nothing', async () => {
        await store.create({ username: 'alice', passwordHash: 'h' });

        expect(await store.delete(unknownId())).toBe(false);
        expect(await usernames()).toEqual(['alice']);
      });

      it('frees the username for a new account', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h' });
        await store.delete(created.id);

        const again = await store.create({ username: 'Alice', passwordHash: 'h2' });

        expect(again.id).not.toBe(created.id);
        expect((await store.findByUsername('alice'))?.passwordHash).toBe('h2');
      });
    });

    describe('list', () => {
      it('resolves an empty array when there are no users', async () => {
        expect(await store.list()).toEqual([]);
      });

      it('lists every user ordered by username regardless of case', async () => {
        // In plain code-unit order "Bob" would come before "alice".
        await store.create({ username: 'carol', passwordHash: 'h' });
        await store.create({ username: 'alice', passwordHash: 'h' });
        await store.create({ username: 'Bob', passwordHash: 'h' });

        expect(await usernames()).toEqual(['alice', 'Bob', 'carol']);
      });

      it('returns the same records as findById', async () => {
        const a = await store.create({ username: 'a', passwordHash: 'h', scopes: ['x'] });
        const b = await store.create({ username: 'b', email: 'b@example.com', passwordHash: 'h', disabled: true });

        expect(await store.list()).toEqual([a, b]);
      });
    });

    describe('copies', () => {
      function mutate(user: User): void {
        user.scopes.push('admin');
        user.username = 'mallory';
        user.createdAt.setTime(0);
        user.updatedAt.setTime(0);
      }

      async function expectUnchanged(id: string, expected: User): Promise<void> {
        expect(await store.findById(id)).toEqual(expected);
        expect(await store.findByUsername('alice')).toEqual(expected);
      }

      it('does not share the scopes array it was given', async () => {
        const scopes = ['read'];
        const created = await store.create({ username: 'alice', passwordHash: 'h', scopes });
        scopes.push('admin');

        expect((await store.findById(created.id))?.scopes).toEqual(['read']);

        const patchScopes = ['write'];
        await store.update(created.id, { scopes: patchScopes });
        patchScopes.push('admin');

        expect((await store.findById(created.id))?.scopes).toEqual(['write']);
      });

      it('is not changed by changing a user that create returned', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read'] });
        const snapshot = structuredClone(created);

        mutate(created);

        await expectUnchanged(snapshot.id, snapshot);
      });

      it('is not changed by changing a user that a find returned', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read'] });
        const snapshot = structuredClone(created);

        mutate((await store.findById(created.id))!);
        mutate((await store.findByUsername('alice'))!);

        await expectUnchanged(created.id, snapshot);
      });

      it('is not changed by changing a user that update or list returned', async () => {
        const created = await store.create({ username: 'alice', passwordHash: 'h', scopes: ['read'] });
        const updated = (await store.update(created.id, { email: 'a@example.com' }))!;
        const snapshot = structuredClone(updated);

        mutate(updated);
        (await store.list()).forEach(mutate);

        await expectUnchanged(created.id, snapshot);
      });
    });
  });
}
