import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId } from '../../eventstore/envelope';
import { ChainVerifier, GENESIS_HASH, HashChainedEventStore, verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore, EventToAppend, RecordedEvent } from '../../eventstore/port';
import { EVENT_LOG_FIXTURE_DIR } from '../support/event-log-fixture';
import { REVIEWER_METADATA } from '../support/event-metadata';

const meta = REVIEWER_METADATA;
const event = (stream: string, revision: number, note: string): EventToAppend => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { answer: note, providedBy: 'u1' },
  metadata: meta,
});

/**
 * The SQLite adapter as the chain sees an adapter without a transaction to link in (EventStoreDB): the
 * chain then reads the predecessor before it appends.
 */
function withoutLinkedAppend(inner: EventStore): EventStore {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'appendLinked') return undefined;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const PATHS = [
  ['inside the append’s transaction (SQLite)', (inner: EventStore) => inner],
  ['after reading the predecessor (an adapter without transactions)', withoutLinkedAppend],
] as const;

describe.each(PATHS)('the hash chain written by the store port, linked %s', (_how, adapt) => {
  let dir: string;
  let path: string;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chain-'));
    path = join(dir, 'events.db');
    store = new HashChainedEventStore(adapt(await openSqliteEventStore({ path })));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function fill(stream: string, count: number): Promise<void> {
    await store.append(stream, [event(stream, 0, 'first')], 'no-stream');
    for (let r = 1; r < count; r++) await store.append(stream, [event(stream, r, `answer ${r}`)], r - 1);
  }

  it('links every event to its predecessor, from the genesis hash on', async () => {
    await fill('noc-A', 4);
    const events = await store.readStream('noc-A');
    expect(events[0]?.metadata.integrity?.prev).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]?.metadata.integrity?.prev).toBe(events[i - 1]?.metadata.integrity?.hash);
    expect(verifyStreamChain('noc-A', events)).toBeUndefined();
  });

  it('gives a retried batch the same links, so the retry writes nothing', async () => {
    await fill('noc-A', 2);
    await store.append('noc-A', [event('noc-A', 2, 'x'), event('noc-A', 3, 'y')], 1);
    await store.append('noc-A', [event('noc-A', 2, 'x'), event('noc-A', 3, 'y')], 1);
    const events = await store.readStream('noc-A');
    expect(events).toHaveLength(4);
    expect(verifyStreamChain('noc-A', events)).toBeUndefined();
  });

  it('chains appends made with any expected revision onto the current head', async () => {
    await fill('noc-A', 2);
    await store.append('noc-A', [event('noc-A', 2, 'late')], 'any');
    expect(verifyStreamChain('noc-A', await store.readStream('noc-A'))).toBeUndefined();
  });

  it('locates a change made to the database behind the store’s back', async () => {
    await fill('noc-A', 5);
    const raw = new Database(path);
    raw.prepare("UPDATE events SET data = json_set(data, '$.answer', 'forged') WHERE stream = 'noc-A' AND revision = 3").run();
    raw.close();
    expect(verifyStreamChain('noc-A', await store.readStream('noc-A'))).toMatchObject({ revision: 3, problem: 'changed' });
  });

  it('locates a removed event', async () => {
    await fill('noc-A', 5);
    const raw = new Database(path);
    raw.prepare("DELETE FROM events WHERE stream = 'noc-A' AND revision = 2").run();
    raw.close();
    expect(verifyStreamChain('noc-A', await store.readStream('noc-A'))).toMatchObject({ revision: 2, problem: 'removed' });
  });
});

