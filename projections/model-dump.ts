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

/**
 * A read model's content in a canonical order (tables by name, rows by every column), so that two
 * databases holding the same model dump to the same bytes whatever order their rows were written in.
 */
export function dumpModel(db: ReadModelDb, projection: Projection): ModelDump {
  const tables: ModelDump['tables'] = {};
  for (const table of tablesOf(projection)) {
    const columns = (db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string }[]).map((c) => JSON.stringify(c.name));
    tables[table] = db.prepare(`SELECT * FROM ${JSON.stringify(table)} ORDER BY ${columns.join(', ')}`).all() as Record<string, unknown>[];
  }
  return { model: projection.name, tables };
}

export function dumpAsJson(dump: ModelDump): string {
  return `${JSON.stringify(dump, null, 2)}\n`;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV document per table: a header row of column names, then the rows. */
export function tableAsCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export function columnsOf(db: ReadModelDb, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string }[]).map((c) => c.name);
}
