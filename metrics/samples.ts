import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

/**
 * The office's own last day of operational figures, for the operators' page (/ui/operations): the
 * embedded office runs without Prometheus, so the worker and the projector each write what their
 * /metrics would show into this small SQLite file every OPERATIONS_SAMPLE_SECONDS, and the API reads
 * it. It holds no fact of record: deleting it loses a chart's past, nothing else, so it is neither a
 * read model (no rebuild makes or compares it) nor in the backup.
 */
export function operationsSamplesPath(dataDir: string): string {
  return join(dataDir, 'operations.db');
}

/** A day, and an hour more, so the page's window is whole just after a prune. */
export const RETENTION_MS = 25 * 60 * 60 * 1000;

/** The series the samplers write; names follow the /metrics series they come from. */
export const SERIES = {
  timersFired: 'timers_fired',
  timerLatenessMax: 'timer_lateness_max_seconds',
  timerLatenessP99: 'timer_lateness_p99_seconds',
  projectionLagSeconds: 'projection_lag_seconds',
  projectionLagEvents: 'projection_lag_events',
  mailOutboxBacklog: 'mail_outbox_backlog',
  mailDeliveryFailures: 'mail_delivery_failures',
  openCases: 'open_cases',
} as const;
export type SeriesName = (typeof SERIES)[keyof typeof SERIES];

export const Sample = z.object({
  series: z.enum(Object.values(SERIES) as [SeriesName, ...SeriesName[]]),
  labels: z.record(z.string(), z.string()),
  value: z.number(),
});
export type Sample = z.infer<typeof Sample>;

export interface SampleRow extends Sample {
  at: string;
}

export interface OperationsSamples {
  /** Writes one sampling's figures at `at` and drops every row older than the retention before it. */
  record(at: string, samples: readonly Sample[]): void;
  /** A series' rows from `since` (inclusive) on, oldest first. */
  read(series: SeriesName, since: string): SampleRow[];
  close(): void;
}

/** Labels as stored: keys sorted, so one label set is always one string and groups by equality. */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));
}

const Labels = z.record(z.string(), z.string());

/** Opened by the worker and the projector (writers) and the API (reader), each creating the table if it is first. */
export function openOperationsSamples(path: string): OperationsSamples {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS samples (
     at     TEXT NOT NULL,
     series TEXT NOT NULL,
     labels TEXT NOT NULL,
     value  REAL NOT NULL
   );
   CREATE INDEX IF NOT EXISTS samples_by_series ON samples (series, at);
   CREATE INDEX IF NOT EXISTS samples_by_at ON samples (at);`);
  const insert = db.prepare<[string, string, string, number]>('INSERT INTO samples (at, series, labels, value) VALUES (?, ?, ?, ?)');
  const prune = db.prepare<[string]>('DELETE FROM samples WHERE at < ?');
  const select = db.prepare<[string, string], { at: string; labels: string; value: number }>(
    'SELECT at, labels, value FROM samples WHERE series = ? AND at >= ? ORDER BY at, rowid',
  );
  const write = db.transaction((at: string, samples: readonly Sample[]) => {
    for (const sample of samples) insert.run(at, sample.series, labelKey(sample.labels), sample.value);
    prune.run(new Date(Date.parse(at) - RETENTION_MS).toISOString());
  });
  return {
    record(at, samples) {
      write(at, samples.map((s) => Sample.parse(s)));
    },
    read(series, since) {
      return select.all(series, since).map((row) => ({ at: row.at, series, labels: Labels.parse(JSON.parse(row.labels)), value: row.value }));
    },
    close() {
      db.close();
    },
  };
}
