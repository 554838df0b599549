import fc from 'fast-check';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { MAX_CLIENT_ADDRESS_LENGTH, MAX_CLIENT_KEY_LENGTH, UNPARSED_CLIENT, clientKey } from '../../lib/login/client-key';
import { FUZZ_RUNS } from '../fuzz/arbitraries';

// fc.assert reports the seed and path of a failing run in its error message; pass them back as { seed, path } to replay it.

describe('clientKey: ports, brackets and zone ids', () => {
  it('keys an IPv4 address with a port on the address alone', () => {
    expect(clientKey('1.2.3.4:5001')).toBe('4:1.2.3.4');
    expect(clientKey('1.2.3.4:5002')).toBe(clientKey('1.2.3.4'));
    expect(clientKey('1.2.3.4:0')).toBe('4:1.2.3.4');
    expect(clientKey('1.2.3.4:65535')).toBe('4:1.2.3.4');
    expect(clientKey('1.2.3.4:05001')).toBe('4:1.2.3.4');
  });

  it('keys a bracketed IPv6 address, with or without a port, on the address alone', () => {
    const key = clientKey('2001:db8::5');
    expect(key).toBe('6:2001:db8:0:0::/64');
    for (const ip of ['[2001:db8::5]:5001', '[2001:db8::5]:5002', '[2001:db8::5]', '[2001:db8::5]:65535']) expect(clientKey(ip)).toBe(key);
    expect(clientKey('[::ffff:1.2.3.4]:443')).toBe('4:1.2.3.4');
  });

  it('strips an IPv6 zone id, bare, bracketed or percent-encoded', () => {
    const key = clientKey('fe80::1');
    expect(key).toBe('6:fe80:0:0:0::/64');
    for (const ip of ['fe80::1%eth0', 'fe80::1%2', 'fe80::1%en0.100', '[fe80::1%eth0]', '[fe80::1%eth0]:5001', '[fe80::1%25eth0]:5001', 'fe80::1%25en%301']) {
      expect(clientKey(ip)).toBe(key);
    }
  });

  it('puts a port beyond 65535, an empty port or a non-numeric one into the shared bucket', () => {
    for (const ip of ['1.2.3.4:65536', '1.2.3.4:99999', '1.2.3.4:123456', '1.2.3.4:abc', '1.2.3.4:', '1.2.3.4:-1', '1.2.3.4:+80', '1.2.3.4: 80']) {
      expect(clientKey(ip)).toBe(UNPARSED_CLIENT);
    }
    for (const ip of ['[2001:db8::5]:65536', '[2001:db8::5]:abc', '[2001:db8::5]:', '[2001:db8::5]x', '[2001:db8::5]:80:80', '[2001:db8::5]]']) {
      expect(clientKey(ip)).toBe(UNPARSED_CLIENT);
    }
  });

  it('puts a malformed zone id, or a zone id on IPv4, into the shared bucket', () => {
    for (const ip of ['fe80::1%', '[fe80::1%]', 'fe80::1%eth 0', 'fe80::1%eth0/1', 'fe80::1%2x%', 'fe80::1%%', '1.2.3.4%eth0', '[fe80::1%eth0']) {
      expect(clientKey(ip)).toBe(UNPARSED_CLIENT);
    }
  });

  it('reads an unbracketed IPv6 address with something like a port as the address it spells, in the same /64', () => {
    // Without brackets a trailing :5001 is a group, not a port (RFC 3986 §3.2.2).
    expect(clientKey('2001:db8::5:5001')).toBe(clientKey('2001:db8::5'));
    expect(clientKey('2001:db8:0:0:0:0:5:5001')).toBe(clientKey('2001:db8::5'));
  });
});

