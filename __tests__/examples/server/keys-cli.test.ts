import { testClock } from '../../helpers';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadKeysConfig, type ServerConfig } from '../../../examples/server/config';
import { KeyDirectory, KeyDirectoryError } from '../../../examples/server/key-directory';
import { CliError, runKeysCli, type KeysCliSettings } from '../../../examples/server/keys-cli';
import { reloadSigningKeys, resolveSigningKeys } from '../../../examples/server/signing-keys';
import type { KeySet } from '../../../lib/jose/key-set';
import { generateKey } from '../../../lib/jose/keys';
import { AccessTokens } from '../../../lib/tokens/access-tokens';


const TTL = 900;

describe('keys CLI (runKeysCli) and the key directory', () => {
  let dir: string;
  let keysDir: string;
  let clock: ReturnType<typeof testClock>;
  let out: string[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-cli-'));
    keysDir = path.join(dir, 'keys');
    clock = testClock();
    out = [];
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const settings = (over: Partial<KeysCliSettings> = {}): KeysCliSettings => ({ keysDir, algorithm: 'HS256', accessTokenTtl: TTL, now: clock.now, ...over });
  const run = (argv: string[], over?: Partial<KeysCliSettings>) => runKeysCli(argv, settings(over), (line) => void out.push(line));
  function cliError(argv: string[], over?: Partial<KeysCliSettings>): CliError {
    try {
      run(argv, over);
    } catch (err) {
      expect(err).toBeInstanceOf(CliError);
      return err as CliError;
    }
    throw new Error('expected a CliError');
  }
  const manifest = () => JSON.parse(fs.readFileSync(path.join(keysDir, 'keys.json'), 'utf8'));
  const tokensOf = (keyDir: KeyDirectory) =>
    new AccessTokens({ keys: keyDir.keySet(), issuer: 'i', audience: 'a', clientId: 'c', ttl: TTL, clockTolerance: 30, now: clock.now });

  it('generates a first key: a 0600 PEM named by its kid in a 0700 folder, and a manifest naming it active', () => {
    run(['generate', '--alg', 'EdDSA']);
    const { active, keys } = manifest();
    expect(out).toEqual([`generated EdDSA key ${active} in ${keysDir}`]);
    expect(keys).toEqual([{ kid: active, alg: 'EdDSA', created: '2026-01-01T12:00:00.000Z' }]);
    const pem = path.join(keysDir, `${active}.pem`);
    expect(fs.statSync(pem).mode & 0o777).toBe(0o600);
    expect(fs.statSync(keysDir).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(pem, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('generates with JWT_ALGORITHM when it is asymmetric, else ES256, and refuses a second generate', () => {
    run(['generate'], { algorithm: 'PS256' });
    expect(manifest().keys[0].alg).toBe('PS256');
    const again = cliError(['generate']);
    expect(again.exitCode).toBe(1);
    expect(again.message).toMatch(/already has keys: use `keys stage` and `keys rotate`/);
    fs.rmSync(keysDir, { recursive: true });
    run(['generate']);
    expect(manifest().keys[0].alg).toBe('ES256');
  });

  it('rotates: the new key signs, the old one verifies its tokens until ttl + 30 s, then is deleted', () => {
    run(['generate', '--alg', 'ES256']);
    const oldKid = manifest().active;
    const oldToken = tokensOf(new KeyDirectory(keysDir, clock.now)).issue('u', []).token;

    out = [];
    run(['rotate']);
    const { active: newKid, keys } = manifest();
    expect(newKid).not.toBe(oldKid);
    expect(keys.find((k: { kid: string }) => k.kid === oldKid).dropAt).toBe(new Date(clock.now() + (TTL + 30) * 1000).toISOString());
    expect(out).toEqual([
      `rotated: ES256 key ${newKid} signs once the server reloads its keys (SIGHUP, or within a minute); ${oldKid} verifies until 2026-01-01T12:15:30.000Z`,
      'note: this key was not staged, so a verify-only service refuses its tokens until it refetches the JWKS; next time run `keys stage` first',
    ]);

    // A server started now signs with the new kid and still accepts the old token.
    const tokens = tokensOf(new KeyDirectory(keysDir, clock.now));
    expect(JSON.parse(Buffer.from(tokens.issue('u', []).token.split('.')[0], 'base64url').toString()).kid).toBe(newKid);
    expect(tokens.verify(oldToken).claims.sub).toBe('u');

    out = [];
    run(['list']);
    expect(out).toEqual([`${oldKid}\tES256\tverifies until 2026-01-01T12:15:30.000Z\t2026-01-01T12:00:00.000Z`, `${newKid}\tES256\tactive\t2026-01-01T12:00:00.000Z`]);

    clock.advance(TTL + 30);
    expect(() => tokensOf(new KeyDirectory(keysDir, clock.now)).verify(oldToken)).toThrow('The access token is invalid');
    out = [];
    run(['rotate', '--alg', 'RS256']);
    expect(out).toContain(`deleted ${oldKid}: every token it signed has expired`);
    expect(fs.existsSync(path.join(keysDir, `${oldKid}.pem`))).toBe(false);
    expect(manifest().keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256', 'RS256']);
  });

  /** The public JWKS a running server would serve from `keys`. */
  const published = (keys: KeySet) => keys.publicJwks().keys.map((k) => k.kid);
  const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
  const tokensWith = (keys: KeySet) => new AccessTokens({ keys, issuer: 'i', audience: 'a', clientId: 'c', ttl: TTL, clockTolerance: 30, now: clock.now });

  it('stages the next key: published and verifying in a running server after its reload, not signing; rotate then promotes it', () => {
    run(['generate', '--alg', 'ES256']);
    const first = manifest().active;
    const live = resolveSigningKeys({ production: false } as ServerConfig, { algorithm: 'ES256', keysDir }, () => undefined, clock.now)!;
    const firstToken = tokensWith(live).issue('u', []).token;

    out = [];
    run(['stage']);
    const { next } = manifest();
    expect(next).toEqual(expect.any(String));
    expect(out).toEqual([`staged: ES256 key ${next} is published in the JWKS and verifies; it signs after \`keys rotate\` (wait 11 min, so every verify-only service has fetched it)`]);
    expect(fs.statSync(path.join(keysDir, `${next}.pem`)).mode & 0o777).toBe(0o600);

    // The running server, reloaded (SIGHUP or its minute timer): the staged key is in its JWKS, the old one still signs.
    expect(reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toEqual([
      `keys reloaded: ES256 key ${next} is staged: published, verifies, signs after \`keys rotate\``,
    ]);
    expect(published(live)).toEqual([first, next]);
    expect(kidOf(tokensWith(live).issue('u', []).token)).toBe(first);
    out = [];
    run(['list']);
    expect(out).toEqual([`${first}\tES256\tactive\t2026-01-01T12:00:00.000Z`, `${next}\tES256\tstaged\t2026-01-01T12:00:00.000Z`]);

    clock.advance(660);
    out = [];
    run(['rotate']);
    expect(out).toEqual([`rotated: ES256 key ${next} signs once the server reloads its keys (SIGHUP, or within a minute); ${first} verifies until 2026-01-01T12:26:30.000Z`]);
    expect(manifest()).toEqual({ active: next, keys: [expect.objectContaining({ kid: first, dropAt: '2026-01-01T12:26:30.000Z' }), expect.objectContaining({ kid: next })] });

    expect(reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toEqual([`keys reloaded: ES256 key ${next} signs now`]);
    expect(kidOf(tokensWith(live).issue('u', []).token)).toBe(next);
    expect(tokensWith(live).verify(firstToken).claims.sub).toBe('u');
    expect(live.retiredUntil(first)).toBe(Date.parse('2026-01-01T12:26:30.000Z'));
    // Nothing changed since: a reload says nothing.
    expect(reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toEqual([]);
  });

  it('warns when a staged key is promoted before verify-only services can have fetched it', () => {
    run(['generate']);
    run(['stage']);
    clock.advance(60);
    out = [];
    run(['rotate']);
    expect(out[1]).toBe(`note: ${manifest().active} was staged only 60 s ago; a verify-only service that has not refetched the JWKS since refuses its tokens until it does`);
  });

  it('refuses a second stage and a rotate to another algorithm than the staged key, and unstage deletes the staged key', () => {
    run(['generate', '--alg', 'ES256']);
    run(['stage']);
    const { next } = manifest();
    expect(cliError(['stage']).message).toBe(`${next} is already staged: \`keys rotate\` makes it sign, \`keys unstage\` removes it`);
    expect(cliError(['rotate', '--alg', 'EdDSA']).message).toMatch(new RegExp(`^the staged key ${next} is ES256, not EdDSA`));
    out = [];
    run(['unstage']);
    expect(out).toEqual([`unstaged and deleted ${next}`]);
    expect(manifest().next).toBeUndefined();
    expect(fs.existsSync(path.join(keysDir, `${next}.pem`))).toBe(false);
    run(['rotate', '--alg', 'EdDSA']);
    expect(manifest().keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256', 'EdDSA']);
  });

  it('deletes a retired key, file and manifest entry, as soon as it has expired: at start and at each reload of a running server', () => {
    run(['generate']);
    const old = manifest().active;
    run(['rotate']);
    const live = resolveSigningKeys({ production: false } as ServerConfig, { algorithm: 'ES256', keysDir }, () => undefined, clock.now)!;
    expect(published(live)).toContain(old);

    clock.advance(TTL + 29);
    expect(reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toEqual([]);
    expect(fs.existsSync(path.join(keysDir, `${old}.pem`))).toBe(true);

    clock.advance(1); // dropAt: every token it signed has expired, clock tolerance included
    // (The running KeySet stopped using it at that moment on its own; the file goes now.)
    expect(reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toEqual([`deleted key ${old}: it has expired, and so has every token it signed`]);
    expect(fs.existsSync(path.join(keysDir, `${old}.pem`))).toBe(false);
    expect(manifest().keys.map((k: { kid: string }) => k.kid)).toEqual([manifest().active]);
    expect(published(live)).toEqual([manifest().active]);
  });

  it('deletes an expired key when the server starts, too', () => {
    run(['generate']);
    const old = manifest().active;
    run(['rotate']);
    clock.advance(TTL + 30);
    const said: string[] = [];
    resolveSigningKeys({ production: false } as ServerConfig, { algorithm: 'ES256', keysDir }, (line) => void said.push(line), clock.now);
    expect(said[0]).toBe(`deleted key ${old}: it has expired, and so has every token it signed`);
    expect(fs.readdirSync(keysDir).sort()).toEqual([`${manifest().active}.pem`, 'keys.json'].sort());
  });

  it('leaves the keys in use as they are when a reload finds a key of another algorithm active', () => {
    run(['generate', '--alg', 'ES256']);
    const live = resolveSigningKeys({ production: false } as ServerConfig, { algorithm: 'ES256', keysDir }, () => undefined, clock.now)!;
    const before = live.active.kid;
    run(['rotate', '--alg', 'EdDSA']);
    expect(() => reloadSigningKeys(live, { algorithm: 'ES256', keysDir }, clock.now)).toThrow(/is EdDSA but JWT_ALGORITHM is ES256: keys not reloaded/);
    expect(live.active.kid).toBe(before);
  });

  it('refuses to change the keys while another running process holds keys.lock, and takes over a lock a dead process left', () => {
    run(['generate']);
    const lock = path.join(keysDir, 'keys.lock');
    fs.writeFileSync(lock, String(process.ppid));
    expect(cliError(['stage']).message).toBe(`${keysDir} is being changed by process ${process.ppid} (${lock}); try again when it is done`);
    expect(manifest().next).toBeUndefined();

    fs.writeFileSync(lock, '2147483646'); // no such process
    run(['stage']);
    expect(manifest().next).toEqual(expect.any(String));
    expect(fs.existsSync(lock)).toBe(false);
  });

  it.each([
    [['rotate'], 1, /no keys in .*: run `npm run --silent keys -- generate`/],
    [['generate', '--alg', 'HS256'], 2, /--alg must be one of RS256, PS256, ES256, EdDSA/],
    [['generate', '--bits', '4096'], 2, /Unknown option '--bits'/],
    [['shred'], 2, /unknown command: shred/],
    [['list', 'extra'], 2, /unexpected argument: extra/],
  ])('answers %j with exit %i and one clear message', (argv, exitCode, message) => {
    const err = cliError(argv as string[]);
    expect(err.exitCode).toBe(exitCode);
    expect(err.message).toMatch(message);
  });

  it('refuses a key file that does not hold the key its kid names', () => {
    run(['generate']);
    const { active } = manifest();
    fs.writeFileSync(path.join(keysDir, `${active}.pem`), generateKey('ES256').key.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => new KeyDirectory(keysDir).keySet()).toThrow(KeyDirectoryError);
    expect(() => new KeyDirectory(keysDir).keySet()).toThrow(/does not hold the key with kid/);
  });

  it('refuses a manifest whose kid would walk out of the folder', () => {
    fs.mkdirSync(keysDir);
    fs.writeFileSync(path.join(keysDir, 'keys.json'), JSON.stringify({ active: '../x', keys: [{ kid: '../x', alg: 'ES256', created: 'now' }] }));
    expect(() => new KeyDirectory(keysDir).keySet()).toThrow(/is not a key manifest/);
  });

  describe('at server start (resolveSigningKeys)', () => {
    const config = (production = false) => ({ production }) as ServerConfig;
    const lines: string[] = [];
    const say = (line: string) => void lines.push(line);

    it('leaves HS256 to the secret', () => {
      expect(resolveSigningKeys(config(), { algorithm: 'HS256', keysDir }, say)).toBeUndefined();
      expect(fs.existsSync(keysDir)).toBe(false);
    });

    it('makes a development key on the first start and reuses it after', () => {
      const first = resolveSigningKeys(config(), { algorithm: 'EdDSA', keysDir }, say)!;
      expect(lines.at(-1)).toMatch(/^signing with EdDSA key/);
      expect(lines).toContainEqual(expect.stringMatching(/^no signing keys: created a development EdDSA key/));
      const second = resolveSigningKeys(config(), { algorithm: 'EdDSA', keysDir }, say)!;
      expect(second.active.kid).toBe(first.active.kid);
    });

    it('refuses to start in production without keys, naming the command to run', () => {
      expect(() => resolveSigningKeys(config(true), { algorithm: 'ES256', keysDir }, say)).toThrow(ConfigError);
      expect(() => resolveSigningKeys(config(true), { algorithm: 'ES256', keysDir }, say)).toThrow(/keys -- generate --alg ES256/);
      expect(fs.existsSync(keysDir)).toBe(false);
    });

    it('refuses keys of another algorithm than JWT_ALGORITHM', () => {
      run(['generate', '--alg', 'RS256']);
      expect(() => resolveSigningKeys(config(), { algorithm: 'ES256', keysDir }, say)).toThrow(/is RS256 but JWT_ALGORITHM is ES256/);
    });
  });

  describe('loadKeysConfig', () => {
    it('defaults to HS256 and <DATA_DIR>/keys', () => {
      expect(loadKeysConfig({})).toEqual({ algorithm: 'HS256', keysDir: path.join('data', 'keys') });
      expect(loadKeysConfig({ DATA_DIR: '/srv', JWT_ALGORITHM: 'ES256' })).toEqual({ algorithm: 'ES256', keysDir: path.join('/srv', 'keys') });
      expect(loadKeysConfig({ JWT_KEYS_DIR: '/etc/keys' }).keysDir).toBe('/etc/keys');
    });

    it('refuses an unknown JWT_ALGORITHM, naming it', () => {
      expect(() => loadKeysConfig({ JWT_ALGORITHM: 'none' })).toThrow(new ConfigError('JWT_ALGORITHM must be one of HS256, HS384, HS512, RS256, PS256, ES256, EdDSA, not "none"'));
    });
  });
});
