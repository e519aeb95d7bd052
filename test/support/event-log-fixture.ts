import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EventMetadata } from '../../eventstore/envelope';
import type { RecordedEvent } from '../../eventstore/port';
import { openSqliteEventStore, type SqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';

/** Event logs recorded by earlier releases (scripts/export-event-log.ts), one stored event per line. */
export const EVENT_LOG_FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'event-logs');

const FixtureLine = z.object({
  id: z.string().min(1),
  stream: z.string().min(1),
  revision: z.number().int().nonnegative(),
  type: z.string().min(1),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
});

export function toFixtureLine(event: RecordedEvent): string {
  const { id, stream, revision, type, data, metadata } = event;
  return `${JSON.stringify({ id, stream, revision, type, data, metadata })}\n`;
}

/**
 * A fresh in-memory SQLite store holding the fixture's events as they were stored: written through the
 * bare adapter, so the links recorded in their metadata are kept, not recomputed.
 */
export async function openEventLogFixture(name: string): Promise<SqliteEventStore> {
  const lines = readFileSync(join(EVENT_LOG_FIXTURE_DIR, `${name}.jsonl`), 'utf8').split('\n').filter((l) => l.length > 0);
  const store = await openSqliteEventStore({ path: ':memory:' });
  for (const line of lines) {
    const e = FixtureLine.parse(JSON.parse(line));
    await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata as EventMetadata }], e.revision === 0 ? 'no-stream' : e.revision - 1);
  }
  return store;
}