describe('clientKey: what does not parse', () => {
  it('puts anything that is not an address into one shared bucket, never its raw string', () => {
    const garbage = [
      undefined,
      '',
      'unknown',
      '_hidden',
      'garbage',
      'localhost',
      'example.com',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '1.2.3.4\n',
      '1.2.3',
      '1.2.3.4.5',
      '1.2.3.',
      '.1.2.3',
      '256.1.1.1',
      '1.2.3.-4',
      '0x7f.0.0.1',
      '2130706433',
      '1..2.3',
      '[1.2.3.4]',
      '[1.2.3.4]:80',
      '[::1',
      '::1]',
      '[]',
      '[]:80',
      ':',
      '::::',
      ':::',
      ':1::',
      '1::2:',
      '1:::2',
      '1::2::3',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '::1:2:3:4:5:6:7:8',
      '12345::',
      'g::1',
      '::ffff:1.2.3',
      '::ffff:1.2.3.4.5',
      '::ffff:1.2.3.256',
      '1.2.3.4::',
      '::1.2.3.4:5',
      '1:2:3:4:5:6:7:1.2.3.4',
      '1::2:3:4:5:6:7:1.2.3.4',
      '\u0661.\u0662.\u0663.\u0664',
      '１.２.３.４',
    ];
    for (const ip of garbage) expect([ip, clientKey(ip)]).toEqual([ip, UNPARSED_CLIENT]);
  });

  it('never throws, even for values that are not strings', () => {
    for (const value of [null, 42, {}, [], Symbol('x'), () => '1.2.3.4', new String('1.2.3.4')]) {
      expect(clientKey(value as unknown as string)).toBe(UNPARSED_CLIENT);
    }
  });

  it('treats IPv4 with leading zeros as unparseable, as node:net does (octal to inet_aton, decimal to others)', () => {
    for (const ip of ['01.2.3.4', '1.2.3.04', '1.2.3.010', '00.0.0.0', '001.2.3.4', '::ffff:01.2.3.4', '64:ff9b::1.2.3.010', '01.2.3.4:80']) {
      expect(clientKey(ip)).toBe(UNPARSED_CLIENT);
    }
    expect(isIP('01.2.3.4')).toBe(0);
    expect(clientKey('0.0.0.0')).toBe('4:0.0.0.0');
    expect(clientKey('10.0.100.1')).toBe('4:10.0.100.1');
  });

  it(`reads input up to ${MAX_CLIENT_ADDRESS_LENGTH} characters and puts anything longer into the shared bucket unread`, () => {
    const zone = 'z'.repeat(MAX_CLIENT_ADDRESS_LENGTH - '[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%]:65535'.length);
    const longest = `[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%${zone}]:65535`;
    expect(longest).toHaveLength(MAX_CLIENT_ADDRESS_LENGTH);
    expect(clientKey(longest)).toBe('6:ffff:ffff:ffff:ffff::/64');
    expect(clientKey(`[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255%${zone}z]:65535`)).toBe(UNPARSED_CLIENT);
    expect(clientKey(`1.2.3.4${' '.repeat(MAX_CLIENT_ADDRESS_LENGTH)}`)).toBe(UNPARSED_CLIENT);
    expect(clientKey('1'.repeat(50_000_000))).toBe(UNPARSED_CLIENT);
  });

  it('keeps the shared bucket apart from every address key', () => {
    expect(UNPARSED_CLIENT).not.toMatch(/^[46]:/);
  });
});

