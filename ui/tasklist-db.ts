import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { TaskHolder } from '../projections/notices/recipients';

/**
 * The UI's own operational state: who has claimed which task, and when each browser session was last
 * used. Neither is a domain fact (claiming changes nothing about a case), so it stays out of the event
 * store and can be thrown away without losing anything of record.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE claims (
     task_id         TEXT PRIMARY KEY,
     noc_id          TEXT NOT NULL,
     claimed_by      TEXT NOT NULL,
     claimed_by_name TEXT NOT NULL,
     claimed_at      TEXT NOT NULL
   );
   CREATE TABLE ui_sessions (
     token_hash   TEXT PRIMARY KEY,
     last_seen_ms INTEGER NOT NULL,
     expires_ms   INTEGER NOT NULL
   );`,
  // Reassignments change who holds a task: kept with who did it and why, for whoever asks later.
  `CREATE TABLE claim_log (
     id           INTEGER PRIMARY KEY,
     task_id      TEXT NOT NULL,
     case_id      TEXT NOT NULL,
     action       TEXT NOT NULL,
     from_user    TEXT NOT NULL,
     to_user      TEXT NOT NULL,
     actor_id     TEXT NOT NULL,
     actor_name   TEXT NOT NULL,
     reason       TEXT NOT NULL,
     at           TEXT NOT NULL
   );
   CREATE INDEX claim_log_by_task ON claim_log (task_id);`,
];

export function openTasklistDb(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  const applied = db.pragma('user_version', { simple: true }) as number;
  MIGRATIONS.slice(applied).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${applied + i + 1}`);
    })();
  });
  return db;
}

/**
 * Who holds a task on which case, read from the tasklist file by another process (the projector's mail
 * dispatcher, the API's inbox). It only reads, and never migrates: the UI owns the file and its
 * migrations. Opened at the first call that finds the file (not read-only: a read-only connection cannot
 * open a WAL file whose shared-memory file is gone); none while the file or its table does not exist yet.
 */
export function taskHoldersFrom(path: string): { holders: () => TaskHolder[]; close: () => void } {
  let db: Database.Database | undefined;
  let query: Database.Statement<[], TaskHolder> | undefined;
  return {
    holders() {
      try {
        if (db === undefined) {
          db = new Database(path, { fileMustExist: true });
          db.pragma('busy_timeout = 5000');
        }
        query ??= db.prepare<[], TaskHolder>('SELECT noc_id AS caseId, claimed_by AS userId FROM claims');
        return query.all();
      } catch (error) {
        // Duck-typed: the driver's errors are not always instances of this realm's Error (jest's sandbox).
        if (/unable to open|no such table|does not exist/.test(String((error as { message?: unknown } | null)?.message))) return [];
        throw error;
      }
    },
    close() {
      db?.close();
    },
  };
}
