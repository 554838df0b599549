// @ts-check
/**
 * A Jest reporter that says once, at the end of a run, that the PostgreSQL
 * tests were skipped because TEST_DATABASE_URL is not set. (A note from the
 * test files themselves would not show: Jest drops the console output of a
 * suite whose tests were all skipped, and there would be one per file.)
 */
class PostgresSkipReporter {
  /**
   * @param {unknown} _contexts
   * @param {{ testResults: { testFilePath: string; numPendingTests: number }[] }} results
   */
  onRunComplete(_contexts, results) {
    if (process.env.TEST_DATABASE_URL) return;
    const skipped = results.testResults.filter(
      (result) => /[\\/]postgres[^\\/]*\.test\.ts$/.test(result.testFilePath) && result.numPendingTests > 0,
    );
    if (skipped.length === 0) return;
    const tests = skipped.reduce((sum, result) => sum + result.numPendingTests, 0);
    process.stderr.write(
      `\nPostgreSQL tests skipped (${tests} in ${skipped.length} files): set TEST_DATABASE_URL, ` +
        'for example TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test, to run them.\n',
    );
  }
}

module.exports = PostgresSkipReporter;