describe('clientKey: IPv4 and IPv6 addresses', () => {
  it('keys an IPv4 address on itself, in the IPv4 family', () => {
    expect(clientKey('1.2.3.4')).toBe('4:1.2.3.4');
    expect(clientKey('255.255.255.255')).toBe('4:255.255.255.255');
    expect(clientKey('1.2.3.5')).not.toBe(clientKey('1.2.3.4'));
  });

  it('keys IPv6 addresses in the same /64 with different hosts alike', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1')).toBe('6:2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:ffff:1:2:3')).toBe('6:2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2::')).toBe('6:2001:db8:1:2::/64');
  });

  it('keys different /64s apart, whichever of the four prefix groups differs', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:3::1', '2001:db8:2:2::1', '2001:db9:1:2::1', '2002:db8:1:2::1'].map(clientKey);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keys every spelling of one /64 alike: case, leading zeros, compression', () => {
    const key = '6:2001:db8:0:0::/64';
    for (const ip of ['2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0:1::1', '2001:db8::1:0:0:1', '2001:Db8:0::', '[2001:0DB8::1]:80']) {
      expect(clientKey(ip)).toBe(key);
    }
  });

  it('keeps IPv4 keys and IPv6 keys in separate families', () => {
    // 102:304::/64 holds the bits of 1.2.3.4 at its front.
    expect(clientKey('102:304::1')).toBe('6:102:304:0:0::/64');
    expect(clientKey('1.2.3.4')).toBe('4:1.2.3.4');
    expect(clientKey('1.2.3.4')).not.toBe(clientKey('102:304::1'));
  });
});

describe('clientKey: IPv4 addresses inside IPv6', () => {
  const v4 = '4:1.2.3.4';

  it('keys IPv4-mapped addresses, in any spelling, on the embedded IPv4 address', () => {
    for (const ip of ['::ffff:1.2.3.4', '::FFFF:1.2.3.4', '0:0:0:0:0:ffff:1.2.3.4', '0000:0000:0000:0000:0000:ffff:0102:0304', '::ffff:102:304', '0::ffff:0102:304', '[::ffff:1.2.3.4]']) {
      expect(clientKey(ip)).toBe(v4);
    }
  });

  it('keys IPv4-compatible addresses on the embedded IPv4 address', () => {
    expect(clientKey('::1.2.3.4')).toBe(v4);
    expect(clientKey('::102:304')).toBe(v4);
    expect(clientKey('0:0:0:0:0:0:1.2.3.4')).toBe(v4);
    expect(clientKey('::2')).toBe('4:0.0.0.2');
  });

  it('keeps :: and ::1 on their own /64 key, not as IPv4-compatible 0.0.0.0 and 0.0.0.1', () => {
    for (const ip of ['::', '::1', '0:0:0:0:0:0:0:1', '::0.0.0.1', '::0.0.0.0', '[::1]:8080']) expect(clientKey(ip)).toBe('6:0:0:0:0::/64');
    expect(clientKey('::1')).not.toBe(clientKey('0.0.0.1'));
    expect(clientKey('::')).not.toBe(clientKey('0.0.0.0'));
  });

  it('keys IPv4-translated addresses (RFC 2765) on the embedded IPv4 address', () => {
    expect(clientKey('::ffff:0:1.2.3.4')).toBe(v4);
    expect(clientKey('0:0:0:0:ffff:0:102:304')).toBe(v4);
  });

  it('keys NAT64 Well-Known-Prefix addresses (RFC 6052) on the embedded IPv4 address', () => {
    expect(clientKey('64:ff9b::1.2.3.4')).toBe(v4);
    expect(clientKey('64:FF9B:0:0:0:0:102:304')).toBe(v4);
    expect(clientKey('64:ff9b::198.51.100.1')).toBe('4:198.51.100.1');
    expect(clientKey('64:ff9b::c633:6401')).toBe('4:198.51.100.1');
    expect(clientKey('64:ff9b::5.6.7.8')).toBe('4:5.6.7.8');
  });

  it('keys local-use NAT64 addresses in 64:ff9b:1::/96 (RFC 8215) on the embedded IPv4 address', () => {
    expect(clientKey('64:ff9b:1::1.2.3.4')).toBe(v4);
    expect(clientKey('64:ff9b:1:0:0:0:102:304')).toBe(v4);
    expect(clientKey('64:ff9b:1::5.6.7.8')).toBe('4:5.6.7.8');
  });

  it('keys other local-use NAT64 addresses on the whole address, so no two translated IPv4 clients share a key', () => {
    // RFC 6052 §2.2, /64 prefix 64:ff9b:1:abcd::/64: u octet, then the IPv4 address, then a zero suffix.
    expect(clientKey('64:ff9b:1:abcd:c0:2:2100:0')).toBe('6:64:ff9b:1:abcd:c0:2:2100:0/128'); // 192.0.2.33
    expect(clientKey('64:ff9b:1:abcd:c0:2:2200:0')).not.toBe(clientKey('64:ff9b:1:abcd:c0:2:2100:0')); // 192.0.2.34
    // /48 prefix 64:ff9b:1::/48: the IPv4 address around the u octet, nothing in the last 32 bits.
    expect(clientKey('64:ff9b:1:c000:2:2100::')).not.toBe(clientKey('64:ff9b:1:c000:2:2200::'));
    // A /96 prefix elsewhere in the /48.
    expect(clientKey('64:ff9b:1:abcd::1.2.3.4')).toBe('6:64:ff9b:1:abcd:0:0:102:304/128');
    expect(clientKey('64:ff9b:1:abcd::1.2.3.4')).not.toBe(clientKey('64:ff9b:1:abcd::5.6.7.8'));
  });

  it('keys addresses in 64:ff9b::/64 outside the Well-Known /96 on their /64', () => {
    expect(clientKey('64:ff9b::1:0:0')).toBe('6:64:ff9b:0:0::/64');
    expect(clientKey('64:ff9b::1:1.2.3.4')).toBe('6:64:ff9b:0:0::/64');
  });

  it('keys one IPv4 client alike whether it arrives as IPv4 or embedded in IPv6', () => {
    const ways = ['1.2.3.4', '1.2.3.4:5001', '::ffff:1.2.3.4', '::ffff:102:304', '64:ff9b::1.2.3.4', '64:ff9b:1::102:304', '::1.2.3.4', '::ffff:0:1.2.3.4', '[::ffff:1.2.3.4]:5001'];
    expect(new Set(ways.map(clientKey))).toEqual(new Set([v4]));
  });

  it('keys different embedded IPv4 addresses apart (the buckets the old key merged)', () => {
    const pairs = [
      ['64:ff9b::198.51.100.1', '64:ff9b::5.6.7.8'],
      ['::ffff:1.2.3.4', '::ffff:5.6.7.8'],
      ['::ffff:1.2.3.4', '::1'],
      ['::1.2.3.4', '::1'],
      ['::ffff:102:304', '::1'],
      ['0:0:0:0:0:ffff:102:304', '0:0:0:0:0:ffff:506:708'],
      ['64:ff9b:1::1.2.3.4', '64:ff9b:1::5.6.7.8'],
      ['::ffff:0:1.2.3.4', '::ffff:0:5.6.7.8'],
    ];
    for (const [a, b] of pairs) expect([a, b, clientKey(a)]).not.toEqual([a, b, clientKey(b)]);
  });
});

