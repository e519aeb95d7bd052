import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { GENESIS_HASH, HashChainedEventStore, verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore, EventToAppend } from '../../eventstore/port';

const meta: EventMetadata = {
  schemaVersion: 1,
  actor: { userId: 'u1', role: 'reviewer' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:N1',
  causationId: 'c1',
  policyVersion: 'p1',
};
const event = (stream: string, revision: number, note: string): EventToAppend => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { answer: note, providedBy: 'u1' },
  metadata: meta,
});

describe('the hash chain written by the store port', () => {
  let dir: string;
  let path: string;
  let store: EventStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'chain-'));
    path = join(dir, 'events.db');
    store = new HashChainedEventStore(await openSqliteEventStore({ path }));
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
