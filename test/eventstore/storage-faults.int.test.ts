import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { statusOf, asDomainError } from '../../api/errors';
import { eventId } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore, EventToAppend } from '../../eventstore/port';
import { applyPragmas } from '../../eventstore/sqlite/schema';
import { SqliteEventStore, openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { reportFigures } from '../support/figures';
import { REVIEWER_METADATA } from '../support/event-metadata';

/**
 * Issue 14, item 4, at the store: SQLite busy past its timeout, and no space left. Either way the
 * append is refused as a whole with the stable code UNAVAILABLE (the API's 503), the log holds no part
 * of the batch, and the same append succeeds once the lock is released or space is back.
 */
const meta = REVIEWER_METADATA;
/** A batch of `count` events from `from` on, each carrying `bytes` of text. */
const batch = (stream: string, from: number, count: number, bytes = 100): EventToAppend[] =>
  Array.from({ length: count }, (_, i) => ({
    id: eventId(stream, from + i),
    type: 'NocInformationProvided',
    data: { answer: `${from + i} `.padEnd(bytes, 'x'), providedBy: 'u1' },
    metadata: meta,
  }));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'storage-faults-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function expectUnavailable(append: Promise<unknown>, reason: 'busy' | 'full'): Promise<void> {
  const err = await append.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'UNAVAILABLE', reason });
  // What the API answers for it: 503 with the stable code and the store's plain message.
  const answered = asDomainError(err);
  expect({ status: statusOf(answered), code: answered.code }).toEqual({ status: 503, code: 'UNAVAILABLE' });
  expect(answered.message).toMatch(/nothing was written/);
}

describe('the event store when SQLite is busy', () => {
  it('refuses an append with UNAVAILABLE when another connection holds the write lock past the busy timeout, writes none of it, and takes it once the lock is released', async () => {
    const path = join(dir, 'events.db');
    const store: EventStore = new HashChainedEventStore(await openSqliteEventStore({ path, busyTimeoutMs: 200 }));
    const holder = new Database(path);
    try {
      await store.append('noc-B', batch('noc-B', 0, 2), 'no-stream');
      holder.pragma('busy_timeout = 0');
      holder.exec('BEGIN IMMEDIATE');
      holder.prepare("INSERT INTO streams (stream, revision) VALUES ('lock-holder', 0)").run();

      await expectUnavailable(store.append('noc-B', batch('noc-B', 2, 3), 1), 'busy');
      // Reads go on beside the writer that holds the lock (WAL).
      expect((await store.readStream('noc-B')).map((e) => e.revision)).toEqual([0, 1]);

      holder.exec('ROLLBACK');
      await expect(store.append('noc-B', batch('noc-B', 2, 3), 1)).resolves.toMatchObject({ nextExpectedRevision: 4 });
      const log = await store.readAll();
      expect(log.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      expect(await verifyStore(store)).toMatchObject({ events: 5, breaks: [] });
      reportFigures('SQLite busy', { refused: 1, partialEvents: log.length - 5, eventsAfterRecovery: log.length });
    } finally {
      holder.close();
      await store.close();
    }
  });
});

describe('the event store when its disk is full', () => {
  it('refuses a batch that does not fit with UNAVAILABLE, keeps no part of it, and takes it once space is back', async () => {
    const path = join(dir, 'events.db');
    const db = new Database(path);
    applyPragmas(db, 'FULL');
    const store: EventStore = new HashChainedEventStore(new SqliteEventStore(db));
    try {
      await store.append('noc-F', batch('noc-F', 0, 3), 'no-stream');
      const pages = db.pragma('page_count', { simple: true }) as number;
      // No room to grow: as a full disk, to SQLite. The batch needs many new pages, so it fails part way through.
      db.pragma(`max_page_count = ${pages}`);
      const big = batch('noc-F', 3, 40, 4000);
      await expectUnavailable(store.append('noc-F', big, 2), 'full');
      await expectUnavailable(store.append('noc-F', big, 2), 'full');
      const during = await store.readAll();
      expect(during.map((e) => e.revision)).toEqual([0, 1, 2]);

      db.pragma('max_page_count = 1073741823');
      await expect(store.append('noc-F', big, 2)).resolves.toMatchObject({ nextExpectedRevision: 42 });
      const log = await store.readStream('noc-F');
      expect(log.map((e) => e.revision)).toEqual(Array.from({ length: 43 }, (_, r) => r));
      expect(new Set(log.map((e) => e.id)).size).toBe(43);
      expect(await verifyStore(store)).toMatchObject({ events: 43, breaks: [] });
      reportFigures('disk full', { refused: 2, partialEvents: during.length - 3, eventsAfterRecovery: log.length });
    } finally {
      await store.close();
    }
  });
});