// --- properties ---------------------------------------------------------------

/** How one address is written: which zero run `::` replaces, leading zeros and case per group, a dotted IPv4 tail. */
interface Spelling {
  dotted: boolean;
  compress: boolean;
  run: number;
  pads: number[];
  upper: boolean[];
}

const spelling: fc.Arbitrary<Spelling> = fc.record({
  dotted: fc.boolean(),
  compress: fc.boolean(),
  run: fc.nat(),
  pads: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
  upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
});

/** One valid RFC 4291 §2.2 text form of the address whose eight groups are `g`. */
function spell(g: readonly number[], s: Spelling): string {
  const hexGroups = s.dotted ? 6 : 8;
  const parts: string[] = [];
  for (let k = 0; k < hexGroups; k++) {
    let text = g[k]!.toString(16);
    text = '0'.repeat(Math.min(s.pads[k]!, 4 - text.length)) + text;
    parts.push(s.upper[k] ? text.toUpperCase() : text);
  }
  const tail = s.dotted ? [`${g[6]! >> 8}.${g[6]! & 255}.${g[7]! >> 8}.${g[7]! & 255}`] : [];
  const runs: Array<[number, number]> = [];
  for (let a = 0; a < hexGroups; a++) for (let b = a + 1; b <= hexGroups && g[b - 1] === 0; b++) runs.push([a, b]);
  if (!s.compress || runs.length === 0) return [...parts, ...tail].join(':');
  const [a, b] = runs[s.run % runs.length]!;
  return `${parts.slice(0, a).join(':')}::${[...parts.slice(b), ...tail].join(':')}`;
}

