import type Database from 'better-sqlite3';
import { allProjections } from '../../projections';
import { tablesOf } from '../../projections/model-dump';

/**
 * Every read-model table of a database, each ordered by its primary key (then by every column, so a
 * table without one still reads back in one order), with every column; and a row-by-row comparison of
 * two such dumps. The projection checkpoints are compared by position and version only: their times
 * say when a batch was committed, which differs between any two runs.
 */
export type Row = Record<string, unknown>;
export interface ReadModelTables {
  /** Table name → its rows in primary-key order. */
  tables: Map<string, Row[]>;
  /** Table name → its primary-key columns (empty for a table without one). */
  keys: Map<string, string[]>;
}

export interface RowMismatch {
  table: string;
  /** The row's primary key (or its index when the table has none). */
  key: string;
  left: Row | undefined;
  right: Row | undefined;
}

/** The names of every table a projection owns, sorted. */
export function readModelTables(): string[] {
  return [...new Set(allProjections().flatMap((p) => tablesOf(p)))].sort();
}

interface Column {
  name: string;
  pk: number;
}

const quote = (name: string): string => JSON.stringify(name);

function columnsOf(db: Database.Database, table: string): Column[] {
  return db.prepare(`PRAGMA table_info(${quote(table)})`).all() as Column[];
}

/** Values that SQLite hands back as Buffers compare by content, written as hex. */
function normalised(row: Row): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = Buffer.isBuffer(v) ? `x'${v.toString('hex')}'` : v;
  return out;
}

export function dumpReadModelTables(db: Database.Database): ReadModelTables {
  const tables = new Map<string, Row[]>();
  const primaryKeys = new Map<string, string[]>();
  for (const table of readModelTables()) {
    const columns = columnsOf(db, table);
    if (columns.length === 0) throw new Error(`The read-model table ${table} does not exist`);
    const keys = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const order = [...keys, ...columns.filter((c) => c.pk === 0)].map((c) => quote(c.name));
    const rows = db.prepare(`SELECT * FROM ${quote(table)} ORDER BY ${order.join(', ')}`).all() as Row[];
    tables.set(table, rows.map(normalised));
    primaryKeys.set(table, keys.map((c) => c.name));
  }
  const checkpoints = db.prepare('SELECT name, position, version, error FROM projection_checkpoints ORDER BY name').all() as Row[];
  tables.set('projection_checkpoints', checkpoints);
  primaryKeys.set('projection_checkpoints', ['name']);
  return { tables, keys: primaryKeys };
}

function keyOf(columns: readonly string[], row: Row, index: number): string {
  return columns.length === 0 ? `row ${index}` : JSON.stringify(columns.map((c) => row[c]));
}

/** Every row that differs between two dumps, in table order; empty when they are identical. */
export function compareReadModelTables(left: ReadModelTables, right: ReadModelTables): RowMismatch[] {
  const mismatches: RowMismatch[] = [];
  const names = [...new Set([...left.tables.keys(), ...right.tables.keys()])].sort();
  for (const table of names) {
    const a = left.tables.get(table) ?? [];
    const b = right.tables.get(table) ?? [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const l = a[i];
      const r = b[i];
      if (l !== undefined && r !== undefined && JSON.stringify(l) === JSON.stringify(r)) continue;
      mismatches.push({ table, key: keyOf(left.keys.get(table) ?? right.keys.get(table) ?? [], (l ?? r) as Row, i), left: l, right: r });
    }
  }
  return mismatches;
}

/** How many rows each read-model table holds, for a test to show that every model had data. */
export function rowCounts(dump: ReadModelTables): Record<string, number> {
  return Object.fromEntries([...dump.tables].map(([table, rows]) => [table, rows.length]));
}
