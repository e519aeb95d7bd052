import Database from 'better-sqlite3';

/**
 * Every table of a read-model database, each table's rows ordered by its primary key (by every column
 * when it has none), so a live database and a clean rebuild of the same log dump to equal values.
 */
export type ReadModelDump = Record<string, Record<string, unknown>[]>;

export interface DumpOptions {
  /** Tables left out: bookkeeping that a rebuild does not reproduce (checkpoints, mail already sent). */
  exclude?: readonly string[];
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function orderOf(db: Database.Database, table: string): string[] {
  const columns = db.prepare(`PRAGMA table_info(${quoted(table)})`).all() as { name: string; pk: number }[];
  const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
  return (key.length > 0 ? key : columns).map((c) => quoted(c.name));
}

export function dumpReadModels(db: Database.Database, options: DumpOptions = {}): ReadModelDump {
  const exclude = new Set(options.exclude ?? []);
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)
    .filter((name) => !exclude.has(name));
  const dump: ReadModelDump = {};
  for (const table of tables) {
    dump[table] = db.prepare(`SELECT * FROM ${quoted(table)} ORDER BY ${orderOf(db, table).join(', ')}`).all() as Record<string, unknown>[];
  }
  return dump;
}

/** Opens the database file read-only and dumps it. */
export function dumpReadModelFile(path: string, options: DumpOptions = {}): ReadModelDump {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return dumpReadModels(db, options);
  } finally {
    db.close();
  }
}

/**
 * Where two dumps differ, one line per table: a table only one side has, a different row count, or
 * the first row that differs. Empty when they are equal row by row.
 */
export function readModelDifferences(live: ReadModelDump, rebuilt: ReadModelDump): string[] {
  const differences: string[] = [];
  for (const table of [...new Set([...Object.keys(live), ...Object.keys(rebuilt)])].sort()) {
    const a = live[table];
    const b = rebuilt[table];
    if (a === undefined || b === undefined) {
      differences.push(`${table}: only in the ${a === undefined ? 'rebuilt' : 'live'} database`);
      continue;
    }
    if (a.length !== b.length) differences.push(`${table}: ${a.length} live rows, ${b.length} rebuilt`);
    const first = a.findIndex((row, i) => JSON.stringify(row) !== JSON.stringify(b[i]));
    if (first >= 0) differences.push(`${table} row ${first}: live ${JSON.stringify(a[first])} rebuilt ${JSON.stringify(b[first])}`);
  }
  return differences;
}
