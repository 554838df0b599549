import fs from 'node:fs';
import path from 'node:path';

/**
 * The layers of lib/, and which may import which: imports flow one way, from
 * the JOSE primitives up to the Express glue and the Passport strategies.
 * A new file goes in the folder of its layer; a new import that breaks the
 * direction fails here, naming the file and the import.
 */
const LAYERS: Record<string, readonly string[]> = {
  // Errors, reason codes, the user and claims types, scopes, usernames, parameters.
  core: [],
  // JOSE primitives: algorithms, keys, key sets, JWKs, compact JWS, signatures.
  jose: ['core'],
  // Store contracts and one folder per backend.
  stores: ['core'],
  // Token kinds: JWT access tokens, opaque refresh tokens.
  tokens: ['core', 'jose', 'stores'],
  // The bearer check (RFC 6750), shared by the issuer and verify-only services.
  bearer: ['core', 'jose', 'tokens', 'stores'],
  // Password login: hashing, brute-force limits, account rules.
  login: ['core', 'stores'],
  // The grants of the token endpoint, in a registry.
  grants: ['core', 'tokens', 'login', 'stores'],
  // Options, checked once; the hooks.
  config: ['core', 'jose', 'tokens', 'bearer', 'login', 'grants', 'stores'],
  // The OpenAPI document, read from the middleware.
  openapi: ['core', 'config', 'grants'],
  // Express middleware and handlers.
  express: ['core', 'jose', 'tokens', 'bearer', 'login', 'grants', 'config', 'stores'],
  // Passport strategies: beside the Express glue, not on top of it.
  passport: ['core', 'bearer', 'login', 'config', 'stores'],
};
/** Files directly in lib/ (the entry point and the two factories) may import any layer. */
const ROOT = '.';

/** Optional drivers, and the only folder that may load each. */
const DRIVERS: Record<string, string> = { 'better-sqlite3': 'stores/sqlite', ioredis: 'stores/redis', pg: 'stores/postgres' };

const LIB = path.resolve(__dirname, '../lib');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every module specifier a file imports or re-exports (type-only ones too: they are dependencies of the design). */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)) found.push(match[1]);
  for (const match of text.matchAll(/\brequire\('([^']+)'\)/g)) found.push(match[1]);
  return found;
}

/** The layer of a file: its first folder under lib/, or the root. */
function layerOf(file: string): string {
  const relative = path.relative(LIB, file).split(path.sep);
  return relative.length === 1 ? ROOT : relative[0];
}

const files = sourceFiles(LIB);
const imports = files.flatMap((file) => specifiers(file).map((specifier) => ({ file: path.relative(LIB, file), from: file, specifier })));

describe('the layers of lib/', () => {
  it('has every file in a known layer', () => {
    const unknown = files.map(layerOf).filter((layer) => layer !== ROOT && !Object.hasOwn(LAYERS, layer));
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('imports only downwards: each layer uses the layers below it, never one beside or above', () => {
    const wrong = imports
      .filter(({ specifier }) => specifier.startsWith('.'))
      .map(({ file, from, specifier }) => ({ file, specifier, source: layerOf(from), target: layerOf(path.resolve(path.dirname(from), specifier)) }))
      .filter(({ source, target }) => source !== ROOT && source !== target && (target === ROOT || !LAYERS[source].includes(target)))
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(wrong).toEqual([]);
  });

  it('keeps each store backend to its own folder: only its entry point and the factories reach it', () => {
    const wrong = imports
      .filter(({ specifier }) => specifier.startsWith('.'))
      .map(({ file, from, specifier }) => ({ file, specifier, target: path.relative(LIB, path.resolve(path.dirname(from), specifier)) }))
      .filter(({ target }) => /^stores\/(sqlite|postgres|redis)\//.test(target))
      .filter(({ file, target }) => !file.startsWith(target.split('/').slice(0, 2).join('/') + '/'))
      .map(({ file, specifier }) => `${file} imports ${specifier}`);
    expect(wrong).toEqual([]);
  });

  it('loads an optional driver only in its own store folder', () => {
    const wrong = imports
      .filter(({ specifier }) => Object.hasOwn(DRIVERS, specifier))
      .filter(({ file, specifier }) => !file.startsWith(`${DRIVERS[specifier]}/`))
      .map(({ file, specifier }) => `${file} loads ${specifier}`);
    expect(wrong).toEqual([]);
  });

  it('loads argon2 only in the password hasher, and only when it first hashes', () => {
    const users = imports.filter(({ specifier }) => specifier === 'argon2').map(({ file }) => file);
    expect([...new Set(users)]).toEqual(['login/passwords.ts']);
    expect(fs.readFileSync(path.join(LIB, 'login/passwords.ts'), 'utf8')).not.toMatch(/^import (?!type)[^\n]*'argon2'/m);
  });
});
