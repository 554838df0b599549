// @ts-check
/**
 * A Jest reporter that says once, at the end of a run, which suites were
 * skipped because the real PostgreSQL or Redis they need was not named.
 * (A note from the test files themselves would not show: Jest drops the
 * console output of a suite whose tests were all skipped.)
 */
const SERVICES = [
  { name: 'PostgreSQL', variable: 'TEST_DATABASE_URL', example: 'postgres://postgres@127.0.0.1:5432/test', files: /[\\/](postgres[^\\/]*|instances)\.test\.ts$/ },
  { name: 'Redis', variable: 'TEST_REDIS_URL', example: 'redis://127.0.0.1:6379', files: /[\\/](redis[^\\/]*|instances)\.test\.ts$/ },
];

class ServicesSkipReporter {
  /**
   * @param {unknown} _contexts
   * @param {{ testResults: { testFilePath: string; numPendingTests: number }[] }} results
   */
  onRunComplete(_contexts, results) {
    for (const service of SERVICES) {
      if (process.env[service.variable]) continue;
      const skipped = results.testResults.filter((result) => service.files.test(result.testFilePath) && result.numPendingTests > 0);
      if (skipped.length === 0) continue;
      const tests = skipped.reduce((sum, result) => sum + result.numPendingTests, 0);
      process.stderr.write(
        `\n${service.name} tests skipped (${tests} in ${skipped.length} files): set ${service.variable}, ` +
          `for example ${service.variable}=${service.example}, to run them.\n`,
      );
    }
  }
}

module.exports = ServicesSkipReporter;
