import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { User } from '../core/user';
import { accountKey } from './rate-limits';

/** Device cookies (OWASP Authentication Cheat Sheet; OWASP "Slow Down Online Guessing Attacks with Device Cookies"). */
export interface DeviceCookieOptions {
  /** HMAC key material for the cookies, at least 32 bytes, the same on every instance. Default: derived (HKDF-SHA256) from `secret` or the active signing key. */
  secret: string | Buffer;
  /** The cookie's name; on secure requests `__Host-` (or `__Secure-` with another path) is put before it. Default "ejwt-device". */
  name: string;
  /** How long a device stays trusted after its last successful login: seconds or a duration like "90d", at most "400d". Default "90d". */
  maxAge: number | string;
  /** The cookie's Path: the token endpoint, the local-strategy route and PUT /users/me/password must all be under it. Default "/". */
  path: string;
}

/** DeviceCookieOptions, checked: what DeviceCookies needs. */
export interface DeviceCookieSettings {
  /** The HMAC-SHA256 key (32 bytes). */
  readonly key: Buffer;
  readonly name: string;
  readonly maxAgeSeconds: number;
  readonly path: string;
}

/** A device cookie that verified: the device's id (its nonce) and the token epoch it was issued in. */
export interface TrustedDevice {
  readonly id: string;
  readonly epoch: number;
}

/** What a device cookie is bound to: the account as the store returned it. */
export type DeviceAccount = Pick<User, 'id' | 'username' | 'tokenEpoch' | 'createdAt'>;

// account . epoch . issued-at (s) . nonce . HMAC-SHA256 over the rest; all base64url or decimal, so no quoting is needed.
const FORMAT = /^([A-Za-z0-9_-]{22})\.(0|[1-9][0-9]{0,14})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const MAX_VALUE_LENGTH = 160;
/** At most this many cookies of the name are looked at: a client cannot make us verify more. */
const MAX_VALUES = 4;
/** Instances' clocks may differ a little: a cookie issued this far in the future is still accepted. */
const CLOCK_SKEW_SECONDS = 300;

/**
 * Issues and checks device cookies. A successful login sets one; a later
 * login to the same account that presents it counts as a trusted client,
 * with a failure budget of its own, while untrusted clients can be locked
 * out of the account without locking out the owner.
 *
 * The value is `account.epoch.issuedAt.nonce.mac`: the account's key (a hash
 * of its username key), the account's token epoch when it was issued (a
 * password change or "sign out everywhere" bumps it, so every earlier device
 * cookie stops being trusted), the issue time (checked against `maxAge` here,
 * not only by the browser), 128 random bits naming the device, and an
 * HMAC-SHA256 with a server key over the rest and over the account itself:
 * its id and creation time, which are not in the cookie. A name and an epoch
 * do not name an account: a deleted account's name can be registered again,
 * and a renamed one's taken, by someone else, starting again at epoch 0. So a
 * cookie only verifies against the record it was issued for, once that record
 * is looked up: neither a later account of the same name nor (with a store of
 * your own that reuses ids) a later account of the same id trusts it. It
 * authenticates nothing by itself: it only decides which failure budget a
 * login with a password draws on.
 *
 * @example
 * const cookies = new DeviceCookies({ key, name: 'ejwt-device', maxAgeSeconds: 90 * 86400, path: '/' }, Date.now);
 * res.append('Set-Cookie', cookies.setCookie(user, req.secure));
 * const values = cookies.read(req.headers.cookie, req.secure);
 * if (cookies.mayBeFor(values, username)) {
 *   const device = cookies.verify(values, await users.findByUsername(username));
 * }
 */
export class DeviceCookies {
  constructor(
    private readonly settings: DeviceCookieSettings,
    private readonly now: () => number,
  ) {}

  /**
   * The cookie's name for a request. RFC 6265bis §4.1.3: `__Host-` needs
   * Secure, Path=/ and no Domain, and then no other host (a sibling
   * subdomain) and no insecure page can set or shadow it; `__Secure-` needs
   * Secure. Neither prefix is allowed without Secure.
   */
  nameFor(secure: boolean): string {
    if (!secure) return this.settings.name;
    return this.settings.path === '/' ? `__Host-${this.settings.name}` : `__Secure-${this.settings.name}`;
  }

