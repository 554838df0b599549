import { testClock } from '../../helpers';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadKeysConfig, type ServerConfig } from '../../../examples/server/config';
import { KeyDirectory, KeyDirectoryError } from '../../../examples/server/key-directory';
import { CliError, runKeysCli, type KeysCliSettings } from '../../../examples/server/keys-cli';
import { resolveSigningKeys } from '../../../examples/server/signing-keys';
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
    expect(again.message).toMatch(/already has keys: use `keys rotate`/);
    fs.rmSync(keysDir, { recursive: true });
    run(['generate']);
    expect(manifest().keys[0].alg).toBe('ES256');
  });

  it('rotates: the new key signs, the old one verifies its tokens until ttl + 30 s, then is deleted', () => {
    run(['generate', '--alg', 'ES256']);
    const oldKid = manifest().active;
    const oldToken = tokensOf(new KeyDirectory(keysDir, clock.now)).issue('u', []).token;

    run(['rotate']);
    const { active: newKid, keys } = manifest();
    expect(newKid).not.toBe(oldKid);
    expect(keys.find((k: { kid: string }) => k.kid === oldKid).dropAt).toBe(new Date(clock.now() + (TTL + 30) * 1000).toISOString());
    expect(out.at(-1)).toBe(`rotated: ES256 key ${newKid} signs after a restart; ${oldKid} verifies until 2026-01-01T12:15:30.000Z`);

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
