import { reportFigures } from '../support/figures';
import { startSeededOffice, type Office } from '../support/office';
import { runSoak, SOAK_ACCOUNTS } from '../support/soak';
import { memoryCurveTable, PROCESSES, trendsAfterWarmUp, writeMemoryCsv } from '../support/soak-report';
import { isFlat, percentile, resolvableBoundPerHour } from '../support/soak-stats';

/**
 * Soak: the office as an operator starts it (`scripts/start.ts`: Temporal dev server, worker,
 * projector, API as separate processes) under mixed traffic at a steady open-loop rate — NOC requests,
 * reviews, decisions and withdrawals, accreditations from offering to listing and back off, public
 * list reads and procurement checks. Judged on what a long run must keep, not on request speed (the
 * machine is shared): every process's memory flat after the warm-up, no unexpected answer, and the
 * read models at most a second behind the writes (p99).
 *
 * Bounded here (2 minutes of traffic); `npm run soak` runs 30 minutes. SOAK_MINUTES, SOAK_RATE
 * (operations a second) and SOAK_SAMPLE_SECONDS set the size.
 *
 * Memory: after the warm-up (the first third, at least a minute), the least-squares slope of each
 * process's resident memory, extrapolated to an hour, must stay under 50 MB/h plus what the garbage
 * collector's saw-tooth can tilt a slope over the judged span (soak-stats.ts). 50 MB/h because a
 * Node process's memory moves by tens of MB with its collections, so a smaller bound would judge the
 * saw-tooth and not a trend, while 50 MB/h is still a growth a day's run would show long before it
 * hurts (about 1 GB). Twenty judged minutes add an allowance of 60 MB/h; the bounded run's one
 * judged minute resolves only gross leaks (12 GB/h) — the full run is the memory verdict.
 *
 * The worker keeps up to WORKER_MAX_CACHED_WORKFLOWS open processes in memory (about 1.2 MB each), and
 * this traffic opens processes that stay open (approved NOCs, listed offerings) faster than it closes
 * them: with the default cache (400) filling takes longer than the run, and its filling would read as a
 * trend. So the worker runs with a cache of SOAK_WORKER_CACHE (default 50) that the warm-up fills; what
 * is judged after it is what a leak would show, not the cache's bound being reached. (With 100 the
 * worker's slope fell from 392 MB/h over minutes 10-20 to 85 MB/h over minutes 20-30: still filling.)
 */
const MINUTES = Number(process.env.SOAK_MINUTES ?? 2);
const RATE = Number(process.env.SOAK_RATE ?? 4);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? (MINUTES > 5 ? 10 : 3));
const WORKER_CACHE = Number(process.env.SOAK_WORKER_CACHE ?? 50);
const MB_PER_HOUR_BOUND = 50;
const LAG_P99_BOUND_MS = 1000;

let office: Office | undefined;

afterAll(async () => {
  await office?.stop();
});

it('keeps every process flat in memory, answers without error and keeps the read models within a second under steady mixed traffic', async () => {
  office = await startSeededOffice(SOAK_ACCOUNTS, { WORKER_MAX_CACHED_WORKFLOWS: String(WORKER_CACHE) });
  const result = await runSoak(office, { minutes: MINUTES, rate: RATE, sampleSeconds: SAMPLE_SECONDS, visibilityTimeoutMs: 30_000 });

  const trends = trendsAfterWarmUp(result.samples);
  const first = result.samples[0]?.rss ?? {};
  const last = result.samples.at(-1)?.rss ?? {};
  const csv = writeMemoryCsv(result.samples);
  process.stderr.write(`\nsoak memory curve (RSS, MB; every sample in ${csv}):\n${memoryCurveTable(result.samples)}\n\n`);
  const memory: Record<string, string> = {};
  for (const name of PROCESSES) {
    memory[`${name}_mb`] = `${first[name]?.toFixed(0)}->${last[name]?.toFixed(0)}`;
    memory[`${name}_cpu_s`] = (result.cpuSeconds[name] ?? 0).toFixed(0);
    const t = trends[name];
    memory[`${name}_mb_per_h`] = t ? `${t.slopePerHour.toFixed(1)}±${t.standardErrorPerHour.toFixed(1)}(bound ${resolvableBoundPerHour(t, MB_PER_HOUR_BOUND).toFixed(0)})` : 'none';
  }
  reportFigures('soak', {
    minutes: MINUTES,
    rate_per_s: RATE,
    worker_cached_workflows_max: WORKER_CACHE,
    operations: Object.entries(result.operations).map(([k, v]) => `${k}:${v}`).join(','),
    requests: result.requests,
    retried_503: result.retried,
    errors: result.errors.length,
    max_in_flight: result.maxInFlight,
    machine_load_1m: result.loadAverage.toFixed(1),
    lag_samples: result.lags.length,
    lag_p50_ms: percentile(result.lags, 50),
    lag_p99_ms: percentile(result.lags, 99),
    lag_max_ms: Math.max(...result.lags),
    ...memory,
    memory_csv: csv,
  });

  if (result.errors.length > 0) {
    // The kinds of error, counted, so a long run's log says what went wrong without listing it all.
    const kinds = new Map<string, number>();
    for (const error of result.errors) {
      const kind = error.replace(/NOC-\d{4}-\w+|ACC-\d{4}-\w+|off-soak-\d+/g, '…').slice(0, 160);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    process.stderr.write(`soak errors by kind:\n${[...kinds].map(([kind, n]) => `${String(n).padStart(6)}  ${kind}`).join('\n')}\n`);
  }
  expect(result.errors.slice(0, 20)).toEqual([]);
  // Enough traffic got through for the figures to mean something: each kind ran, writes were seen.
  expect(Object.keys(result.operations).sort()).toEqual(['accreditation', 'noc', 'public-read']);
  expect(result.lags.length).toBeGreaterThan(MINUTES * 60 * RATE * 0.25);
  expect(percentile(result.lags, 99)).toBeLessThan(LAG_P99_BOUND_MS);
  // A process never sampled has no trend, and fails as growing would.
  const growing = PROCESSES.filter((name) => {
    const t = trends[name];
    return t === undefined || t.points < 3 || !isFlat(t, MB_PER_HOUR_BOUND);
  }).map((name) => ({ name, ...trends[name] }));
  expect(growing).toEqual([]);
}, (MINUTES + 6) * 60_000);
