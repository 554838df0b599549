import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASYMMETRIC_ALGORITHMS, asymmetricKey, generateKey, jwkThumbprint, KeySet, type AsymmetricAlgorithm, type JwtKey } from 'express-jwt-auth';

/** One key of the manifest. */
export interface KeyEntry {
  kid: string;
  alg: AsymmetricAlgorithm;
  /** ISO time it was made. */
  created: string;
  /** ISO time after which it no longer verifies; set when it was rotated out. */
  dropAt?: string;
}

/** `keys.json`: which key signs, which is staged to sign next, and every key still on disk. */
export interface KeyManifest {
  active: string;
  /** A key published (verify only) ahead of the rotation that will make it sign; set by `keys stage`. */
  next?: string;
  keys: KeyEntry[];
}

/** A key directory that cannot be used as it is; the CLI and main print the message. */
export class KeyDirectoryError extends Error {}

const MANIFEST = 'keys.json';
/** Held (created with O_EXCL) while the manifest is read, changed and written back. */
const LOCK = 'keys.lock';
// kids come from our own manifest, but a file name is built from them: allow nothing that walks a path.
const SAFE_KID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The example's signing keys on disk: one PKCS#8 PEM per kid (`<kid>.pem`,
 * mode 0600, in a 0700 directory) and `keys.json`, which says which kid
 * signs and when each rotated-out kid stops verifying. The manifest is
 * replaced atomically (write, then rename).
 *
 * @example
 * const dir = new KeyDirectory('data/keys');
 * if (!dir.exists()) dir.generate('ES256');
 * const keys = dir.keySet();
 */
export class KeyDirectory {
  constructor(
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  exists(): boolean {
    try {
      readFileSync(join(this.dir, MANIFEST));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** The manifest, checked. */
  manifest(): KeyManifest {
    const file = join(this.dir, MANIFEST);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new KeyDirectoryError(`no keys in ${this.dir}: run \`npm run --silent keys -- generate\``);
      throw new KeyDirectoryError(`${file} is not readable JSON: ${(err as Error).message}`);
    }
    const { active, next, keys } = (parsed ?? {}) as Partial<KeyManifest>;
    const valid =
      typeof active === 'string' &&
      Array.isArray(keys) &&
      keys.every((k) => SAFE_KID.test(String(k?.kid)) && ASYMMETRIC_ALGORITHMS.includes(k.alg) && typeof k.created === 'string' && (k.dropAt === undefined || !Number.isNaN(Date.parse(k.dropAt)))) &&
      keys.some((k) => k.kid === active && k.dropAt === undefined) &&
      (next === undefined || (next !== active && keys.some((k) => k.kid === next && k.dropAt === undefined)));
    if (!valid) throw new KeyDirectoryError(`${file} is not a key manifest ({ "active": kid, "next"?: kid, "keys": [{ kid, alg, created, dropAt? }] })`);
    return next === undefined ? { active, keys } : { active, next, keys };
  }

  /** Makes the first key; refuses when the directory already has keys. */
  generate(alg: AsymmetricAlgorithm): JwtKey {
    if (this.exists()) throw new KeyDirectoryError(`${this.dir} already has keys: use \`keys stage\` and \`keys rotate\` for a new one`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const key = this.writeKey(alg);
    this.writeManifest({ active: key.kid!, keys: [{ kid: key.kid!, alg, created: new Date(this.now()).toISOString() }] });
    return key;
  }

  /**
   * Makes the next signing key and publishes it, verify only, ahead of the
   * rotation: verify-only services fetch it with the JWKS before any token
   * carries its kid. `rotate` then promotes it. Refuses when one is staged.
   */
  stage(alg: AsymmetricAlgorithm): { key: JwtKey; deleted: string[] } {
    return this.withLock(() => {
      const manifest = this.manifest();
      if (manifest.next !== undefined) throw new KeyDirectoryError(`${manifest.next} is already staged: \`keys rotate\` makes it sign, \`keys unstage\` removes it`);
      const key = this.writeKey(alg);
      const deleted = this.expired(manifest);
      const keys = manifest.keys.filter((k) => !deleted.includes(k.kid));
      keys.push({ kid: key.kid!, alg, created: new Date(this.now()).toISOString() });
      this.writeManifest({ active: manifest.active, next: key.kid!, keys });
      this.deleteFiles(deleted);
      return { key, deleted };
    });
  }

  /** Removes the staged key (its file too), which nothing has signed with. Resolves its kid, or undefined when none was staged. */
  unstage(): string | undefined {
    return this.withLock(() => {
      const manifest = this.manifest();
      const kid = manifest.next;
      if (kid === undefined) return undefined;
      this.writeManifest({ active: manifest.active, keys: manifest.keys.filter((k) => k.kid !== kid) });
      this.deleteFiles([kid]);
      return kid;
    });
  }

  /**
   * Makes a new key sign: the staged one when there is one (`alg`, if given,
   * must be its algorithm), else a new key of `alg`. The old one keeps
   * verifying for `keepOldFor` seconds (the longest token lifetime plus the
   * clock tolerance), then is dropped; keys whose time has passed are deleted now.
   */
  rotate(keepOldFor: number, alg?: AsymmetricAlgorithm): { key: JwtKey; retired: KeyEntry; deleted: string[]; staged: KeyEntry | undefined } {
    return this.withLock(() => {
      const manifest = this.manifest();
      const staged = manifest.keys.find((k) => k.kid === manifest.next);
      if (staged && alg !== undefined && alg !== staged.alg) {
        throw new KeyDirectoryError(`the staged key ${staged.kid} is ${staged.alg}, not ${alg}: rotate without --alg to promote it, or \`keys unstage\` first`);
      }
      if (!staged && alg === undefined) throw new KeyDirectoryError('rotate needs an algorithm when no key is staged');
      const key = staged ? this.readKey(staged) : this.writeKey(alg!);
      const now = this.now();
      const retired = { ...manifest.keys.find((k) => k.kid === manifest.active)!, dropAt: new Date(now + keepOldFor * 1000).toISOString() };
      const keys = manifest.keys.map((k) => (k.kid === retired.kid ? retired : k));
      const deleted = this.expired({ ...manifest, keys });
      if (!staged) keys.push({ kid: key.kid!, alg: alg!, created: new Date(now).toISOString() });
      this.writeManifest({ active: key.kid!, keys: keys.filter((k) => !deleted.includes(k.kid)) });
      this.deleteFiles(deleted);
      return { key, retired, deleted, staged };
    });
  }

  /**
   * Deletes the keys whose `dropAt` has passed: their files and their
   * manifest entries. Every token they signed has expired, so a private key
   * kept on disk past that only helps someone who steals it. Resolves the
   * kids deleted (none: nothing is written).
   */
  prune(): string[] {
    if (this.expired(this.manifest()).length === 0) return [];
    return this.withLock(() => {
      const manifest = this.manifest();
      const deleted = this.expired(manifest);
      if (deleted.length === 0) return [];
      this.writeManifest({ ...manifest, keys: manifest.keys.filter((k) => !deleted.includes(k.kid)) });
      this.deleteFiles(deleted);
      return deleted;
    });
  }

  /**
   * The keys for createAuth: the active one signs; the staged one and
   * rotated-out ones verify (the latter until their dropAt).
   */
  keySet(): KeySet {
    const manifest = this.manifest();
    const now = this.now();
    const entry = manifest.keys.find((k) => k.kid === manifest.active)!;
    const keys = new KeySet({ active: this.readKey(entry) }, { now: this.now });
    for (const k of manifest.keys) {
      if (k.kid !== manifest.active && !this.dropped(k, now)) keys.add(this.readKey(k), k.dropAt === undefined ? undefined : Date.parse(k.dropAt));
    }
    return keys;
  }

  /** The kids of `manifest` whose dropAt has passed. */
  private expired(manifest: KeyManifest): string[] {
    const now = this.now();
    return manifest.keys.filter((k) => this.dropped(k, now)).map((k) => k.kid);
  }

  private deleteFiles(kids: string[]): void {
    for (const kid of kids) rmSync(this.pemFile(kid), { force: true });
  }

  /**
   * Runs `change` holding keys.lock, so that two writers (the CLI, and a
   * server deleting expired keys) never lose each other's manifest changes.
   * A lock left by a process that no longer runs is taken over.
   */
  private withLock<T>(change: () => T): T {
    const file = join(this.dir, LOCK);
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(err, file);
        const holder = Number(readFileSync(file, 'utf8'));
        if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
          throw new KeyDirectoryError(`${this.dir} is being changed by process ${holder} (${file}); try again when it is done`);
        }
        rmSync(file, { force: true });
      }
    }
    try {
      return change();
    } finally {
      rmSync(file, { force: true });
    }
  }

