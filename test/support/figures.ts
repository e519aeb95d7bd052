/**
 * Reliability tests report what they measured (winners and losers, duplicates, refusals) as one
 * `figure:` line each on standard error, so a run's log carries the numbers beside the verdict.
 */
export function reportFigures(test: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(([name, value]) => `${name}=${value}`);
  process.stderr.write(`figure: ${test}: ${parts.join(' ')}\n`);
}
