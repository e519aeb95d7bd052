import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemorySample } from './soak';
import { trend, type Trend } from './soak-stats';

/** The processes whose memory the soak follows, in the order the table shows them. */
export const PROCESSES = ['supervisor', 'temporal', 'worker', 'projector', 'api'] as const;

/**
 * The warm-up: the first third of the run, and at least the first minute — the Temporal server's
 * caches and the worker's heap were seen filling for about that long at 4 operations a second.
 */
export const warmUpSeconds = (endSeconds: number): number => Math.max(endSeconds / 3, 60);

/** Each process's trend over the samples after the warm-up. */
export function trendsAfterWarmUp(samples: readonly MemorySample[]): Record<string, Trend> {
  const end = samples.at(-1)?.seconds ?? 0;
  const judged = samples.filter((s) => s.seconds >= warmUpSeconds(end));
  return Object.fromEntries(
    PROCESSES.map((name) => [name, trend(judged.flatMap((s) => (s.rss[name] === undefined ? [] : [{ seconds: s.seconds, mb: s.rss[name] }])))]),
  );
}

/** The sample nearest each whole minute, and the last one: the memory curve as a small table. */
export function memoryCurveTable(samples: readonly MemorySample[]): string {
  const end = samples.at(-1)?.seconds ?? 0;
  const rows: MemorySample[] = [];
  for (let minute = 0; minute * 60 <= end; minute += 1) {
    const nearest = samples.reduce((best, s) => (Math.abs(s.seconds - minute * 60) < Math.abs(best.seconds - minute * 60) ? s : best));
    if (!rows.includes(nearest)) rows.push(nearest);
  }
  const last = samples.at(-1);
  const lastRow = rows.at(-1);
  if (last && lastRow && last.seconds - lastRow.seconds > 1) rows.push(last);
  const header = ['minute', ...PROCESSES.map((p) => `${p} MB`)];
  const lines = rows.map((s) => [(s.seconds / 60).toFixed(1), ...PROCESSES.map((p) => (s.rss[p]?.toFixed(0) ?? '-'))]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]?.length ?? 0)));
  return [header, ...lines].map((cells) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')).join('\n');
}

/** Every sample as CSV in a fresh temporary directory; answers the file's path. */
export function writeMemoryCsv(samples: readonly MemorySample[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'soak-')), 'memory.csv');
  const lines = samples.map((s) => [s.seconds.toFixed(1), ...PROCESSES.map((p) => (s.rss[p]?.toFixed(1) ?? ''))].join(','));
  writeFileSync(path, [['seconds', ...PROCESSES.map((p) => `${p}_mb`)].join(','), ...lines].join('\n') + '\n');
  return path;
}
