import Database from 'better-sqlite3';
import { MAIL_DISPATCHER_TABLES } from '../../projections/mail/outbox';

/**
 * Every table of a read-model database with every column, each table's rows in primary-key order
 * (then by the other columns, so a table without a key still reads back in one order), and a
 * row-by-row comparison of two such dumps: a live database and a clean rebuild of the same log must
 * dump equal.
 */
export type Row = Record<string, unknown>;

export interface ReadModelDump {
  /** Table name → its rows in primary-key order. */
  tables: Map<string, Row[]>;
  /** Table name → its primary-key columns (empty for a table without one). */
  keys: Map<string, string[]>;
}

export interface DumpOptions {
  /** Tables left out: bookkeeping a rebuild does not reproduce (checkpoints, mail already sent). */
  exclude?: readonly string[];
  /**
   * Tables read with only these columns: the projection checkpoints' times say when a batch was
   * committed, which differs between any two runs, while their positions and versions must agree.
   */
  columns?: Readonly<Record<string, readonly string[]>>;
}

export interface RowMismatch {
  table: string;
  /** The row's primary key (its index when the table has none), or a note that only one side has the table. */
  key: string;
  left: Row | undefined;
  right: Row | undefined;
}

/**
 * The mail dispatcher's delivery state (sent, retrying, waiting): a rebuild of the notices recreates the
 * tables empty and every notice pending, while the live ones record what was mailed. The mail is checked
 * on its own (one file per notice recorded as sent).
 */
export const MAIL_TABLES = MAIL_DISPATCHER_TABLES;

/** Leaves out the projection checkpoints and the mail dispatcher's state: what a rebuild never writes again. */
export const BOOKKEEPING_TABLES = ['projection_checkpoints', ...MAIL_DISPATCHER_TABLES] as const;

/** The projection checkpoints compared by position and version only, not by when they were written. */
export const CHECKPOINT_POSITIONS: DumpOptions['columns'] = { projection_checkpoints: ['name', 'position', 'version', 'error'] };

interface Column {
  name: string;
  pk: number;
}

const quote = (name: string): string => JSON.stringify(name);

/** Values that SQLite hands back as Buffers compare by content, written as hex. */
function normalised(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v;
  return out;
}

export function dumpReadModels(db: Database.Database, options: DumpOptions = {}): ReadModelDump {
  const exclude = new Set(options.exclude ?? []);
  const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
    .map((r) => r.name)
    .filter((name) => !exclude.has(name));
  const tables = new Map<string, Row[]>();
  const primaryKeys = new Map<string, string[]>();
  for (const table of names) {
    const only = options.columns?.[table];
    const columns = (db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Column[]).filter((c) => only === undefined || only.includes(c.name));
    const keys = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const order = [...keys, ...columns.filter((c) => c.pk === 0)].map((c) => quote(c.name));
    const rows = db.prepare(`SELECT ${columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)} ORDER BY ${order.join(', ')}`).all() as Row[];
    tables.set(table, rows.map(normalised));
    primaryKeys.set(table, keys.map((c) => c.name));
  }
  return { tables, keys: primaryKeys };
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

function keyOf(columns: readonly string[], row: Row, index: number): string {
  return columns.length === 0 ? `row ${index}` : JSON.stringify(columns.map((c) => row[c]));
}

/** Every row that differs between two dumps, in table order, and every table only one side has; empty when they are identical. */
export function compareReadModels(left: ReadModelDump, right: ReadModelDump): RowMismatch[] {
  const mismatches: RowMismatch[] = [];
  const names = [...new Set([...left.tables.keys(), ...right.tables.keys()])].sort();
  for (const table of names) {
    const a = left.tables.get(table);
    const b = right.tables.get(table);
    if (a === undefined || b === undefined) {
      mismatches.push({ table, key: `the table is only in the ${a === undefined ? 'right' : 'left'} database`, left: undefined, right: undefined });
      continue;
    }
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const l = a[i];
      const r = b[i];
      if (l !== undefined && r !== undefined && JSON.stringify(l) === JSON.stringify(r)) continue;
      mismatches.push({ table, key: keyOf(left.keys.get(table) ?? [], (l ?? r) as Row, i), left: l, right: r });
    }
  }
  return mismatches;
}

/** How many rows each table holds, for a test to show that every model had data. */
export function rowCounts(dump: ReadModelDump): Record<string, number> {
  return Object.fromEntries([...dump.tables].map(([table, rows]) => [table, rows.length]));
}
