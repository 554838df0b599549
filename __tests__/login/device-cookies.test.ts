import { randomBytes } from 'node:crypto';
import { DeviceCookies } from '../../lib/login/device-cookies';
import { testClock } from '../helpers';

describe('DeviceCookies', () => {
  const key = randomBytes(32);
  let clock: ReturnType<typeof testClock>;
  let cookies: DeviceCookies;
  beforeEach(() => {
    clock = testClock();
    cookies = new DeviceCookies({ key, name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, clock.now);
  });

  /** The value of a Set-Cookie header. */
  const valueOf = (setCookie: string) => setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));

  it('verifies its own cookie for the account and epoch it was issued to', () => {
    const value = valueOf(cookies.setCookie('alice', 3, false));
    const device = cookies.verify([value], 'alice');
    expect(device).toEqual({ id: expect.stringMatching(/^[\w-]{22}$/), epoch: 3 });
    // Any spelling of the same account.
    expect(cookies.verify([value], 'ALICE')).toEqual(device);
    // Each login names a new device.
    expect(cookies.verify([valueOf(cookies.setCookie('alice', 3, false))], 'alice')!.id).not.toBe(device!.id);
  });

  it('trusts no cookie for another account', () => {
    expect(cookies.verify([valueOf(cookies.setCookie('alice', 0, false))], 'bob')).toBeUndefined();
  });

  it('trusts no cookie with any part changed: the MAC covers account, epoch, issue time and nonce', () => {
    const value = valueOf(cookies.setCookie('alice', 0, false));
    const parts = value.split('.');
    const changed = [
      [cookies.setCookie('bob', 0, false).split('=')[1]!.split('.')[0], ...parts.slice(1)],
      [parts[0], '1', ...parts.slice(2)],
      [parts[0], parts[1], String(Number(parts[2]) - 1), ...parts.slice(3)],
      [...parts.slice(0, 3), randomBytes(16).toString('base64url'), parts[4]],
      [...parts.slice(0, 4), randomBytes(32).toString('base64url')],
    ];
    for (const forged of changed) expect(cookies.verify([forged.join('.')], 'alice')).toBeUndefined();
    const otherKey = new DeviceCookies({ key: randomBytes(32), name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, clock.now);
    expect(otherKey.verify([value], 'alice')).toBeUndefined();
  });

  it('enforces maxAge itself, not only through the browser', () => {
    const value = valueOf(cookies.setCookie('alice', 0, false));
    clock.advance(3599);
    expect(cookies.verify([value], 'alice')).toBeDefined();
    clock.advance(1);
    expect(cookies.verify([value], 'alice')).toBeUndefined();
  });

  it('accepts a cookie issued by an instance whose clock is a little ahead, not far ahead', () => {
    const ahead = testClock(clock.now() + 300_000);
    const near = new DeviceCookies({ key, name: 'ejwt-device', maxAgeSeconds: 3600, path: '/' }, ahead.now);
    expect(cookies.verify([valueOf(near.setCookie('alice', 0, false))], 'alice')).toBeDefined();
    ahead.advance(1);
    expect(cookies.verify([valueOf(near.setCookie('alice', 0, false))], 'alice')).toBeUndefined();
  });

  it.each(['', 'garbage', 'a.b.c.d.e', '.'.repeat(4), 'x'.repeat(10_000), `${'A'.repeat(22)}.01.1.${'A'.repeat(22)}.${'A'.repeat(43)}`])(
    'ignores a malformed value (%#) without throwing',
    (value) => {
      expect(cookies.verify([value], 'alice')).toBeUndefined();
    },
  );

  it('takes the first value that verifies among several', () => {
    const good = valueOf(cookies.setCookie('alice', 0, false));
    expect(cookies.verify(['garbage', valueOf(cookies.setCookie('bob', 0, false)), good], 'alice')).toBeDefined();
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
    expect(scoped.setCookie('alice', 0, true)).toMatch(/^__Secure-dev=[^;]+; Path=\/auth; Max-Age=60; HttpOnly; SameSite=Strict; Secure$/);
    expect(scoped.setCookie('alice', 0, false)).toMatch(/^dev=[^;]+; Path=\/auth; Max-Age=60; HttpOnly; SameSite=Strict$/);
  });
});
