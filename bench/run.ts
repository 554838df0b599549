import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternate, type Target } from './alternate';
import { dpopClient, type ProofAlgorithm } from './dpop-client';
import { measureLibraryCost } from './library-cost';
import type { RateRows } from './budgets';
import { measureFlood } from './flood';
import { loginTarget, measureLogins } from './logins';
import { describeMachine, otherLoad } from './machine';
import { renderMarkdown, writeResults } from './report';
import { readSettings } from './settings';
import { soak } from './soak';
import { runPropagation } from './propagation-run';
import { startPostgresLibrary } from './postgres-library';
import { startServer, type BenchServer } from './spawn-server';

const RESULTS_FILE = join(__dirname, '..', '..', 'bench', 'RESULTS.md');

/**
 * `npm run bench`: starts the example server and the comparison servers as
 * child processes, drives them with autocannon, prints the table and the
 * budgets, and writes them to bench/RESULTS.md.
 */
async function main(): Promise<void> {
  const settings = readSettings(process.argv.slice(2), process.env);
  const say = (line: string) => process.stdout.write(line + '\n');
  const machine = describeMachine();
  say(`express-jwt-auth bench: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  const before = await otherLoad();

  say('\nLibrary CPU per request, in process');
  const libraryCost = await measureLibraryCost();
  for (const c of libraryCost) say(`  ${c.label.padEnd(44)} ${c.micros.toFixed(2).padStart(6)} µs  ${c.outcome}`);

  const dir = mkdtempSync(join(tmpdir(), 'express-jwt-auth-bench-'));
  const servers: BenchServer[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    const env = { BENCH_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}` };
    // The library server first: it creates the database and the user the others read.
    const library = await startServer('library', dir, env);
    servers.push(library);
    const passportJwt = await startServer('passport-jwt', dir, env);
    servers.push(passportJwt);
    const expressJwt = await startServer('express-jwt', dir, env);
    servers.push(expressJwt);
    // BENCH_POSTGRES_URL and BENCH_REDIS_URL: the same server on PostgreSQL + Redis, with its own open route.
    const postgres = await startPostgresLibrary(dir, process.env);
    if (postgres) closers.push(() => postgres.close());

    const lib = library.fixtures;
    const dpop = async (alg: ProofAlgorithm): Promise<Target> => {
      const { client, accessToken } = await dpopLogin(library, alg);
      const url = `${library.url}/users/me`;
      return {
        label: `express-jwt-auth: GET /users/me, DPoP-bound token, ${alg} proof`,
        spec: { url, headers: { authorization: `DPoP ${accessToken}` }, perRequest: () => ({ dpop: client.proof('GET', url, accessToken) }) },
        expect: [200],
        server: library,
      };
    };
    const targets: Record<string, Target> = {
      open: { label: 'express-jwt-auth app: GET /open (no auth)', spec: get(library, '/open'), expect: [200], server: library },
      // The same route again, as a row of its own: how far two measurements of the same work differ in this run.
      openAgain: { label: 'express-jwt-auth app: GET /open again (the noise control)', spec: get(library, '/open'), expect: [200], server: library },
      valid: { label: 'express-jwt-auth: GET /users/me, valid token', spec: get(library, '/users/me', lib.valid), expect: [200], server: library },
      // Issue 11: an ES256 signature is verified on a token's first use only.
      validES256: { label: 'express-jwt-auth: GET /users/me, valid ES256 token', spec: get(library, '/es256/users/me', lib.validES256), expect: [200], server: library },
      // RFC 9449 §7: one more signature to verify (the proof's) and one replay-cache check per request.
      dpopES256: await dpop('ES256'),
      dpopEdDSA: await dpop('EdDSA'),
      badSignature: { label: 'express-jwt-auth: bad signature → 401', spec: get(library, '/users/me', lib.badSignature), expect: [401], server: library },
      expired: { label: 'express-jwt-auth: expired token → 401', spec: get(library, '/users/me', lib.expired), expect: [401], server: library },
      missing: { label: 'express-jwt-auth: no Authorization → 401', spec: get(library, '/users/me'), expect: [401], server: library },
      passportJwt: {
        label: 'passport-jwt 4, string secret (tutorial setup)',
        spec: get(passportJwt, '/users/me', passportJwt.fixtures.valid),
        expect: [200],
        server: passportJwt,
      },
      passportJwtKeyObject: {
        label: 'passport-jwt 4, KeyObject secret',
        spec: get(passportJwt, '/keyobject/users/me', passportJwt.fixtures.valid),
        expect: [200],
        server: passportJwt,
      },
      expressJwt: { label: 'express-jwt 8, string secret', spec: get(expressJwt, '/users/me', expressJwt.fixtures.valid), expect: [200], server: expressJwt },
      expressJwtKeyObject: {
        label: 'express-jwt 8, KeyObject secret',
        spec: get(expressJwt, '/keyobject/users/me', expressJwt.fixtures.valid),
        expect: [200],
        server: expressJwt,
      },
      ...(postgres && postgresTargets(postgres.server)),
    };
    await smokeTest(library, [...Object.values(targets), loginTarget(library)]);

    const order = Object.keys(targets);
    say(`\nRequest rates (${settings.duration} s × ${settings.rounds} rounds, alternating)`);
    const measured = await alternate(Object.values(targets), settings, say);
    const rows = Object.fromEntries(order.map((key, i) => [key, measured[i]])) as RateRows;

    say('\nLogins against what argon2 allows');
    const logins = await measureLogins(library, settings, say);

    say('\n/users/me latency, idle and during a login flood');
    const flood = await measureFlood(targets.valid, library, settings, say);

    const login = loginTarget(library);
    const soakMix: Target[] = [
      { ...targets.valid, spec: { ...targets.valid.spec, connections: 4 } },
      targets.badSignature,
      targets.expired,
      targets.missing,
      { label: 'malformed', spec: { ...get(library, '/users/me'), headers: { authorization: 'Bearer a b' } }, expect: [400], server: library },
      { label: 'other scheme', spec: { ...get(library, '/users/me'), headers: { authorization: 'Basic YTpi' } }, expect: [401], server: library },
      { ...login, spec: { ...login.spec, connections: 2 } },
      // An unknown account: a dummy hash first, then 429 once the account is blocked.
      { ...login, label: 'bad login', spec: { ...login.spec, body: 'grant_type=password&username=nobody&password=guess', connections: 1 }, expect: [400, 429] },
      {
        label: 'bad body',
        spec: { url: `${library.url}/token`, method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"grant_type":', connections: 1 },
        expect: [400],
        server: library,
      },
    ];
    let soakResult;
    if (settings.soak > 0) {
      say(`\nSoak: ${settings.soak} s of mixed traffic`);
      soakResult = await soak(library, soakMix, settings.soak);
    }

    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await Promise.all(closers.splice(0).map((close) => close()));

    say('\nRevocation propagation: two example-server processes on one PostgreSQL and one Redis');
    const propagation = await runPropagation(settings, process.env, say);
    const after = await otherLoad();
    const markdown = renderMarkdown({ date: new Date(), machine, settings, otherLoad: { before, after }, rows, order, logins, flood, soak: soakResult, propagation, libraryCost });
    say('\n' + markdown);
    if (settings.write) {
      writeResults(RESULTS_FILE, markdown);
      say(`Written to ${RESULTS_FILE}`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await Promise.all(closers.map((close) => close()));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A GET of `path` on `server`, with `token` as a Bearer token when given. */
function get(server: BenchServer, path: string, token?: string) {
  return { url: `${server.url}${path}`, ...(token !== undefined && { headers: { authorization: `Bearer ${token}` } }) };
}

/**
 * The rows of the library server on PostgreSQL + Redis (issue 11: the budgets hold there too, against its own
 * open route): keys prefixed `postgres`, which budgets.ts and report.ts compare with `postgresOpen`.
 */
function postgresTargets(server: BenchServer): Record<string, Target> {
  const { fixtures } = server;
  const on = 'PostgreSQL + Redis';
  return {
    postgresOpen: { label: `${on}: GET /open (no auth)`, spec: get(server, '/open'), expect: [200], server },
    postgresValid: { label: `${on}: GET /users/me, valid token`, spec: get(server, '/users/me', fixtures.valid), expect: [200], server },
    postgresBadSignature: { label: `${on}: bad signature → 401`, spec: get(server, '/users/me', fixtures.badSignature), expect: [401], server },
    postgresExpired: { label: `${on}: expired token → 401`, spec: get(server, '/users/me', fixtures.expired), expect: [401], server },
    postgresMissing: { label: `${on}: no Authorization → 401`, spec: get(server, '/users/me'), expect: [401], server },
  };
}

/** One request per target first: a wrong status here means the bench would measure the wrong thing. */
async function smokeTest(library: BenchServer, targets: readonly Target[]): Promise<void> {
  for (const { label, spec, expect } of targets) {
    const headers = { ...spec.headers, ...spec.perRequest?.() };
    const res = await fetch(spec.url, { method: spec.method ?? 'GET', headers, ...(spec.body !== undefined && { body: spec.body }) });
    await res.arrayBuffer();
    if (!expect.includes(res.status)) {
      throw new Error(`${label}: expected ${expect.join('/')}, got ${res.status}\nlibrary server log:\n${library.logTail()}`);
    }
  }
}

/** A password login at `server` with a DPoP proof: a DPoP-bound access token and the client holding its key. */
async function dpopLogin(server: BenchServer, alg: ProofAlgorithm) {
  const client = dpopClient(alg);
  const url = `${server.url}/token`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: client.proof('POST', url) },
    body: server.fixtures.login,
  });
  const body = (await res.json()) as { access_token?: string; token_type?: string };
  if (res.status !== 200 || body.token_type !== 'DPoP' || !body.access_token) {
    throw new Error(`DPoP login (${alg}) answered ${res.status} ${JSON.stringify(body)}: is DPoP on in the example server?\n${server.logTail()}`);
  }
  return { client, accessToken: body.access_token };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
