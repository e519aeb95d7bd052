import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CheckpointIndex } from '../../audit/checkpoint-index';
import { verifyCaseStreams } from '../../audit/dossier-verification';
import { AUDIT_CHECKPOINT_STREAM } from '../../eventstore/integrity/checkpoint-events';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import type { EventStore, ReadStreamOptions } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { writeAnswers } from '../support/answers';


describe('a dossier’s checks against the checkpoint feed, through the index of which checkpoint last named each stream', () => {
  let dir: string;
  let path: string;
  let store: EventStore;
  let signer: AuditSigner;
  let trusted: Record<string, string>;
  let hour: number;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dossier-index-'));
    path = join(dir, 'events.db');
    store = new HashChainedEventStore(await openSqliteEventStore({ path }));
    signer = loadAuditSigner({ file: join(dir, 'key.pem') });
    trusted = { [signer.keyId]: signer.publicKeyPem };
    hour = 0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (stream: string, count: number) => writeAnswers(store, stream, count);
  async function checkpoint(): Promise<void> {
    hour += 1;
    await new Checkpointer(store, signer).checkpoint(new Date(Date.UTC(2026, 0, 1) + hour * 3_600_000).toISOString());
  }
  const shown = async (...streams: string[]) => new Map(await Promise.all(streams.map(async (s) => [s, await store.readStream(s)] as const)));
  function deleteRows(sql: string, ...params: unknown[]): void {
    const raw = new Database(path);
    raw.prepare(sql).run(...params);
    raw.close();
  }

  it('reads, once the index has caught up, only the checkpoint that last named the case and the newest', async () => {
    await write('noc-A', 2);
    await checkpoint();
    await write('noc-A', 1);
    await write('noc-B', 1);
    await checkpoint();
    for (let i = 0; i < 4; i++) {
      await write(`noc-other-${i}`, 1);
      await checkpoint();
    }
    const reads: [string, ReadStreamOptions][] = [];
    const watched: EventStore = Object.create(store, {
      readStream: { value: (stream: string, options: ReadStreamOptions = {}) => (reads.push([stream, options]), store.readStream(stream, options)) },
    });
    const index = new CheckpointIndex(watched);
    await index.catchUp();
    reads.length = 0;
    const result = await verifyCaseStreams(watched, await shown('noc-A'), trusted, index);
    expect(result).toMatchObject({ breaks: [], findings: [], checkpointsVerified: 1 });
    expect(result.coveredBy.get('noc-A')).toEqual({ sequence: 1, createdAt: '2026-01-01T02:00:00.000Z', revision: 2 });
    expect(reads).toEqual([
      [AUDIT_CHECKPOINT_STREAM, { fromRevision: 6, maxCount: 50 }],
      [AUDIT_CHECKPOINT_STREAM, { fromRevision: 1, maxCount: 1 }],
      [AUDIT_CHECKPOINT_STREAM, { fromRevision: 5, maxCount: 1 }],
    ]);
  });

  it('follows the feed as checkpoints come, and holds the case to the newest head signed for it', async () => {
    const index = new CheckpointIndex(store);
    await write('noc-A', 2);
    await checkpoint();
    expect((await verifyCaseStreams(store, await shown('noc-A'), trusted, index)).coveredBy.get('noc-A')).toMatchObject({ sequence: 0, revision: 1 });
    await write('noc-A', 2);
    await checkpoint();
    await write('noc-B', 1);
    await checkpoint();
    const intact = await verifyCaseStreams(store, await shown('noc-A'), trusted, index);
    expect(intact).toMatchObject({ findings: [], checkpointsVerified: 1 });
    expect(intact.coveredBy.get('noc-A')).toMatchObject({ sequence: 1, revision: 3 });

    // Cut back to revision 2: the chain still recomputes, and only the newer head shows the cut.
    deleteRows("DELETE FROM events WHERE stream = 'noc-A' AND revision = 3");
    const cut = await verifyCaseStreams(store, await shown('noc-A'), trusted, index);
    expect(cut.breaks).toEqual([]);
    expect(cut.checkpointsVerified).toBe(0);
    expect(cut.findings).toEqual([
      expect.objectContaining({ sequence: 1, problem: 'root-mismatch', streams: [{ stream: 'noc-A', problem: 'truncated', recorded: 3, found: 2 }] }),
    ]);
  });

  it('reads a feed of more entries than a page, each stream pointing at the last entry that named it', async () => {
    for (let i = 0; i < 55; i++) {
      await write(`noc-${i}`, 1);
      if (i % 10 === 0) await write('noc-busy', 1);
      await checkpoint();
    }
    const index = new CheckpointIndex(store);
    await index.catchUp();
    expect([index.namedLast('noc-0'), index.namedLast('noc-49'), index.namedLast('noc-50'), index.namedLast('noc-54'), index.namedLast('noc-busy')]).toEqual([0, 49, 50, 54, 50]);
    expect(index.newest).toBe(54);
    expect(index.namedLast('noc-none')).toBeUndefined();
  });

  it('reports a checkpoint it relies on that is gone from the feed since the index read it', async () => {
    const index = new CheckpointIndex(store);
    await write('noc-A', 1);
    await checkpoint();
    await write('noc-B', 1);
    await checkpoint();
    await index.catchUp();
    deleteRows('DELETE FROM events WHERE stream = ? AND revision = 0', AUDIT_CHECKPOINT_STREAM);
    const result = await verifyCaseStreams(store, await shown('noc-A'), trusted, index);
    expect(result.findings).toEqual([{ sequence: 0, problem: 'malformed', detail: 'entry 0 of the audit stream is gone' }]);
    expect(result.coveredBy.get('noc-A')).toBeUndefined();
  });
});
