import Database from 'better-sqlite3';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** The tables a projection owns: those its setup creates in an empty database. */
export function tablesOf(projection: Projection): string[] {
  return [...tableKeysOf(projection).keys()];
}

function tablesIn(db: Database.Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

const keysByProjection = new WeakMap<Projection, ReadonlyMap<string, string[]>>();

/** Each table a projection owns with its primary key's columns, in key order: the order its pages are read in. */
export function tableKeysOf(projection: Projection): ReadonlyMap<string, string[]> {
  const known = keysByProjection.get(projection);
  if (known) return known;
  const scratch = new Database(':memory:');
  try {
    projection.setup(scratch);
    const keys = new Map(tablesIn(scratch).map((table) => [table, primaryKeyOf(scratch, table)]));
    keysByProjection.set(projection, keys);
    return keys;
  } finally {
    scratch.close();
  }
}

function primaryKeyOf(db: Database.Database, table: string): string[] {
  const columns = db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string; pk: number }[];
  const key = columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (key.length === 0) throw new Error(`Table ${table} has no primary key to read it in pages by`);
  return key;
}

/** A key's values, as a page's cursor carries them. */
export type KeyValues = (string | number)[];

/** The cursor after a row: its key's values, opaque to the caller. */
export function encodeCursor(values: KeyValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The key values a cursor carries, or undefined when it is not a cursor of a table with this key. */
export function decodeCursor(cursor: string, key: readonly string[]): KeyValues | undefined {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    const scalar = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    return Array.isArray(values) && values.length === key.length && values.every(scalar) ? values : undefined;
  } catch {
    return undefined;
  }
}

export interface TablePage {
  rows: Record<string, unknown>[];
  /** The cursor of the next page; null after the last row. */
  next: string | null;
}

/**
 * Up to `limit` rows of a table in the order of its primary key, after the row `after` names: read along
 * the key's index, so a page costs its rows whatever the table holds.
 */
export function pageOf(db: ReadModelDb, table: string, key: readonly string[], limit: number, after?: KeyValues): TablePage {
  const columns = key.map((c) => JSON.stringify(c)).join(', ');
  const where = after ? `WHERE (${columns}) > (${key.map(() => '?').join(', ')})` : '';
  const rows = db.prepare(`SELECT * FROM ${JSON.stringify(table)} ${where} ORDER BY ${columns} LIMIT ?`).all(...(after ?? []), limit + 1) as Record<string, unknown>[];
  const more = rows.length > limit;
  if (more) rows.pop();
  const last = rows.at(-1);
  return { rows, next: more && last ? encodeCursor(key.map((c) => last[c] as string | number)) : null };
}

export interface ModelDump {
  model: string;
  tables: Record<string, Record<string, unknown>[]>;
}

/** A table's rows in the canonical order: by every column, so equal content reads back equal. */
function orderedRows(db: ReadModelDb, table: string): Database.Statement {
  const columns = columnsOf(db, table).map((c) => JSON.stringify(c));
  return db.prepare(`SELECT * FROM ${JSON.stringify(table)} ORDER BY ${columns.join(', ')}`);
}

/**
 * A read model's content in a canonical order (tables by name, rows by every column), so that two
 * databases holding the same model dump to the same bytes whatever order their rows were written in.
 */
export function dumpModel(db: ReadModelDb, projection: Projection): ModelDump {
  const tables: ModelDump['tables'] = {};
  for (const table of tablesOf(projection)) tables[table] = orderedRows(db, table).all() as Record<string, unknown>[];
  return { model: projection.name, tables };
}

export function dumpAsJson(dump: ModelDump): string {
  return `${JSON.stringify(dump, null, 2)}\n`;
}

/** Chunks of about this many characters: large enough for few writes, small enough to stream. */
const CHUNK = 64 * 1024;

/**
 * Batches small pieces into chunks of about CHUNK characters; a model of millions of rows is then
 * written a chunk at a time, never held as one string.
 */
function* batched(pieces: Iterable<string>): Generator<string> {
  let buffered = '';
  for (const piece of pieces) {
    buffered += piece;
    if (buffered.length >= CHUNK) {
      yield buffered;
      buffered = '';
    }
  }
  if (buffered !== '') yield buffered;
}

function* modelJsonPieces(db: ReadModelDb, projection: Projection): Generator<string> {
  const tables = tablesOf(projection);
  yield `{\n  "model": ${JSON.stringify(projection.name)},\n  "tables": {`;
  for (const [t, table] of tables.entries()) {
    yield `${t === 0 ? '' : ','}\n    ${JSON.stringify(table)}: [`;
    let rows = 0;
    for (const row of orderedRows(db, table).iterate()) {
      // JSON.stringify never leaves a line break inside a value, so indenting its lines nests the row.
      yield `${rows === 0 ? '' : ','}\n${JSON.stringify(row, null, 2).replace(/^/gm, '      ')}`;
      rows += 1;
    }
    yield rows === 0 ? ']' : '\n    ]';
  }
  yield tables.length === 0 ? '}\n}\n' : '\n  }\n}\n';
}

/** dumpAsJson(dumpModel(db, projection)), byte for byte, read from the database row by row. */
export function modelAsJsonChunks(db: ReadModelDb, projection: Projection): Generator<string> {
  return batched(modelJsonPieces(db, projection));
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV document per table: a header row of column names, then the rows in the canonical order. */
export function tableAsCsvChunks(db: ReadModelDb, table: string): Generator<string> {
  const columns = columnsOf(db, table);
  function* lines(): Generator<string> {
    yield `${columns.map(csvCell).join(',')}\n`;
    for (const row of orderedRows(db, table).iterate() as Iterable<Record<string, unknown>>) {
      yield `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
    }
  }
  return batched(lines());
}

export function columnsOf(db: ReadModelDb, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string }[]).map((c) => c.name);
}
