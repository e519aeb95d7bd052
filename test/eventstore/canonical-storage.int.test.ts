import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../../domain/shared/canonical-json';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventToAppend, RecordedEvent } from '../../eventstore/port';
import { EVENTS_SCHEMA } from '../../eventstore/sqlite/schema';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { EVENT_LOG_FIXTURE_DIR } from '../support/event-log-fixture';

/**
 * Appends through the hash chain store each event's data and metadata as the canonical JSON they hash
 * (serialized once), where earlier releases stored JSON.stringify's text. The verifier recomputes every
 * hash from the values it parses, so a log holding both kinds of row verifies, and a change to either
 * kind is found.
 */
interface Row {
  global_position: number;
  stream: string;
  revision: number;
  data: string;
  metadata: string;
}

const meta: Omit<EventMetadata, 'integrity'> = {
  schemaVersion: 1,
  policyVersion: 'p1',
  actor: { userId: 'u1', role: 'reviewer', name: 'Ré "viewer"' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:N1',
  causationId: 'c1',
};

/** Keys out of order at every depth, so canonical text and JSON.stringify's differ. */
const event = (stream: string, revision: number, note: string): EventToAppend => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { providedBy: 'u1', answer: note, details: { z: [3, { y: null, b: true }], a: 'line\nbreak', skipped: undefined } },
  metadata: meta as EventMetadata,
});

const isCanonical = (text: string): boolean => canonicalJson(JSON.parse(text)) === text;

let dir: string;
let path: string;
let oldRows: number;
const fixtureStreams = new Map<string, number>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'canonical-storage-'));
  path = join(dir, 'events.db');
  // The previous release's log, in the rows that release wrote: JSON.stringify of the values as they
  // were appended (the link last in the metadata), inserted as they are.
  const lines = readFileSync(join(EVENT_LOG_FIXTURE_DIR, 'previous-release.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
  const raw = new Database(path);
  raw.exec(EVENTS_SCHEMA);
  const insert = raw.prepare('INSERT INTO events (event_id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const setRevision = raw.prepare('INSERT INTO streams (stream, revision) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision');
  fixtureStreams.clear();
  raw.transaction(() => {
    for (const line of lines) {
      const e = JSON.parse(line) as RecordedEvent;
      insert.run(e.id, e.stream, e.revision, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), '2025-01-06T09:00:00.000Z');
      setRevision.run(e.stream, e.revision);
      fixtureStreams.set(e.stream, e.revision);
    }
  })();
  raw.close();
  oldRows = lines.length;
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function rows(): Row[] {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare('SELECT global_position, stream, revision, data, metadata FROM events ORDER BY global_position').all() as Row[];
  } finally {
    raw.close();
  }
}

/** Appends to three of the old log's streams (their chains go on from the old rows) and to two new streams. */
async function appendNewEvents(): Promise<EventToAppend[]> {
  const store = new HashChainedEventStore(await openSqliteEventStore({ path }));
  const appended: EventToAppend[] = [];
  try {
    for (const [stream, last] of [...fixtureStreams].slice(0, 3)) {
      const batch = [event(stream, last + 1, 'one'), event(stream, last + 2, 'two')];
      await store.append(stream, batch, last);
      appended.push(...batch);
    }
    for (const stream of ['noc-NOC-2026-7K3QX9TB', 'noc-NOC-2026-2B8HJ4MZ']) {
      await store.append(stream, [event(stream, 0, 'first')], 'no-stream');
      await store.append(stream, [event(stream, 1, 'second'), event(stream, 2, 'third')], 'any');
      appended.push(event(stream, 0, 'first'), event(stream, 1, 'second'), event(stream, 2, 'third'));
    }
  } finally {
    await store.close();
  }
  return appended;
}

async function verify(): Promise<Awaited<ReturnType<typeof verifyStore>>> {
  const store = await openSqliteEventStore({ path });
  try {
    return await verifyStore(store, { pageSize: 7 });
  } finally {
    await store.close();
  }
}

describe('the bytes an append stores', () => {
  it('are the canonical JSON of the data and of the metadata with its link, and read back as the values appended', async () => {
    const appended = await appendNewEvents();
    const written = rows().slice(oldRows);
    expect(written).toHaveLength(appended.length);
    const store = await openSqliteEventStore({ path });
    try {
      for (const [i, row] of written.entries()) {
        expect(isCanonical(row.data)).toBe(true);
        expect(isCanonical(row.metadata)).toBe(true);
        const e = appended[i] as EventToAppend;
        const [read] = await store.readStream(row.stream, { fromRevision: row.revision, maxCount: 1 });
        // What a reader gets is what JSON.stringify's text would have given.
        expect(read?.data).toEqual(JSON.parse(JSON.stringify(e.data)));
        expect(read?.metadata).toEqual({ ...e.metadata, integrity: { prev: expect.stringMatching(/^[0-9a-f]{64}$/), hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
      }
    } finally {
      await store.close();
    }
  });
});

describe('verifying a log with rows of both kinds', () => {
  it('holds the old rows (JSON.stringify’s text) and the new rows (canonical text), chains that run across both included', async () => {
    expect(rows().some((r) => !isCanonical(r.data) || !isCanonical(r.metadata))).toBe(true);
    const appended = await appendNewEvents();
    const result = await verify();
    expect(result.events).toBe(oldRows + appended.length);
    expect(result.breaks).toEqual([]);
  });

  it('finds a change to an old row and to a new row', async () => {
    await appendNewEvents();
    const [oldRow, newRow] = [rows()[5] as Row, rows()[oldRows + 7] as Row];
    const raw = new Database(path);
    raw.prepare("UPDATE events SET metadata = json_set(metadata, '$.causationId', 'forged') WHERE global_position = ?").run(oldRow.global_position);
    raw.prepare("UPDATE events SET data = json_set(data, '$.answer', 'forged') WHERE global_position = ?").run(newRow.global_position);
    raw.close();
    const result = await verify();
    expect(result.breaks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ stream: oldRow.stream, revision: oldRow.revision, problem: 'changed' }),
        expect.objectContaining({ stream: newRow.stream, revision: newRow.revision, problem: 'changed' }),
      ]),
    );
    expect(result.breaks).toHaveLength(2);
  });
});
