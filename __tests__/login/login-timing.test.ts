import argon2 from 'argon2';
import { performance } from 'node:perf_hooks';
import { InvalidGrantError } from '../../lib/core/errors';
import { authenticatePassword } from '../../lib/login/authenticate-password';
import { PasswordHasher, type HasherTiming } from '../../lib/login/passwords';
import { MemoryUserStore } from '../../lib/stores/memory/users';
import { PASSWORD } from '../helpers';

/**
 * "Neither the answer nor its timing tells whether an account exists"
 * (OWASP Authentication Cheat Sheet, authentication responses): a failed
 * login must cost what a verify at the current argon2 parameters costs, also
 * for an account whose stored hash was made with cheaper ones (the state
 * right after an operator raises the cost).
 */

/** The hasher's clock: each reading moves it on by `step` ms; sleeps are recorded, not slept. */
function fakeTiming() {
  const state = { ms: 0, step: 0, sleeps: [] as number[] };
  const timing: HasherTiming = {
    now: () => (state.ms += state.step),
    sleep: async (ms) => {
      state.sleeps.push(ms);
    },
  };
  return { state, timing };
}

// Cheap parameters keep the test fast; "current" is simply the costlier of the two.
const CURRENT = { memoryCost: 2048, timeCost: 2 };
const OUTDATED = { memoryCost: 1024, timeCost: 1 };

async function fixture() {
  const { state, timing } = fakeTiming();
  const passwords = new PasswordHasher(CURRENT, undefined, undefined, timing);
  state.step = 30; // a verify (and the dummy hash) at the current parameters reads as 30 ms
  await passwords.prepareDummy();
  const users = new MemoryUserStore();
  const outdatedHash = await new PasswordHasher(OUTDATED).hash(PASSWORD);
  const currentHash = await passwords.hash(PASSWORD);
  await users.create({ username: 'old', passwordHash: outdatedHash });
  await users.create({ username: 'current', passwordHash: currentHash });
  await users.create({ username: 'gone', passwordHash: outdatedHash, disabled: true });
  const login = { users, passwords, rateLimits: undefined, deviceCookies: undefined };
  const attempt = (username: string, password: string) => authenticatePassword(login, username, password, { ip: '192.0.2.1' });
  const verifies = jest.spyOn(argon2, 'verify');
  return { state, passwords, attempt, verifies, outdatedHash, currentHash };
}

afterEach(() => jest.restoreAllMocks());

/** The argon2 parameters (m, t) of each hash argon2.verify was called with. */
const verifiedParams = (spy: jest.SpyInstance) =>
  spy.mock.calls.map(([hash]) => `${/\bm=(\d+)/.exec(hash as string)![1]}/${/\bt=(\d+)/.exec(hash as string)![1]}`);

describe('a failed login on an account whose hash has outdated (cheaper) parameters', () => {
  it('is padded with a timer to the time a current verify takes: one argon2 verify of the stored hash, no more', async () => {
    const f = await fixture();
    f.state.step = 6; // the cheap verify reads as 6 ms
    await expect(f.attempt('old', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    expect(verifiedParams(f.verifies)).toEqual(['1024/1']);
    expect(f.state.sleeps).toEqual([24]);
  });

  it('is padded for a disabled account too', async () => {
    const f = await fixture();
    f.state.step = 6;
    await expect(f.attempt('gone', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    expect(f.state.sleeps).toEqual([24]);
  });

  it('costs what an unknown user costs: the dummy verify at the current parameters, unpadded', async () => {
    const f = await fixture();
    await expect(f.attempt('nobody', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    expect(verifiedParams(f.verifies)).toEqual(['2048/2']);
    expect(f.state.sleeps).toEqual([]);
  });

  it('pads to the median of recent current verifies, which outdated verifies and outliers do not move', async () => {
    const f = await fixture();
    for (const ms of [40, 40, 40, 900, 40]) {
      f.state.step = ms;
      await expect(f.attempt('nobody', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    }
    f.state.step = 5;
    for (let i = 0; i < 3; i++) await expect(f.attempt('old', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    expect(f.state.sleeps).toEqual([35, 35, 35]);
  });
});

describe('logins that are not padded', () => {
  it('a wrong password on a current hash: one verify, no timer', async () => {
    const f = await fixture();
    await expect(f.attempt('current', 'wrong')).rejects.toBeInstanceOf(InvalidGrantError);
    expect(verifiedParams(f.verifies)).toEqual(['2048/2']);
    expect(f.state.sleeps).toEqual([]);
  });

  it('a correct password, on a current or an outdated hash (which is upgraded instead)', async () => {
    const f = await fixture();
    f.state.step = 6;
    expect((await f.attempt('current', PASSWORD)).username).toBe('current');
    expect((await f.attempt('old', PASSWORD)).username).toBe('old');
    expect(f.state.sleeps).toEqual([]);
  });

  it('a hash with costlier parameters than the current ones (the operator lowered them): no padding can be negative', async () => {
    const f = await fixture();
    const costly = await new PasswordHasher({ memoryCost: 4096, timeCost: 3 }).hash(PASSWORD);
    f.state.step = 80;
    expect(await f.passwords.verify(costly, 'wrong')).toBe(false);
    expect(f.state.sleeps).toEqual([]);
  });
});

describe('the estimate before any current verify was timed', () => {
  it('is primed by timing the dummy hash, made once', async () => {
    const { state, timing } = fakeTiming();
    const passwords = new PasswordHasher(CURRENT, undefined, { concurrency: 1, queue: 0 }, timing);
    const outdated = await new PasswordHasher(OUTDATED).hash(PASSWORD);
    const hashes = jest.spyOn(argon2, 'hash');
    // No prepareDummy at start-up: the first outdated failure makes (and times) the dummy hash.
    state.step = 25;
    expect(await passwords.verify(outdated, 'wrong')).toBe(false);
    expect(hashes).toHaveBeenCalledTimes(1);
    expect(state.sleeps).toEqual([]); // the dummy hash timed as long as the cheap verify: nothing to pad
    state.step = 4;
    expect(await passwords.verify(outdated, 'wrong')).toBe(false);
    expect(hashes).toHaveBeenCalledTimes(1);
    expect(state.sleeps).toEqual([21]);
  });
});

/**
 * One loose check with the real clock, on the default parameters: medians of
 * interleaved logins, so a loaded machine slows both kinds alike. Before the
 * padding the outdated account answered in about a fifth of the time.
 */
describe('with the real clock', () => {
  it('a wrong password on an outdated hash takes about as long as an unknown user', async () => {
    const passwords = new PasswordHasher();
    await passwords.prepareDummy();
    const users = new MemoryUserStore();
    await users.create({ username: 'old', passwordHash: await new PasswordHasher({ memoryCost: 4096, timeCost: 1 }).hash(PASSWORD) });
    const login = { users, passwords, rateLimits: undefined, deviceCookies: undefined };
    const time = async (username: string) => {
      const start = performance.now();
      await authenticatePassword(login, username, 'wrong', { ip: '192.0.2.1' }).catch(() => undefined);
      return performance.now() - start;
    };
    const unknown: number[] = [];
    const outdated: number[] = [];
    for (let i = 0; i < 15; i++) {
      unknown.push(await time('nobody'));
      outdated.push(await time('old'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(median(outdated)).toBeGreaterThan(0.7 * median(unknown));
  }, 30_000);
});
