import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventMetadata } from '../../eventstore/envelope';
import { START, type EventToAppend, type RecordedEvent } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { describeEventStoreContract } from './contract';

const dir = mkdtempSync(join(tmpdir(), 'eventstore-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tempFile = () => join(dir, `${randomUUID()}.db`);

describeEventStoreContract('SQLite in memory', () => openSqliteEventStore({ path: ':memory:', pollMs: 20 }));
describeEventStoreContract('SQLite on a file', () => openSqliteEventStore({ path: tempFile(), pollMs: 20 }));

const meta: EventMetadata = {
  schemaVersion: 1,
  actor: { userId: 'u-pse', role: 'pse', jurisdiction: 'sindh' },
  occurredAt: '2026-01-10T08:00:00.000Z',
  correlationId: 'noc:N-1',
  causationId: 'cmd-1',
  policyVersion: 'p1',
};
const ev = (label: string): EventToAppend => ({ id: randomUUID(), type: 'ContractTested', data: { label }, metadata: meta });

describe('the SQLite event store on a file', () => {
  it('lets a second instance on the same file see the first one’s appends live, and guards revisions across them', async () => {
    const path = tempFile();
    const writer = await openSqliteEventStore({ path, pollMs: 20 });
    const reader = await openSqliteEventStore({ path, pollMs: 20 });
    try {
      await writer.append('noc-A', [ev('a0')], 'no-stream');
      const seen: RecordedEvent[] = [];
      let caughtUp = false;
      const sub = reader.subscribeToAll({
        onEvent: (e) => {
          seen.push(e);
        },
        onCaughtUp: () => {
          caughtUp = true;
        },
      });
      const deadline = Date.now() + 5000;
      while (!caughtUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen.map((e) => e.data)).toEqual([{ label: 'a0' }]);

      await writer.append('noc-A', [ev('a1')], 0);
      await writer.append('noc-B', [ev('b0')], 'no-stream');
      while (seen.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen.map((e) => e.data)).toEqual([{ label: 'a0' }, { label: 'a1' }, { label: 'b0' }]);
      await sub.close();

      // The reader's append sees the writer's revision: the file, not the instance, holds the truth.
      await expect(reader.append('noc-A', [ev('stale')], 0)).rejects.toMatchObject({ code: 'WRONG_EXPECTED_REVISION', actual: 1 });
      await expect(reader.append('noc-A', [ev('a2')], 1)).resolves.toMatchObject({ nextExpectedRevision: 2 });
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('keeps its events, revisions and positions across a reopen, in WAL mode', async () => {
    const path = tempFile();
    const first = await openSqliteEventStore({ path });
    const written = await first.append('noc-R', [ev('r0'), ev('r1')], 'no-stream');
    await first.close();

    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();

    const again = await openSqliteEventStore({ path });
    try {
      expect(await again.headPosition()).toEqual(written.position);
      const next = await again.append('noc-R', [ev('r2')], 1);
      expect(next.nextExpectedRevision).toBe(2);
      expect(next.position.commit).toBe(written.position.commit + 1n);
      expect((await again.readStream('noc-R')).map((e) => e.data)).toEqual([{ label: 'r0' }, { label: 'r1' }, { label: 'r2' }]);
    } finally {
      await again.close();
    }
  });

  it('creates the directory of its file when it does not exist', async () => {
    const store = await openSqliteEventStore({ path: join(dir, 'nested', randomUUID(), 'events.db') });
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });
});

describe('the SQLite event store', () => {
  it('starts empty: its head is the start of the log and reading all from the start returns everything', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      expect(await store.headPosition()).toEqual(START);
      expect(await store.readAll()).toEqual([]);
      await store.append('noc-1', [ev('x')], 'no-stream');
      await store.append('noc-2', [ev('y')], 'no-stream');
      expect((await store.readAll()).map((e) => [e.stream, e.position.commit, e.position.prepare])).toEqual([
        ['noc-1', 1n, 1n],
        ['noc-2', 2n, 2n],
      ]);
    } finally {
      await store.close();
    }
  });

  it('records events with its own clock, whatever time the event says it occurred', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      const before = new Date().toISOString();
      await store.append('noc-1', [ev('x')], 'no-stream');
      const after = new Date().toISOString();
      const [e] = await store.readStream('noc-1');
      expect(e!.recordedAt >= before && e!.recordedAt <= after).toBe(true);
      expect(e!.metadata.occurredAt).toBe('2026-01-10T08:00:00.000Z');
    } finally {
      await store.close();
    }
  });

  it('rejects a negative or fractional expected revision and a batch that repeats an id', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      await expect(store.append('noc-1', [ev('x')], -1)).rejects.toBeInstanceOf(RangeError);
      await expect(store.append('noc-1', [ev('x')], 0.5)).rejects.toBeInstanceOf(RangeError);
      const twice = ev('twice');
      await expect(store.append('noc-1', [twice, twice], 'no-stream')).rejects.toThrow(/same event id twice/);
      expect(await store.readStream('noc-1')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('closes its live subscriptions when it closes', async () => {
    const store = await openSqliteEventStore({ path: ':memory:', pollMs: 10 });
    const seen: string[] = [];
    store.subscribeToAll({ onEvent: (e) => void seen.push(e.id) });
    const e = ev('x');
    await store.append('noc-1', [e], 'no-stream');
    const deadline = Date.now() + 5000;
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await store.close();
    expect(seen).toEqual([e.id]);
    expect(() => store.subscribeToAll({ onEvent: () => undefined })).toThrow(/closed/);
  });
});