  private dropped(entry: KeyEntry, now: number): boolean {
    return entry.dropAt !== undefined && Date.parse(entry.dropAt) <= now;
  }

  private readKey(entry: KeyEntry): JwtKey {
    const file = this.pemFile(entry.kid);
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KeyDirectoryError(`cannot read key ${entry.kid}: ${(err as Error).message}`);
    }
    const key = asymmetricKey(pem, entry.alg, entry.kid, file);
    if (key.key.type !== 'private') throw new KeyDirectoryError(`${file} must hold a private key`);
    // Every kid here is the key's RFC 7638 thumbprint: a file swapped by hand shows up now, not as 401s later.
    if (jwkThumbprint(key.verifyKey) !== entry.kid) throw new KeyDirectoryError(`${file} does not hold the key with kid ${entry.kid}`);
    return key;
  }

  private writeKey(alg: AsymmetricAlgorithm): JwtKey {
    const key = generateKey(alg);
    const file = this.pemFile(key.kid!);
    // flag 'wx': never overwrite a key; mode 0600: the private key is for this user only.
    writeFileSync(file, key.key.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return key;
  }

  private writeManifest(manifest: KeyManifest): void {
    const file = join(this.dir, MANIFEST);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  }

  private pemFile(kid: string): string {
    if (!SAFE_KID.test(kid)) throw new KeyDirectoryError(`kid "${kid}" cannot name a key file`);
    return join(this.dir, `${kid}.pem`);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockError(err: unknown, file: string): Error {
  return err instanceof KeyDirectoryError ? err : new KeyDirectoryError(`cannot take ${file}: ${(err as Error).message}`);
}
