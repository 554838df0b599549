/**
 * The rate-limit key of a client address: which bucket of the brute-force
 * counters a request is charged to.
 *
 * One key per client, and as few keys per attacker as the address plan
 * allows:
 *
 * - IPv4: the address, `4:a.b.c.d`.
 * - IPv6: its /64, `6:x:x:x:x::/64`: each group lowercase hex without leading
 *   zeros (RFC 5952 §4.1, §4.3) and never compressed (unlike §4.2), one fixed
 *   form, so every spelling of a /64 gives one key. A /64 is the least one
 *   subscriber gets (RFC 6177, RFC 7421), so an attacker cannot rotate
 *   through the 2^64 addresses of its own subnet.
 * - IPv6 addresses that carry an IPv4 address are keyed on that IPv4 address
 *   (so on an IPv6-only server behind NAT64/SIIT every IPv4 user keeps a
 *   bucket of their own, and is the same client as over native IPv4):
 *   - IPv4-mapped `::ffff:0:0/96` (RFC 4291 §2.5.5.2), as Node reports IPv4
 *     peers on a dual-stack socket;
 *   - IPv4-compatible `::/96` (RFC 4291 §2.5.5.1, deprecated), except `::`
 *     and `::1` (RFC 4291 §2.5.2, §2.5.3), which keep their /64 key;
 *   - IPv4-translated `::ffff:0:0:0/96` (RFC 2765 §2.1, the historic SIIT
 *     format): otherwise every IPv4 user of such a translator would share the
 *     `::/64` key;
 *   - the NAT64 Well-Known Prefix `64:ff9b::/96` (RFC 6052 §2.1), with the
 *     IPv4 address in the last 32 bits (§2.2, the /96 format);
 *   - the local-use prefix `64:ff9b:1::/48` (RFC 8215), see below.
 * - Anything else (empty, `unknown` or an obfuscated `_name` from a proxy
 *   per RFC 7239 §6.2–6.3, a hostname, garbage, `undefined` when Express no
 *   longer has a socket): one shared bucket, {@link UNPARSED_CLIENT}. Never
 *   the raw string, which would give each new spelling a fresh bucket.
 *
 * Local-use NAT64 (RFC 8215): an operator may carve translation prefixes of
 * /48, /56, /64 or /96 out of `64:ff9b:1::/48`, and RFC 6052 §2.2 puts the
 * IPv4 address in a different place for each length; the address alone does
 * not tell which. Reading the last 32 bits would merge IPv4 clients under a
 * /48, /56 or /64 prefix (their last 32 bits are zero, or all but one
 * octet), the very collapse this module exists to prevent. So:
 * - in `64:ff9b:1::/96` (bits 48–95 zero) the IPv4 address is the last 32
 *   bits, and the key is that IPv4 address. No other RFC 6052 format leaves
 *   those bits zero, except for IPv4 addresses in 0.0.0.0/24, which are no
 *   client's source (RFC 1122 §3.2.1.3);
 * - elsewhere in `64:ff9b:1::/48` the key is the whole address,
 *   `6:x:x:x:x:x:x:x:x/128`. Within one translator only the IPv4 bits vary,
 *   so each IPv4 client still has exactly one key, whatever the prefix
 *   length; it is just not the same key as over native IPv4.
 *
 * Parsing accepts what a socket or a proxy header writes, and nothing that
 * needs guessing:
 * - an address, or an address with a port: `1.2.3.4:5001`,
 *   `[2001:db8::5]:5001`, `[2001:db8::5]` (RFC 3986 §3.2.2–3.2.3). The port
 *   never reaches the key. A port must be 1 to 5 digits and at most 65535;
 *   `1.2.3.4:`, `1.2.3.4:abc`, `1.2.3.4:99999` are not an address and port,
 *   so they go to the shared bucket. Brackets hold IPv6 only (RFC 3986
 *   §3.2.2), so `[1.2.3.4]` does too. An IPv6 address without brackets has
 *   no port: `2001:db8::5:5001` is read as the address it spells (in the same
 *   /64 as `2001:db8::5`, so the same key).
 * - an IPv6 zone id, `fe80::1%eth0`, `[fe80::1%25eth0]:5001` (RFC 4007 §11,
 *   RFC 6874 §2: 1*(unreserved / pct-encoded)), dropped from the key; IPv4
 *   takes no zone.
 * - IPv4 in strict dotted-quad form only (RFC 3986 §3.2.2 dec-octet): four
 *   decimal parts, 0 to 255, no leading zeros. `01.2.3.4` is octal to
 *   inet_aton and decimal to others (RFC 6943 §3.1.1), and `node:net` rejects
 *   it: any reading could merge or split clients, so it is unparsed, as are
 *   `1.2.3`, `0x7f.0.0.1` and `2130706433`. The same rule holds for an IPv4
 *   tail in IPv6 text.
 * - IPv6 text per RFC 4291 §2.2 (hex in either case, 1 to 4 digits a group,
 *   one `::`, an IPv4 tail in the last 32 bits). No surrounding whitespace.
 *
 * Cost: input longer than {@link MAX_CLIENT_ADDRESS_LENGTH} is rejected by its
 * length before it is read; the rest is one left-to-right scan with
 * `charCodeAt` into a fixed 8-group buffer (no regular expressions, no
 * splitting, no intermediate strings), then the key string itself.
 */

