import { randomBytes } from 'node:crypto';
import { DeviceCookies, type DeviceAccount } from '../../lib/login/device-cookies';
import { testClock } from '../helpers';

describe('DeviceCookies', () => {
  const key = randomBytes(32);
  let clock: ReturnType<typeof testClock>;
  let cookies: DeviceCookies;
  beforeEach(() => {
    clock = testClock();
    cookies = new DeviceCookies({ key, name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, clock.now);
  });

  const CREATED = new Date(Date.UTC(2025, 5, 1));
  const account = (fields: Partial<DeviceAccount> = {}): DeviceAccount => ({ id: 'u-alice', username: 'alice', tokenEpoch: 0, createdAt: CREATED, ...fields });
  const alice = account();
  const bob = account({ id: 'u-bob', username: 'bob' });

  /** The value of a Set-Cookie header. */
  const valueOf = (setCookie: string) => setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));

  it('verifies its own cookie for the account and epoch it was issued to', () => {
    const value = valueOf(cookies.setCookie(account({ tokenEpoch: 3 }), false));
    const device = cookies.verify([value], account({ tokenEpoch: 3 }));
    expect(device).toEqual({ id: expect.stringMatching(/^[\w-]{22}$/), epoch: 3 });
    // Any spelling of the same account.
    expect(cookies.verify([value], account({ tokenEpoch: 3, username: 'ALICE' }))).toEqual(device);
    // Each login names a new device.
    expect(cookies.verify([valueOf(cookies.setCookie(account({ tokenEpoch: 3 }), false))], account({ tokenEpoch: 3 }))!.id).not.toBe(device!.id);
  });

  it('trusts no cookie for another account, and none when there is no account', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    expect(cookies.verify([value], bob)).toBeUndefined();
    expect(cookies.verify([value], null)).toBeUndefined();
  });

  it('trusts no cookie of an earlier token epoch: a bump ends every device', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    expect(cookies.verify([value], account({ tokenEpoch: 1 }))).toBeUndefined();
  });

  it('trusts no cookie of another account of the same name, nor of another account of the same id', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    // The name deleted (or renamed away) and registered again: another id, another creation time, epoch 0 again.
    expect(cookies.verify([value], account({ id: 'u-dana', username: 'Alice', createdAt: new Date(CREATED.getTime() + 86_400_000) }))).toBeUndefined();
    // A store that gives a deleted account's id to the next one: the creation time tells them apart.
    expect(cookies.verify([value], account({ createdAt: new Date(CREATED.getTime() + 1) }))).toBeUndefined();
    // A renamed account: its cookies named the old name.
    expect(cookies.verify([value], account({ username: 'erin' }))).toBeUndefined();
    // An id that would run into the payload: JSON keeps them apart.
    const odd = account({ id: 'a.0' });
    expect(cookies.verify([valueOf(cookies.setCookie(odd, false))], account({ id: 'a' }))).toBeUndefined();
  });

  it('verifies against a record whose creation time comes back as another Date object, a string or a number', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    expect(cookies.verify([value], account({ createdAt: new Date(CREATED.getTime()) }))).toBeDefined();
    expect(cookies.verify([value], account({ createdAt: CREATED.toISOString() as unknown as Date }))).toBeDefined();
    expect(cookies.verify([value], account({ createdAt: CREATED.getTime() as unknown as Date }))).toBeDefined();
  });

  it('tells whether a value can be a cookie of the account named, without any key: only the account key is compared', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    expect(cookies.mayBeFor([value], 'ALICE')).toBe(true);
    expect(cookies.mayBeFor([value], 'bob')).toBe(false);
    expect(cookies.mayBeFor(['garbage', value], 'alice')).toBe(true);
    expect(cookies.mayBeFor(['garbage'], 'alice')).toBe(false);
    expect(cookies.mayBeFor([], 'alice')).toBe(false);
    // Only the first four values are looked at.
    expect(cookies.mayBeFor(['a', 'b', 'c', 'd', value], 'alice')).toBe(false);
  });

  it('trusts no cookie with any part changed: the MAC covers account, epoch, issue time and nonce', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    const parts = value.split('.');
    const changed = [
      [valueOf(cookies.setCookie(bob, false)).split('.')[0], ...parts.slice(1)],
      [parts[0], '1', ...parts.slice(2)],
      [parts[0], parts[1], String(Number(parts[2]) - 1), ...parts.slice(3)],
      [...parts.slice(0, 3), randomBytes(16).toString('base64url'), parts[4]],
      [...parts.slice(0, 4), randomBytes(32).toString('base64url')],
    ];
    for (const forged of changed) {
      expect(cookies.verify([forged.join('.')], alice)).toBeUndefined();
      expect(cookies.verify([forged.join('.')], account({ tokenEpoch: 1 }))).toBeUndefined();
    }
    const otherKey = new DeviceCookies({ key: randomBytes(32), name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, clock.now);
    expect(otherKey.verify([value], alice)).toBeUndefined();
  });

  it('enforces maxAge itself, not only through the browser', () => {
    const value = valueOf(cookies.setCookie(alice, false));
    clock.advance(3599);
    expect(cookies.verify([value], alice)).toBeDefined();
    clock.advance(1);
    expect(cookies.verify([value], alice)).toBeUndefined();
  });

  it('accepts a cookie issued by an instance whose clock is a little ahead, not far ahead', () => {
    const ahead = testClock(clock.now() + 300_000);
    const near = new DeviceCookies({ key, name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, ahead.now);
    expect(cookies.verify([valueOf(near.setCookie(alice, false))], alice)).toBeDefined();
    ahead.advance(1);
    expect(cookies.verify([valueOf(near.setCookie(alice, false))], alice)).toBeUndefined();
  });

  it.each(['', 'garbage', 'a.b.c.d.e', '.'.repeat(4), 'x'.repeat(10_000), `${'A'.repeat(22)}.01.1.${'A'.repeat(22)}.${'A'.repeat(43)}`])(
    'ignores a malformed value (%#) without throwing',
    (value) => {
      expect(cookies.verify([value], alice)).toBeUndefined();
    },
  );

  it('takes the first value that verifies among several', () => {
    const good = valueOf(cookies.setCookie(alice, false));
    expect(cookies.verify(['garbage', valueOf(cookies.setCookie(bob, false)), good], alice)).toBeDefined();
  });

  it('reads only its own name from a Cookie header: prefixed on secure requests, bare otherwise', () => {
    const header = 'theme=dark; ejwt-device=plain;__Host-ejwt-device=secure ; x-ejwt-device=no; ejwt-device-2=no; ejwt-device';
    expect(cookies.read(header, false)).toEqual(['plain']);
    expect(cookies.read(header, true)).toEqual(['secure']);
    expect(cookies.read(undefined, true)).toEqual([]);
    expect(cookies.read('', false)).toEqual([]);
  });

  it('reads at most four values of its name, however many a client sends', () => {
    expect(cookies.read(Array.from({ length: 50 }, (_, i) => `ejwt-device=v${i}`).join('; '), false)).toEqual(['v0', 'v1', 'v2', 'v3']);
  });

  it('names the cookie per RFC 6265bis prefixes: __Host- with Secure and Path=/, __Secure- with another path', () => {
    expect(cookies.nameFor(true)).toBe('__Host-ejwt-device');
    expect(cookies.nameFor(false)).toBe('ejwt-device');
    const scoped = new DeviceCookies({ key, name: 'dev', maxAgeSeconds: 60, path: '/auth' }, clock.now);
    expect(scoped.nameFor(true)).toBe('__Secure-dev');
    expect(scoped.setCookie(alice, true)).toMatch(/^__Secure-dev=[^;]+; Path=\/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure$/);
    expect(scoped.setCookie(alice, false)).toMatch(/^dev=[^;]+; Path=\/auth; Max-Age=60; HttpOnly; SameSite=Strict$/);
  });
});
