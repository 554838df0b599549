import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Measured } from './alternate';
import { checkBudgets, mib, pct, type RateRows } from './budgets';
import { PROBE_CONNECTIONS, type FloodMeasurement } from './flood';
import type { LoginMeasurement } from './logins';
import { QUIET_LOAD, type Machine } from './machine';
import type { Settings } from './settings';
import type { SoakResult } from './soak';
import type { PropagationMeasurement } from './propagation-run';
import type { CostRow } from './library-cost';

export interface RunResults {
  date: Date;
  machine: Machine;
  settings: Settings;
  /** Share of the machine busy with other work just before and just after the run. */
  otherLoad: { before: number; after: number };
  rows: RateRows;
  /** Row keys in table order. */
  order: string[];
  logins: LoginMeasurement;
  flood: FloodMeasurement;
  soak: SoakResult | undefined;
  /** Undefined when BENCH_POSTGRES_URL and BENCH_REDIS_URL were not set. */
  propagation?: PropagationMeasurement | undefined;
  /** The library's own CPU per request, in process. */
  libraryCost: CostRow[];
}

const BEGIN = '<!-- bench:begin (written by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:end -->';

/** The run as Markdown: machine, request-rate table, logins, budgets, soak. */
export function renderMarkdown(run: RunResults): string {
  const { machine, settings, rows } = run;
  const quiet = run.otherLoad.before < QUIET_LOAD && run.otherLoad.after < QUIET_LOAD;
  const budgets = checkBudgets(rows, run.logins, run.flood, run.soak, run.propagation, run.libraryCost);
  const lines: string[] = [];
  lines.push(`## Latest run: ${run.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  lines.push('');
  lines.push(`- Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}`);
  lines.push(
    `- ${quiet ? 'Quiet machine' : '**Busy machine**'}: other work used ${pct(run.otherLoad.before)} of the CPU just before the run and ${pct(run.otherLoad.after)} just after` +
      ` (one-minute load average ${machine.loadAverage.toFixed(2)} at the start)${quiet ? '.' : '; the numbers are lower and noisier than on a quiet machine.'}`,
  );
  lines.push(
    `- ${settings.quick ? '**Quick run** (BENCH_QUICK): ' : ''}${settings.duration} s × ${settings.rounds} round${settings.rounds === 1 ? '' : 's'} per row, rows alternating, medians shown;` +
      ` autocannon over loopback, ${settings.connections} connections; every server a separate process (one event loop each).`,
  );
  lines.push('');
  lines.push('| Scenario | req/s | server CPU µs/req | p50 ms | p99 ms | vs open route (req/s, extra CPU) |');
  lines.push('|---|--:|--:|--:|--:|--:|');
  // The PostgreSQL + Redis rows against their own server's open route.
  for (const key of run.order) lines.push(row(rows[key], key.startsWith('postgres') ? rows.postgresOpen! : rows.open));
  const { logins, flood } = run;
  lines.push(row(logins.logins, rows.open, `${pct(logins.logins.requestsPerSecond / logins.capacity)} of argon2 alone (${logins.capacity.toFixed(1)}/s)`));
  lines.push(row(flood.idle, rows.open, `${PROBE_CONNECTIONS} connections`));
  lines.push(row(flood.flooded, rows.open, `${PROBE_CONNECTIONS} connections, ${flood.floodLogins.toFixed(1)} logins/s beside`, false));
  lines.push('');
  lines.push(
    '"vs open route" compares with `GET /open`: the same JSON and headers as `/users/me` (its `Cache-Control: no-store` too), without authentication, in the same app, after the same middleware.' +
      ' "server CPU" is the server process\'s CPU time (all threads) per response: it moves less than req/s when other work shares the machine.' +
      ` Argon2id parameters: ${JSON.stringify(logins.capacities[0].params)}; "argon2 alone" runs ${logins.capacities[0].lanes} verifications at a time in a process of its own.`,
  );
  if (rows.openAgain !== undefined) {
    const noise = rows.openAgain.requestsPerSecond / rows.open.requestsPerSecond;
    lines.push('');
    lines.push(
      `**Noise.** The open route, measured twice in this run as two rows, came out at ${pct(noise)} of itself (${signed(rows.openAgain.cpuMicros - rows.open.cpuMicros)} µs):` +
        ' a difference between two rows smaller than that is not a difference this run can show. The in-process table below does not depend on it.',
    );
  }
  const dpopRows = run.order.filter((key) => key.startsWith('dpop')).map((key) => rows[key]);
  if (dpopRows.length > 0) {
    const extra = dpopRows.map((m) => `${signed(m.cpuMicros - rows.valid.cpuMicros)} µs (${m.target.label.split(', ').pop()})`).join(', ');
    lines.push('');
    lines.push(
      `DPoP (RFC 9449) costs ${extra} of server CPU per request over the Bearer "valid token" row: one more signature verification and one replay-cache check.` +
        ' The runner signs a new proof for every request on the same machine, so those rows\' req/s is held down by the client as well; their server CPU column is the cost.',
    );
  }
  lines.push('');
  lines.push('### Library CPU per request, in process');
  lines.push('');
  lines.push(
    '`auth.authenticate()` called directly on a minimal request and response: no HTTP, Express, logging or app, so this is the library\'s own work' +
      ' (extracting, verifying or finding the token remembered, the claim and session checks; for a refusal the error, its challenge and the answer).' +
      ` Memory stores, HS256 unless named; ${run.libraryCost.length} cases alternating, 100,000 requests each per round, 5 rounds, medians of process CPU time.`,
  );
  lines.push('');
  lines.push('| Case | µs per request | answered |');
  lines.push('|---|--:|---|');
  for (const c of run.libraryCost) lines.push(`| ${c.label} | ${c.micros.toFixed(2)} | ${c.outcome === 'next' ? 'admitted (next)' : c.outcome} |`);
  lines.push('');
  lines.push('### Budgets');
  lines.push('');
  lines.push('| Budget | Measured | Met | Note |');
  lines.push('|---|---|:-:|---|');
  for (const check of budgets) lines.push(`| ${check.budget} | ${check.measured} | ${check.met ? 'yes' : '**no**'} | ${check.note} |`);
  const missed = budgets.filter((b) => !b.met);
  lines.push('');
  lines.push(missed.length === 0 ? 'All budgets met.' : `Not met: ${missed.map((b) => b.name).join(', ')}; the notes say why.`);
  if (run.soak) {
    lines.push('');
    lines.push(`### Soak: ${run.soak.seconds} s of mixed traffic`);
    lines.push('');
    lines.push('| t (s) | heap used | RSS |');
    lines.push('|--:|--:|--:|');
    for (const s of run.soak.samples) lines.push(`| ${s.at.toFixed(0)} | ${mib(s.heapUsed)} | ${mib(s.rss)} |`);
  }
  return lines.join('\n') + '\n';
}