/** Ways the same IPv6 address reaches clientKey: bare, bracketed, with a port, with a zone id. */
const wrapper = fc.constantFrom(
  (a: string) => a,
  (a: string) => `[${a}]`,
  (a: string) => `[${a}]:5001`,
  (a: string) => `${a}%eth0`,
  (a: string) => `[${a}%25eth0]:65535`,
);

const group = fc.integer({ min: 0, max: 0xffff });
/** A group often zero, so that `::` has runs to replace. */
const sparseGroup = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: group });
const octet = fc.integer({ min: 0, max: 255 });

/** Valid addresses with one character inserted, deleted or replaced: near misses for the parser. */
const nearMiss = fc
  .tuple(fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'0123456789abcdefABCDEF:.%[]xg -/'))
  .map(([ip, at, how, c]) => {
    const i = at % (ip.length + 1);
    if (how === 'insert') return ip.slice(0, i) + c + ip.slice(i);
    if (how === 'delete') return ip.slice(0, i) + ip.slice(i + 1);
    return ip.slice(0, i) + c + ip.slice(i + 1);
  });

const addressish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%[]'), maxLength: 60 });

describe('clientKey properties (fast-check)', () => {
  it('never throws and returns the shared bucket or a family-prefixed key of bounded length, for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 3 * MAX_CLIENT_ADDRESS_LENGTH }),
          addressish,
          nearMiss,
          fc.ipV6(),
          fc.anything() as fc.Arbitrary<unknown> as fc.Arbitrary<string>,
        ),
        (input) => {
          const key = clientKey(input);
          expect(typeof key).toBe('string');
          expect(key.length).toBeLessThanOrEqual(MAX_CLIENT_KEY_LENGTH);
          if (key !== UNPARSED_CLIENT) expect(key).toMatch(/^(4:\d{1,3}(\.\d{1,3}){3}|6:([0-9a-f]{1,4}:){4}:\/64|6:([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\/128)$/);
        },
      ),
      { numRuns: FUZZ_RUNS * 10 },
    );
  });

  it('keys every IPv6 embedding of a random IPv4 address, in any spelling and wrapping, on that IPv4 key', () => {
    const prefixes = [
      [0, 0, 0, 0, 0, 0xffff], // IPv4-mapped
      [0, 0, 0, 0, 0xffff, 0], // IPv4-translated
      [0, 0, 0, 0, 0, 0], // IPv4-compatible
      [0x64, 0xff9b, 0, 0, 0, 0], // NAT64 WKP
      [0x64, 0xff9b, 1, 0, 0, 0], // NAT64 local use, /96
    ];
    fc.assert(
      fc.property(fc.tuple(octet, octet, octet, octet), fc.constantFrom(...prefixes), spelling, wrapper, ([a, b, c, d], prefix, s, wrap) => {
        fc.pre(!(prefix.every((g) => g === 0) && a === 0 && b === 0 && c === 0 && d <= 1)); // :: and ::1
        const ipv4 = `${a}.${b}.${c}.${d}`;
        const ip = wrap(spell([...prefix, (a << 8) | b, (c << 8) | d], s));
        expect([ip, clientKey(ip)]).toEqual([ip, `4:${ipv4}`]);
        expect(clientKey(ipv4)).toBe(`4:${ipv4}`);
      }),
      { numRuns: FUZZ_RUNS * 3 },
    );
  });

  it('keys every spelling of a global IPv6 address on its /64, whatever the host bits', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x2000, max: 0x3fff }),
        fc.array(sparseGroup, { minLength: 7, maxLength: 7 }),
        fc.array(sparseGroup, { minLength: 4, maxLength: 4 }),
        spelling,
        wrapper,
        (first, rest, otherHost, s, wrap) => {
          const g = [first, ...rest];
          const expected = `6:${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
          const ip = wrap(spell(g, s));
          expect([ip, clientKey(ip)]).toEqual([ip, expected]);
          expect(clientKey(spell([...g.slice(0, 4), ...otherHost], s))).toBe(expected);
        },
      ),
      { numRuns: FUZZ_RUNS * 3 },
    );
  });

  it('keys an address with any port from 0 to 65535 on the address alone, and with any other port on the shared bucket', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6().map((ip) => `[${ip}]`)), fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0x10000, max: 9_999_999 })), (ip, port) => {
        const withPort = `${ip}:${port}`;
        expect([withPort, clientKey(withPort)]).toEqual([withPort, port <= 0xffff ? clientKey(ip) : UNPARSED_CLIENT]);
        expect(clientKey(ip)).not.toBe(UNPARSED_CLIENT);
      }),
      { numRuns: FUZZ_RUNS * 3 },
    );
  });

  it('keys two different /64s or two different IPv4 addresses apart', () => {
    fc.assert(
      fc.property(fc.array(group, { minLength: 4, maxLength: 4 }), fc.array(group, { minLength: 4, maxLength: 4 }), fc.ipV4(), fc.ipV4(), (p, q, v, w) => {
        const a = `${[0x2001, ...p.slice(1)].map((x) => x.toString(16)).join(':')}::1`;
        const b = `${[0x2001, ...q.slice(1)].map((x) => x.toString(16)).join(':')}::1`;
        expect(clientKey(a) === clientKey(b)).toBe(p.slice(1).join() === q.slice(1).join());
        expect(clientKey(v) === clientKey(w)).toBe(v === w);
        expect(clientKey(v)).not.toBe(clientKey(a));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('keys an IPv4 address on itself only in canonical dotted-quad form, as node:net accepts it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended()), (ip) => {
        expect(clientKey(ip)).toBe(isIPv4(ip) ? `4:${ip}` : UNPARSED_CLIENT);
      }),
      { numRuns: FUZZ_RUNS * 3 },
    );
  });

  it('agrees with node:net on which bare strings are addresses, and with its BlockList on the /64 or embedded IPv4', () => {
    const embedded = new BlockList();
    for (const prefix of ['::ffff:0:0', '::ffff:0:0:0', '::', '64:ff9b::', '64:ff9b:1::']) embedded.addSubnet(prefix, 96, 'ipv6');
    fc.assert(
      fc.property(fc.oneof(fc.ipV6(), fc.ipV4(), nearMiss, addressish), (ip) => {
        const key = clientKey(ip);
        const family = isIP(ip);
        // Node's parser and this one accept the same bare addresses (ports, brackets and zones aside).
        if (!ip.includes('%') && !ip.includes('[') && ip.split(':').length !== 2) expect([ip, key !== UNPARSED_CLIENT]).toEqual([ip, family !== 0]);
        if (family !== 6) return;
        if (key.endsWith('::/64')) {
          const subnet = new BlockList();
          subnet.addSubnet(key.slice(2, -3), 64, 'ipv6');
          expect([ip, subnet.check(ip, 'ipv6')]).toEqual([ip, true]);
        } else if (key.startsWith('4:')) {
          expect([ip, embedded.check(ip, 'ipv6')]).toEqual([ip, true]);
          // The key's IPv4 address is the address's last 32 bits.
          const same = new BlockList();
          for (const prefix of ['::ffff:', '::ffff:0:', '::', '64:ff9b::', '64:ff9b:1::']) same.addAddress(`${prefix}${key.slice(2)}`, 'ipv6');
          expect([ip, same.check(ip, 'ipv6')]).toEqual([ip, true]);
        }
      }),
      { numRuns: FUZZ_RUNS * 10 },
    );
  });
});
