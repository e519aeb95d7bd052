/**
 * The least any replay into these read models can cost, measured beside the rebuild in the same run: the
 * goal's raw baseline only reads and parses, while a rebuild must also validate what it reads and write
 * every row its read models hold. Two floors, each measured alone:
 *
 * - reading and decoding every event through the store's port (readAll in the replay's chunks, then
 *   `decode`: the envelope, the schema version, the zod schema of the type), with no read model;
 * - writing the rows the rebuilt read models hold and nothing else: their tables created empty in
 *   memory, every row inserted by a prepared statement in one transaction, then the secondary indexes
 *   built once over the filled tables (as a replay from the start does). No lookups, no JSON, no logic.
 *
 * Their sum is the time a replay that did no work of its own would take: its rate is the ceiling of any
 * rebuild into these tables, whatever the projections' code.
 */
import Database from 'better-sqlite3';
import type { EventStore, Position } from '../eventstore/port';
import { decode } from '../eventstore/registry';
import { READ_CHUNK } from '../projections/as-of';

export interface Cost {
  wallMs: number;
  cpuMs: number;
}

/** Rows copied from the rebuilt file at once; only the inserts of each batch are timed. */
const BATCH = 10_000;

class Stopwatch implements Cost {
  wallMs = 0;
  cpuMs = 0;
  time<T>(fn: () => T): T {
    const cpu = process.cpuUsage();
    const started = performance.now();
    try {
      return fn();
    } finally {
      this.wallMs += performance.now() - started;
      const used = process.cpuUsage(cpu);
      this.cpuMs += (used.user + used.system) / 1000;
    }
  }
}

/** Runs `fn` and returns its wall and CPU (user + system) milliseconds. */
export async function timed(fn: () => unknown): Promise<Cost> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await fn();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** Every event read through the port in the replay's chunks and decoded, as a replay reads them; returns the cost and how many. */
export async function readAndDecode(store: EventStore): Promise<Cost & { events: number }> {
  let events = 0;
  const cost = await timed(async () => {
    let after: Position | undefined;
    for (;;) {
      const chunk = await store.readAll({ after, maxCount: READ_CHUNK });
      for (const raw of chunk) decode(raw);
      events += chunk.length;
      const end = chunk.at(-1);
      if (end === undefined || chunk.length < READ_CHUNK) break;
      after = end.position;
    }
  });
  return { ...cost, events };
}

interface SchemaRow {
  type: 'table' | 'index';
  name: string;
  tbl_name: string;
  sql: string;
}

const quote = (name: string): string => JSON.stringify(name);

/** The rows of the read models in `rebuiltPath` (a rebuilt read-model file) written again with nothing else; returns the cost and how many. */
export function writeRowsAlone(rebuiltPath: string): Cost & { rows: number } {
  const source = new Database(rebuiltPath, { readonly: true });
  const target = new Database(':memory:');
  const watch = new Stopwatch();
  let rows = 0;
  try {
    // Indexes SQLite makes for primary keys and UNIQUE columns have no sql: creating the table makes them.
    const schema = source
      .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'")
      .all() as SchemaRow[];
    const tables = schema.filter((s) => s.type === 'table');
    for (const t of tables) target.exec(t.sql);
    watch.time(() => target.exec('BEGIN'));
    for (const t of tables) {
      const columns = (source.prepare(`PRAGMA table_info(${quote(t.name)})`).all() as { name: string }[]).map((c) => quote(c.name));
      const insert = target.prepare(`INSERT INTO ${quote(t.name)} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      const batch: unknown[][] = [];
      const write = (): void => {
        watch.time(() => {
          for (const row of batch) insert.run(row);
        });
        rows += batch.length;
        batch.length = 0;
      };
      for (const row of source.prepare(`SELECT ${columns.join(', ')} FROM ${quote(t.name)}`).raw(true).iterate() as Iterable<unknown[]>) {
        batch.push(row);
        if (batch.length === BATCH) write();
      }
      write();
    }
    for (const index of schema.filter((s) => s.type === 'index')) watch.time(() => target.exec(index.sql));
    watch.time(() => target.exec('COMMIT'));
  } finally {
    target.close();
    source.close();
  }
  return { wallMs: watch.wallMs, cpuMs: watch.cpuMs, rows };
}
