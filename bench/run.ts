/**
 * `npm run bench [-- name…]`: runs every registered bench, or those whose name contains one of the
 * arguments. Sizes scale with BENCH_SCALE (default 1).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { goalTable, registeredBenches, type GoalReport } from './registry';

async function main(): Promise<void> {
  // The workers benches run in this process say only their warnings: their state changes at INFO
  // would fill the report the benches print.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  for (const file of readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).sort()) {
    require(join(__dirname, file));
  }
  const scale = Number(process.env.BENCH_SCALE ?? '1');
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
  const filters = process.argv.slice(2);
  const chosen = registeredBenches().filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
  if (chosen.length === 0) throw new Error(`No bench matches ${filters.join(', ')}`);

  const tmpDir = mkdtempSync(join(tmpdir(), 'cloud-office-bench-'));
  const goals: GoalReport[] = [];
  try {
    for (const bench of chosen) {
      console.log(`\n== ${bench.name} (scale ${scale})`);
      const started = performance.now();
      await bench.fn({ scale, tmpDir, log: (line) => console.log(line), goal: (report) => goals.push(report) });
      console.log(`   (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
    // Also after a bench failed: what the others measured is still worth reading.
    if (goals.length > 0) {
      console.log(`\n== issue 15's goals in this run (scale ${scale}; the benches above say how each was measured)`);
      for (const line of goalTable(goals)) console.log(line);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
