import { positionFromString, positionToString, type Position } from '../eventstore/port';
import type { ReadModelDb } from './db';
import { statementCache } from './projection';

/** A projection's stored progress. `position` is null until it has applied its first event. */
export interface CheckpointRow {
  name: string;
  position: Position | null;
  version: number;
  updatedAt: string;
  error: string | null;
}

interface RawCheckpoint {
  name: string;
  position: string | null;
  version: number;
  updated_at: string;
  error: string | null;
}

function fromRaw(raw: RawCheckpoint): CheckpointRow {
  return {
    name: raw.name,
    position: raw.position === null ? null : positionFromString(raw.position),
    version: raw.version,
    updatedAt: raw.updated_at,
    error: raw.error,
  };
}

// The runner reads and writes every checkpoint once per batch: prepared once per connection.
const statements = statementCache((db) => ({
  read: db.prepare('SELECT name, position, version, updated_at, error FROM projection_checkpoints WHERE name = ?'),
  write: db.prepare(
    `INSERT INTO projection_checkpoints (name, position, version, updated_at, error) VALUES (?, ?, ?, ?, NULL)
     ON CONFLICT(name) DO UPDATE SET position = excluded.position, version = excluded.version,
       updated_at = excluded.updated_at, error = NULL`,
  ),
}));

export function readCheckpoint(db: ReadModelDb, name: string): CheckpointRow | undefined {
  const raw = statements.get(db).read.get(name) as RawCheckpoint | undefined;
  return raw && fromRaw(raw);
}

/** Every projection's progress, for health endpoints (the API reads this from its own connection). */
export function readCheckpoints(db: ReadModelDb): CheckpointRow[] {
  const rows = db.prepare('SELECT name, position, version, updated_at, error FROM projection_checkpoints ORDER BY name').all() as RawCheckpoint[];
  return rows.map(fromRaw);
}

export function writeCheckpoint(db: ReadModelDb, name: string, position: Position | null, version: number, at: string): void {
  statements.get(db).write.run(name, position === null ? null : positionToString(position), version, at);
}

export function writeCheckpointError(db: ReadModelDb, names: readonly string[], error: string, at: string): void {
  const stmt = db.prepare('UPDATE projection_checkpoints SET error = ?, updated_at = ? WHERE name = ?');
  for (const name of names) stmt.run(error, at, name);
}
