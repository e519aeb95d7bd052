import Database from 'better-sqlite3';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** The tables a projection owns: those its setup creates in an empty database. */
export function tablesOf(projection: Projection): string[] {
  const scratch = new Database(':memory:');
  try {
    projection.setup(scratch);
    return (scratch.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
      (r) => r.name,
    );
  } finally {
    scratch.close();
  }
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