/** The one bucket shared by every address that does not parse. */
export const UNPARSED_CLIENT = 'unparsed';

/**
 * The longest input read as an address. The longest well-formed one,
 * `[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%zone]:65535`, is 54
 * characters before the zone; the rest leaves room for an interface name.
 */
export const MAX_CLIENT_ADDRESS_LENGTH = 100;

/** The longest key clientKey returns (`6:` + eight 4-digit groups + `/128`). */
export const MAX_CLIENT_KEY_LENGTH = 45;

/**
 * The rate-limit key of the client at `ip` (`req.ip`): `4:a.b.c.d` for an
 * IPv4 client (also when it reaches us embedded in IPv6), `6:x:x:x:x::/64`
 * for an IPv6 one, {@link UNPARSED_CLIENT} for anything that is not an
 * address. Never throws.
 */
export function clientKey(ip: string | undefined): string {
  if (typeof ip !== 'string') return UNPARSED_CLIENT;
  const length = ip.length;
  if (length === 0 || length > MAX_CLIENT_ADDRESS_LENGTH) return UNPARSED_CLIENT;

  if (ip.charCodeAt(0) === LEFT_BRACKET) {
    // [IPv6] or [IPv6]:port
    const close = ip.indexOf(']');
    if (close < 0) return UNPARSED_CLIENT;
    if (close + 1 < length && (ip.charCodeAt(close + 1) !== COLON || !isPort(ip, close + 2, length))) return UNPARSED_CLIENT;
    return ipv6Key(ip, 1, close);
  }

  const colon = ip.indexOf(':');
  // a.b.c.d
  if (colon < 0) return isIPv4(ip, 0, length) ? `4:${ip}` : UNPARSED_CLIENT;
  // a.b.c.d:port (one colon: no IPv6 text has fewer than two)
  if (ip.indexOf(':', colon + 1) < 0) {
    return isIPv4(ip, 0, colon) && isPort(ip, colon + 1, length) ? `4:${ip.slice(0, colon)}` : UNPARSED_CLIENT;
  }
  // IPv6, no port
  return ipv6Key(ip, 0, length);
}

const COLON = 0x3a;
const DOT = 0x2e;
const PERCENT = 0x25;
const LEFT_BRACKET = 0x5b;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** The eight 16-bit groups of the IPv6 address being keyed; clientKey is synchronous, so one buffer serves every call. */
const groups = new Uint16Array(8);

/** Key of the IPv6 text (with an optional zone id) in `s[start, end)`. */
function ipv6Key(s: string, start: number, end: number): string {
  const percent = s.indexOf('%', start);
  if (percent >= 0 && percent < end) {
    if (!isZoneId(s, percent + 1, end)) return UNPARSED_CLIENT;
    end = percent;
  }
  if (!parseIPv6(s, start, end)) return UNPARSED_CLIENT;

  const g0 = groups[0]!, g1 = groups[1]!, g2 = groups[2]!, g3 = groups[3]!;
  const g4 = groups[4]!, g5 = groups[5]!, g6 = groups[6]!, g7 = groups[7]!;
  if ((g0 | g1 | g2 | g3) === 0) {
    // ::ffff:0:0/96 IPv4-mapped; ::ffff:0:0:0/96 IPv4-translated; ::/96 IPv4-compatible, but not :: or ::1.
    if ((g4 === 0 && g5 === 0xffff) || (g4 === 0xffff && g5 === 0) || ((g4 | g5) === 0 && (g6 !== 0 || g7 > 1))) return ipv4Key(g6, g7);
  } else if (g0 === 0x64 && g1 === 0xff9b) {
    // 64:ff9b::/96, the Well-Known Prefix.
    if ((g2 | g3 | g4 | g5) === 0) return ipv4Key(g6, g7);
    // 64:ff9b:1::/48, local use: the IPv4 address is the last 32 bits only in 64:ff9b:1::/96.
    if (g2 === 1) {
      if ((g3 | g4 | g5) === 0) return ipv4Key(g6, g7);
      return `6:${hex(g0)}:${hex(g1)}:${hex(g2)}:${hex(g3)}:${hex(g4)}:${hex(g5)}:${hex(g6)}:${hex(g7)}/128`;
    }
  }
  return `6:${hex(g0)}:${hex(g1)}:${hex(g2)}:${hex(g3)}::/64`;
}

