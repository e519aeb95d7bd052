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

/** Events per second, rounded. */
export function rate(events: number, millis: number): number {
  return Math.round((events * 1000) / millis);
}

export function formatRate(perSecond: number): string {
  return `${perSecond.toLocaleString('en-US')} events/s`;
}
