/**
 * Prints one plain closing line, `jest: N passed, N failed, N skipped`, that tools reading a run's
 * last lines understand; jest's own summary is not such a line.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
