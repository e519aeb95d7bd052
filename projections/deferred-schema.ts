import type Database from 'better-sqlite3';
import type { ReadModelDb } from './db';
import type { Projection } from './projection';

/** A trigger a replay may leave out, and the one statement that does afterwards what it did row by row. */
export interface DeferredTrigger {
  name: string;
  catchUp: string;
}

/**
 * Secondary indexes and triggers a replay from the start (or a swap into emptied tables) can leave out
 * while it writes: indexes no projection reads while it is replayed (each projection lists its own in
 * `bulk.deferredIndexes`; they serve the API's queries), and triggers whose work one statement can do
 * over the finished tables. Every row written into an index costs about as much as the row itself,
 * and building the index once over the finished table is a single sort. Leaving out an index a
 * projection did read would cost time, never rows: SQLite answers the same query by scanning.
 *
 * Returns the statements that put them back (catch-ups first, then the definitions), for finishSchema.
 */
export function dropDeferredSchema(db: ReadModelDb, projections: readonly Projection[], options: { triggers: boolean }): string[] {
  const find = db.prepare('SELECT sql FROM main.sqlite_master WHERE type = ? AND name = ?') as Database.Statement<[string, string], { sql: string | null }>;
  const definitionOf = (p: Projection, type: 'index' | 'trigger', name: string): string => {
    const sql = find.get(type, name)?.sql;
    // A name its setup does not create is a mistake in the list: say so rather than skip it.
    if (!sql) throw new Error(`Projection ${p.name} defers ${type} ${name}, which its setup does not create`);
    return sql;
  };
  const catchUps: string[] = [];
  const definitions: string[] = [];
  for (const p of projections) {
    for (const name of p.bulk?.deferredIndexes ?? []) {
      definitions.push(definitionOf(p, 'index', name));
      db.exec(`DROP INDEX main.${JSON.stringify(name)}`);
    }
    if (!options.triggers) continue;
    for (const t of p.bulk?.deferredTriggers ?? []) {
      definitions.push(definitionOf(p, 'trigger', t.name));
      catchUps.push(t.catchUp);
      db.exec(`DROP TRIGGER main.${JSON.stringify(t.name)}`);
    }
  }
  return [...catchUps, ...definitions];
}

export function finishSchema(db: ReadModelDb, statements: readonly string[]): void {
  for (const sql of statements) db.exec(sql);
}