describe('verifying a whole store', () => {
  it('reports every broken stream with its first bad revision and leaves intact streams alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-'));
    const path = join(dir, 'events.db');
    const store = new HashChainedEventStore(await openSqliteEventStore({ path }));
    try {
      for (const stream of ['noc-A', 'noc-B', 'noc-C']) {
        await store.append(stream, [event(stream, 0, 'a'), event(stream, 1, 'b'), event(stream, 2, 'c')], 'no-stream');
      }
      expect(await verifyStore(store, { pageSize: 2 })).toMatchObject({ streams: 3, events: 9, breaks: [] });
      const raw = new Database(path);
      raw.prepare("UPDATE events SET type = 'NocRevoked' WHERE stream = 'noc-B' AND revision = 1").run();
      raw.prepare("UPDATE events SET metadata = json_set(metadata, '$.actor.userId', 'someone-else') WHERE stream = 'noc-C' AND revision = 0").run();
      raw.close();
      const result = await verifyStore(store, { pageSize: 2 });
      expect(result.breaks).toEqual([
        expect.objectContaining({ stream: 'noc-B', revision: 1, problem: 'changed' }),
        expect.objectContaining({ stream: 'noc-C', revision: 0, problem: 'changed' }),
      ]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const links = (events: readonly RecordedEvent[]) => events.map((e) => [e.stream, e.revision, e.metadata.integrity]);

describe('the links themselves', () => {
  it('are the same bytes whichever way the chain is linked, retries and appends with any revision included', async () => {
    const written: RecordedEvent[][] = [];
    for (const [, adapt] of PATHS) {
      const store = new HashChainedEventStore(adapt(await openSqliteEventStore({ path: ':memory:' })));
      await store.append('noc-A', [event('noc-A', 0, 'a'), event('noc-A', 1, 'b')], 'no-stream');
      await store.append('noc-B', [event('noc-B', 0, 'c')], 'any');
      await store.append('noc-A', [event('noc-A', 2, 'd')], 1);
      await store.append('noc-A', [event('noc-A', 2, 'd')], 1);
      await store.append('noc-B', [event('noc-B', 1, 'e'), event('noc-B', 2, 'f')], 'stream-exists');
      await store.append('noc-A', [event('noc-A', 3, 'g')], 'any');
      written.push(await store.readAll());
      await store.close();
    }
    const [inTransaction, readFirst] = written as [RecordedEvent[], RecordedEvent[]];
    expect(inTransaction).toHaveLength(7);
    expect(links(inTransaction)).toEqual(links(readFirst));
    const verifier = new ChainVerifier();
    for (const e of inTransaction) verifier.check(e);
    expect(verifier.breaks).toEqual([]);
  });

  it('recomputed for the previous release’s log, are the links it recorded', async () => {
    const lines = readFileSync(join(EVENT_LOG_FIXTURE_DIR, 'previous-release.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
    const recorded = lines.map((l) => JSON.parse(l) as RecordedEvent);
    const store = new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' }));
    try {
      for (const e of recorded) {
        const { integrity: _recorded, ...metadata } = e.metadata;
        await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata }], e.revision === 0 ? 'no-stream' : e.revision - 1);
      }
      const rewritten = await store.readAll();
      expect(rewritten.length).toBe(recorded.length);
      expect(recorded.every((e) => /^[0-9a-f]{64}$/.test(e.metadata.integrity?.hash ?? ''))).toBe(true);
      expect(links(rewritten)).toEqual(links(recorded));
    } finally {
      await store.close();
    }
  });
});

describe('the SQLite adapter’s linked append', () => {
  it('hands the linker the head’s hash and the first new revision, and does not call it for a retry', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      const calls: [string | undefined, number][] = [];
      const link = (batch: EventToAppend[], hash: string) => (prev: string | undefined, first: number) => {
        calls.push([prev, first]);
        return batch.map((e) => ({ ...e, metadata: { ...e.metadata, integrity: { prev: prev ?? GENESIS_HASH, hash } } }));
      };
      const first = [event('noc-A', 0, 'a')];
      const second = [event('noc-A', 1, 'b'), event('noc-A', 2, 'c')];
      await store.appendLinked('noc-A', first, 'no-stream', link(first, 'a'.repeat(64)));
      await store.appendLinked('noc-A', second, 'any', link(second, 'b'.repeat(64)));
      await store.appendLinked('noc-A', second, 0, link(second, 'c'.repeat(64)));
      expect(calls).toEqual([
        [undefined, 0],
        ['a'.repeat(64), 1],
      ]);
      expect((await store.readStream('noc-A')).map((e) => e.metadata.integrity?.hash)).toEqual(['a'.repeat(64), 'b'.repeat(64), 'b'.repeat(64)]);
    } finally {
      await store.close();
    }
  });

  it('refuses a linker that changes the batch’s ids, and writes nothing of it', async () => {
    const store = await openSqliteEventStore({ path: ':memory:' });
    try {
      const batch = [event('noc-A', 0, 'a')];
      await expect(store.appendLinked('noc-A', batch, 'no-stream', () => [event('noc-A', 7, 'a')])).rejects.toThrow('the linker changed the batch');
      expect(await store.readStream('noc-A')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
