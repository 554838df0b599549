/** How long and how often each measurement runs. */
export interface Settings {
  /** Seconds per measured run. */
  duration: number;
  /** Runs per target; targets alternate within each round and the median counts. */
  rounds: number;
  /** Seconds of the mixed-traffic soak; 0 skips it. */
  soak: number;
  /** Concurrent connections of the throughput runs. */
  connections: number;
  quick: boolean;
  /** Write bench/RESULTS.md (off with --no-write). */
  write: boolean;
}

/**
 * The default run (about eight minutes on two cores, more with PostgreSQL and
 * Redis) measures 2 s × 8 rounds per target, so that a median is robust to
 * runs the machine's other tenants slowed (on a shared two-core machine one
 * run of the same route can take twice the CPU of the next), and soaks for 60 s. `BENCH_QUICK=1` or `--quick` is for
 * development and CI: 2 s × 1 round and a 10 s soak, which shows breakage but
 * not numbers worth quoting. `--soak=<seconds>` and `--no-soak` change the soak only.
 */
export function readSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Settings {
  const quick = argv.includes('--quick') || (env.BENCH_QUICK !== undefined && env.BENCH_QUICK !== '' && env.BENCH_QUICK !== '0');
  let soak = quick ? 10 : 60;
  for (const arg of argv) {
    if (arg === '--no-soak') soak = 0;
    else if (arg.startsWith('--soak=')) soak = Number(arg.slice('--soak='.length));
    else if (arg !== '--quick' && arg !== '--no-write') throw new Error(`unknown option ${arg} (known: --quick, --soak=<seconds>, --no-soak, --no-write)`);
  }
  if (!Number.isFinite(soak) || soak < 0) throw new Error('--soak takes a number of seconds');
  return { duration: 2, rounds: quick ? 1 : 8, soak, connections: 16, quick, write: !argv.includes('--no-write') };
}
