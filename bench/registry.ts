/**
 * The benchmarks `npm run bench` runs. A bench module (`bench/*.bench.ts`) registers itself on import;
 * bench/run.ts imports every such module, so adding a bench is adding a file.
 */
export interface BenchContext {
  /** Multiplies every bench's default sizes (BENCH_SCALE, default 1): 0.1 for a quick look. */
  scale: number;
  /** A scratch directory for this run, removed afterwards. */
  tmpDir: string;
  log(line: string): void;
  /** States where one of issue 15's goals stands in this run; `npm run bench` lists them all again at its end. */
  goal(report: GoalReport): void;
}

/** One of issue 15's goals as a bench measured it, its figure beside the baseline of the same run. */
export interface GoalReport {
  /** The goal's number in issue 15. */
  goal: number;
  /** What is held to what, e.g. "append with the hash chain, 1 event/tx, FULL ≥ 0.8× raw". */
  what: string;
  /** This code's figure. */
  figure: string;
  /** The baseline measured in the same run, or '—' where the goal is an absolute bound. */
  baseline: string;
  /** The figure the verdict is taken on, e.g. "×0.85". */
  ratio: string;
  /** How the figure moved from the smallest history to the largest, where the bench grows one. */
  growth?: string;
  met: boolean;
}

export type BenchFn = (ctx: BenchContext) => Promise<void>;

const benches: { name: string; fn: BenchFn }[] = [];

export function registerBench(name: string, fn: BenchFn): void {
  if (benches.some((b) => b.name === name)) throw new Error(`Bench ${name} registered twice`);
  benches.push({ name, fn });
}

export function registeredBenches(): readonly { name: string; fn: BenchFn }[] {
  return benches;
}

/** The goals' reports as one markdown table, by goal number, in the order each goal's were given. */
export function goalTable(reports: readonly GoalReport[]): string[] {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const sorted = [...reports].sort((a, b) => a.goal - b.goal);
  return [
    '| goal | what | this code | baseline, same run | ratio | growth, smallest → largest history | verdict |',
    '|---|---|---|---|---|---|---|',
    ...sorted.map((r) => `| ${r.goal} | ${cell(r.what)} | ${cell(r.figure)} | ${cell(r.baseline)} | ${cell(r.ratio)} | ${cell(r.growth ?? '—')} | ${r.met ? 'met' : 'NOT met'} |`),
  ];
}

/** Events per second, rounded. */
export function rate(events: number, millis: number): number {
  return Math.round((events * 1000) / millis);
}

export function formatRate(perSecond: number): string {
  return `${perSecond.toLocaleString('en-US')} events/s`;
}