function hex(group: number): string {
  return group.toString(16);
}

/** The key of the IPv4 address whose two 16-bit halves are `high` and `low`. */
function ipv4Key(high: number, low: number): string {
  return `4:${high >>> 8}.${high & 0xff}.${low >>> 8}.${low & 0xff}`;
}

/**
 * Parses the IPv6 text in `s[start, end)` (RFC 4291 §2.2) into `groups`.
 * One pass; every loop step consumes a character, so it is linear in the
 * (already bounded) length.
 */
function parseIPv6(s: string, start: number, end: number): boolean {
  let count = 0; // groups written
  let gap = -1; // where `::` stands, in groups
  let i = start;
  if (i < end && s.charCodeAt(i) === COLON) {
    // Only `::` may open an address.
    if (i + 1 >= end || s.charCodeAt(i + 1) !== COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const groupStart = i;
    let value = 0;
    while (i < end && i - groupStart < 5) {
      const digit = hexDigit(s.charCodeAt(i));
      if (digit < 0) break;
      value = (value << 4) | digit;
      i++;
    }
    if (i < end && s.charCodeAt(i) === DOT) {
      // a dotted IPv4 tail: the last 32 bits, and the end of the text
      if (count > (gap < 0 ? 6 : 5) || !isIPv4(s, groupStart, end)) return false;
      const ipv4 = ipv4Value(s, groupStart, end);
      groups[count++] = ipv4 >>> 16;
      groups[count++] = ipv4 & 0xffff;
      i = end;
      break;
    }
    const digits = i - groupStart;
    if (digits === 0 || digits > 4) return false;
    groups[count++] = value;
    if (i === end) break;
    if (s.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && s.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0) return count === 8;
  // `::` stands for one or more zero groups (RFC 4291 §2.2, 2.).
  if (count > 7) return false;
  const shift = 8 - count;
  for (let k = count - 1; k >= gap; k--) groups[k + shift] = groups[k]!;
  for (let k = gap; k < gap + shift; k++) groups[k] = 0;
  return true;
}

function hexDigit(c: number): number {
  if (c >= DIGIT_0 && c <= DIGIT_9) return c - DIGIT_0;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Whether `s[start, end)` is a dotted quad of dec-octets (RFC 3986 §3.2.2): 0–255, no leading zeros. */
function isIPv4(s: string, start: number, end: number): boolean {
  let parts = 0;
  let i = start;
  while (parts < 4) {
    const partStart = i;
    let value = 0;
    while (i < end && i - partStart < 4) {
      const c = s.charCodeAt(i);
      if (c < DIGIT_0 || c > DIGIT_9) break;
      value = value * 10 + (c - DIGIT_0);
      i++;
    }
    const digits = i - partStart;
    if (digits === 0 || digits > 3 || value > 255 || (digits > 1 && s.charCodeAt(partStart) === DIGIT_0)) return false;
    parts++;
    if (parts < 4) {
      if (i >= end || s.charCodeAt(i) !== DOT) return false;
      i++;
    }
  }
  return i === end;
}

/** The 32-bit value of a dotted quad already checked by isIPv4. */
function ipv4Value(s: string, start: number, end: number): number {
  let result = 0;
  let part = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === DOT) {
      result = (result << 8) | part;
      part = 0;
    } else {
      part = part * 10 + (c - DIGIT_0);
    }
  }
  return ((result << 8) | part) >>> 0;
}

/** Whether `s[start, end)` is a TCP/UDP port: 1 to 5 digits, at most 65535 (RFC 3986 §3.2.3 allows any digits; 65535 is the largest port). */
function isPort(s: string, start: number, end: number): boolean {
  const digits = end - start;
  if (digits < 1 || digits > 5) return false;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return false;
    value = value * 10 + (c - DIGIT_0);
  }
  return value <= 0xffff;
}

/** Whether `s[start, end)` is a zone id: 1*( unreserved / pct-encoded ) (RFC 6874 §2; `%25` as the separator then reads as part of it). */
function isZoneId(s: string, start: number, end: number): boolean {
  if (start >= end) return false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === PERCENT) {
      if (i + 2 >= end || hexDigit(s.charCodeAt(i + 1)) < 0 || hexDigit(s.charCodeAt(i + 2)) < 0) return false;
      i += 2;
    } else if (!isUnreserved(c)) {
      return false;
    }
  }
  return true;
}

/** RFC 3986 §2.3: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved(c: number): boolean {
  const lower = c | 0x20;
  return (lower >= 0x61 && lower <= 0x7a) || (c >= DIGIT_0 && c <= DIGIT_9) || c === 0x2d || c === DOT || c === 0x5f || c === 0x7e;
}