  /**
   * The Set-Cookie header value that makes this client a trusted device of
   * `account` in its current token epoch; `account` is the record whose
   * password was just checked. HttpOnly (no script reads it),
   * SameSite=Strict (a cross-site request never carries it, so another site
   * cannot spend the owner's device budget), Secure on secure requests, and a
   * Max-Age the server enforces too.
   */
  setCookie(account: DeviceAccount, secure: boolean): string {
    const { path, maxAgeSeconds } = this.settings;
    const payload = `${accountKey(account.username)}.${account.tokenEpoch}.${this.nowSeconds()}.${randomBytes(16).toString('base64url')}`;
    const value = `${payload}.${this.mac(account, payload)}`;
    return `${this.nameFor(secure)}=${value}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /** The values of this request's device cookie in a Cookie header (RFC 6265 §5.4), at most a few. */
  read(header: string | undefined, secure: boolean): string[] {
    if (typeof header !== 'string' || header === '') return [];
    const wanted = this.nameFor(secure);
    const values: string[] = [];
    for (const pair of header.split(';')) {
      const equals = pair.indexOf('=');
      if (equals < 0 || pair.slice(0, equals).trim() !== wanted) continue;
      values.push(pair.slice(equals + 1).trim());
      if (values.length === MAX_VALUES) break;
    }
    return values;
  }

  /**
   * Whether any of `values` is shaped like a device cookie of the account
   * named `username`: no MAC is checked (that needs the account's record), it
   * only tells whether looking the account up first is worth it.
   */
  mayBeFor(values: readonly string[], username: string): boolean {
    if (values.length === 0) return false;
    const account = accountKey(username);
    return values.slice(0, MAX_VALUES).some((value) => value.length <= MAX_VALUE_LENGTH && FORMAT.exec(value)?.[1] === account);
  }

  /**
   * The device of the first value that is a valid, unexpired device cookie
   * issued to `account` (the record as the store returns it now) in its
   * current token epoch; undefined if none is, or if there is no account.
   */
  verify(values: readonly string[], account: DeviceAccount | null | undefined): TrustedDevice | undefined {
    if (values.length === 0 || !account) return undefined;
    const key = accountKey(account.username);
    const now = this.nowSeconds();
    for (const value of values.slice(0, MAX_VALUES)) {
      if (value.length > MAX_VALUE_LENGTH) continue;
      const match = FORMAT.exec(value);
      if (!match) continue;
      const [, cookieAccount, epoch, issuedAt, nonce, mac] = match as unknown as [string, string, string, string, string, string];
      if (cookieAccount !== key) continue;
      const expected = Buffer.from(this.mac(account, value.slice(0, value.length - mac.length - 1)));
      if (!timingSafeEqual(expected, Buffer.from(mac))) continue;
      // A password change, a disable or "sign out everywhere" bumped the epoch: every earlier device is untrusted.
      if (Number(epoch) !== account.tokenEpoch) continue;
      const issued = Number(issuedAt);
      if (issued > now + CLOCK_SKEW_SECONDS || now >= issued + this.settings.maxAgeSeconds) continue;
      return { id: nonce, epoch: Number(epoch) };
    }
    return undefined;
  }

  /**
   * The MAC of `payload` for `account`. It covers the account's id and
   * creation time, both fixed when the account was made and not in the
   * cookie: the same name (a deleted or renamed account's, registered again)
   * is another account, and so is the same id made again by a store that
   * reuses ids, as long as it was made at another millisecond. JSON keeps the
   * two apart from the payload whatever the id holds (v2: v1 cookies named the
   * account by its username only, and are not trusted any more).
   */
  private mac(account: DeviceAccount, payload: string): string {
    const created = new Date(account.createdAt as Date | string | number).getTime();
    const binding = JSON.stringify([String(account.id), Number.isFinite(created) ? created : null]);
    return createHmac('sha256', this.settings.key).update(`device-cookie.v2.${binding}.${payload}`).digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
