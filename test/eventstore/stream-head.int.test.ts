import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GENESIS_HASH, HashChainedEventStore, linkHash } from '../../eventstore/integrity/hash-chain';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventToAppend } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { answer } from '../support/answers';
import { REVIEWER_METADATA } from '../support/event-metadata';

/**
 * The SQLite adapter keeps each stream's head link in `streams`, beside its revision, so a chained append
 * reads one row. Files of an earlier release have no such column, and an earlier release's process writing
 * to the same file moves a stream's revision without it: either way the append must chain onto the link
 * the head event carries.
 */
const meta = REVIEWER_METADATA;
const STREAM = 'noc-NOC-2026-7K3QX9TB';
const event = (revision: number): EventToAppend => answer(STREAM, revision, meta);

/** The `streams` table an earlier release created: the revision alone. */
const EARLIER_STREAMS_TABLE = 'CREATE TABLE streams (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL) WITHOUT ROWID';

/** Writes the event as an earlier release did: its link computed on `prev`, and only the revision in `streams`. */
function writeAsEarlierRelease(db: Database.Database, revision: number, prev: string): string {
  const e = event(revision);
  const hash = linkHash(prev, { ...e, stream: STREAM, revision });
  db.prepare('INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    e.id,
    STREAM,
    revision,
    e.type,
    JSON.stringify(e.data),
    JSON.stringify({ ...e.metadata, integrity: { prev, hash } }),
    '2025-01-06T09:00:00.000Z',
  );
  db.prepare('INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision').run(STREAM, revision);
  return hash;
}

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-head-'));
  path = join(dir, 'events.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function appendChained(events: EventToAppend[], expected: number | 'no-stream'): Promise<void> {
  const store = new HashChainedEventStore(await openSqliteEventStore({ path }));
  try {
    await store.append(STREAM, events, expected);
  } finally {
    await store.close();
  }
}

async function linksAndVerification(): Promise<{ links: { prev?: string; hash?: string }[]; breaks: number }> {
  const store = await openSqliteEventStore({ path });
  try {
    const links = (await store.readStream(STREAM)).map((e) => ({ prev: e.metadata.integrity?.prev, hash: e.metadata.integrity?.hash }));
    return { links, breaks: (await verifyStore(store)).breaks.length };
  } finally {
    await store.close();
  }
}

describe('the head link a chained SQLite append continues from', () => {
  it('is kept beside the stream’s revision, the link of the event at that revision', async () => {
    await appendChained([event(0), event(1)], 'no-stream');
    const db = new Database(path, { readonly: true });
    const row = db.prepare('SELECT revision, head_hash, head_hash_revision FROM streams WHERE stream = ?').get(STREAM);
    db.close();
    const { links } = await linksAndVerification();
    expect(row).toEqual({ revision: 1, head_hash: links[1]?.hash, head_hash_revision: 1 });
  });

  it('is read from the head event of a file an earlier release wrote, whose streams table gains the column', async () => {
    const db = new Database(path);
    db.exec(EARLIER_STREAMS_TABLE);
    db.exec(
      'CREATE TABLE events (global_position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL, revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream, revision))',
    );
    const head = writeAsEarlierRelease(db, 0, GENESIS_HASH);
    db.close();

    await appendChained([event(1)], 0);
    const { links, breaks } = await linksAndVerification();
    expect(links[1]?.prev).toBe(head);
    expect(breaks).toBe(0);
  });

  it('is read from the head event when an earlier release’s process moved the stream on after this one', async () => {
    await appendChained([event(0)], 'no-stream');
    const db = new Database(path);
    const before = (await linksAndVerification()).links[0]?.hash as string;
    const moved = writeAsEarlierRelease(db, 1, before);
    db.close();

    await appendChained([event(2)], 1);
    const { links, breaks } = await linksAndVerification();
    expect(links.map((l) => l.prev)).toEqual([GENESIS_HASH, before, moved]);
    expect(breaks).toBe(0);
  });
});