function row(m: Measured, open: Measured, vs?: string, showCpu = true): string {
  const answered = m.answered ? '' : ` (**answered ${Object.keys(m.statuses).join('/')}, expected ${m.target.expect.join('/')}**)`;
  const ratio = vs ?? (m === open ? '100%' : `${pct(m.requestsPerSecond / open.requestsPerSecond)}, ${signed(m.cpuMicros - open.cpuMicros)} µs`);
  const cpu = showCpu ? fmt(m.cpuMicros) : '—';
  return `| ${m.target.label}${answered} | ${fmt(m.requestsPerSecond)} | ${cpu} | ${m.p50.toFixed(2)} | ${m.p99.toFixed(2)} | ${ratio} |`;
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1);
}

function signed(n: number): string {
  return `${n >= 0 ? '+' : '−'}${Math.abs(n).toFixed(1)}`;
}

/** Puts `markdown` between the markers of `file`, keeping what is written around them. */
export function writeResults(file: string, markdown: string): void {
  const block = `${BEGIN}\n${markdown}${END}`;
  if (!existsSync(file)) {
    writeFileSync(file, `# Benchmark results\n\n${block}\n`);
    return;
  }
  const text = readFileSync(file, 'utf8');
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  writeFileSync(file, begin >= 0 && end > begin ? text.slice(0, begin) + block + text.slice(end + END.length) : `${text.trimEnd()}\n\n${block}\n`);
}
