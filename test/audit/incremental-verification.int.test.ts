import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventMetadata } from '../../eventstore/envelope';
import { Checkpointer, entryHash } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore, linkHash } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import { openVerificationProgress } from '../../eventstore/integrity/verification-progress';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { writeAnswers } from '../support/answers';


describe('incremental verification from the last verified checkpoint', () => {
  let dir: string;
  let path: string;
  let store: EventStore;
  let signer: AuditSigner;
  let trusted: Record<string, string>;
  let progress: ReturnType<typeof openVerificationProgress>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'incremental-'));
    path = join(dir, 'events.db');
    store = new HashChainedEventStore(await openSqliteEventStore({ path }));
    signer = loadAuditSigner({ file: join(dir, 'key.pem') });
    trusted = { [signer.keyId]: signer.publicKeyPem };
    progress = openVerificationProgress(join(dir, 'progress.db'));
  });
  afterEach(async () => {
    progress.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (stream: string, count: number) => writeAnswers(store, stream, count);
  const checkpoint = (hour: number) => new Checkpointer(store, signer).checkpoint(`2026-01-01T${String(hour).padStart(2, '0')}:00:00.000Z`);

  it('reads only what follows the last verified checkpoint, finds the same history intact, and records how far it got', async () => {
    await write('noc-A', 3);
    await write('noc-B', 2);
    await checkpoint(1);
    await write('noc-A', 2);
    await checkpoint(2);
    expect(progress.last()).toBeUndefined();

    const first = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental', pageSize: 2 });
    expect(first.scope).toEqual({ from: 'start', fullBecause: 'no verified checkpoint is recorded yet' });
    expect(first.breaks).toEqual([]);
    expect(first.checkpoints).toEqual({ verified: 2, findings: [] });
    expect(progress.last()).toMatchObject({ sequence: 1 });

    await write('noc-B', 3);
    await write('noc-C', 1);
    await checkpoint(3);
    await write('noc-A', 1);
    const full = await verifyStore(store, { trustedKeys: trusted });
    const incremental = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental', pageSize: 2 });
    expect(incremental.scope).toMatchObject({ from: 'checkpoint', sequence: 1 });
    // Only the events after checkpoint 1 (four appended, its own entry and checkpoint 2's, one more).
    expect(incremental.events).toBeLessThan(full.events);
    expect(incremental.breaks).toEqual(full.breaks);
    expect(incremental.breaks).toEqual([]);
    expect(incremental.checkpoints.findings).toEqual([]);
    expect(progress.last()).toMatchObject({ sequence: 2 });

    // A run with nothing new since the last checkpoint goes on from it and records nothing new.
    const again = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(again.scope).toMatchObject({ from: 'checkpoint', sequence: 2 });
    expect(again.breaks).toEqual([]);
  });

  it('finds a change after the checkpoint just as the full run does', async () => {
    await write('noc-A', 3);
    await checkpoint(1);
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    await write('noc-A', 2);
    const raw = new Database(path);
    raw.prepare("UPDATE events SET data = json_set(data, '$.answer', 'forged') WHERE stream = 'noc-A' AND revision = 4").run();
    raw.close();
    const incremental = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    const full = await verifyStore(store, { trustedKeys: trusted });
    expect(incremental.scope).toMatchObject({ from: 'checkpoint', sequence: 0 });
    expect(incremental.breaks).toEqual(full.breaks);
    expect(incremental.breaks).toEqual([expect.objectContaining({ stream: 'noc-A', revision: 4, problem: 'changed' })]);
  });

  it('catches a history re-chained before the checkpoint by the checkpoint’s own hashes, and a mere edit there only by the full run', async () => {
    await write('noc-A', 3);
    await write('noc-B', 2);
    await checkpoint(1);
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    await write('noc-A', 1);

    // An edit of an old event without touching the chain: the incremental run does not read it.
    const raw = new Database(path);
    raw.prepare("UPDATE events SET data = json_set(data, '$.answer', 'edited') WHERE stream = 'noc-B' AND revision = 0").run();
    const incrementalAfterEdit = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(incrementalAfterEdit.scope).toMatchObject({ from: 'checkpoint' });
    expect(incrementalAfterEdit.breaks).toEqual([]);
    const fullAfterEdit = await verifyStore(store, { trustedKeys: trusted });
    expect(fullAfterEdit.breaks).toEqual([expect.objectContaining({ stream: 'noc-B', revision: 0, problem: 'changed' })]);

    // The operator re-chains noc-A from revision 0 so that every link recomputes: the first event after
    // the checkpoint then links to a head the checkpoint did not sign.
    const rows = raw.prepare("SELECT revision, event_id, type, data, metadata FROM events WHERE stream = 'noc-A' ORDER BY revision").all() as {
      revision: number;
      event_id: string;
      type: string;
      data: string;
      metadata: string;
    }[];
    let prev = '0'.repeat(64);
    for (const row of rows) {
      const data = row.revision === 1 ? { ...(JSON.parse(row.data) as object), answer: 'rewritten' } : (JSON.parse(row.data) as object);
      const metadata = JSON.parse(row.metadata) as EventMetadata;
      const hash = linkHash(prev, { id: row.event_id, stream: 'noc-A', revision: row.revision, type: row.type, data, metadata });
      raw.prepare("UPDATE events SET data = ?, metadata = ? WHERE stream = 'noc-A' AND revision = ?").run(
        JSON.stringify(data),
        JSON.stringify({ ...metadata, integrity: { prev, hash } }),
        row.revision,
      );
      prev = hash;
    }
    raw.close();
    const incremental = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(incremental.scope).toMatchObject({ from: 'checkpoint', sequence: 0 });
    expect(incremental.breaks).toEqual([expect.objectContaining({ stream: 'noc-A', revision: 3, problem: 'wrong-predecessor' })]);
  });

  it('verifies from the start when the checkpoint it last verified is no longer the same entry', async () => {
    await write('noc-A', 2);
    await checkpoint(1);
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    const mark = progress.last();
    expect(mark).toBeDefined();
    progress.record({ ...mark!, entryHash: entryHash({ forged: true }) }, { from: mark!.sequence, heads: [], signedStreams: [] });
    const result = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(result.scope).toEqual({ from: 'start', fullBecause: 'checkpoint 0 is not the entry that was verified (its hash changed)' });
    expect(result.breaks).toEqual([]);
  });

  it('verifies from the start, finding no false break, when the record lost the head of a stream the run meets, and records the heads anew', async () => {
    await write('noc-A', 2);
    await write('noc-B', 2);
    await checkpoint(1);
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    await write('noc-A', 1);
    await write('noc-C', 1);
    // The record is derived data: an operator deletes a row, or restores an older copy of the file.
    const forgetHead = (stream: string) => {
      const record = new Database(join(dir, 'progress.db'));
      record.prepare('DELETE FROM verified_heads WHERE stream = ?').run(stream);
      record.close();
    };
    forgetHead('noc-A');

    const result = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(result.scope).toEqual({ from: 'start', fullBecause: 'the progress record holds no verified head for noc-A, which had events before checkpoint 0' });
    expect(result.breaks).toEqual([]);
    expect(result).toEqual({ ...(await verifyStore(store, { trustedKeys: trusted })), scope: result.scope });
    expect(progress.head('noc-A')).toEqual({ revision: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // Tampering is still found: the full run it falls back to is the authority.
    const raw = new Database(path);
    raw.prepare("UPDATE events SET data = json_set(data, '$.answer', 'forged') WHERE stream = 'noc-A' AND revision = 2").run();
    raw.close();
    forgetHead('noc-A');
    const forged = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(forged.scope).toMatchObject({ from: 'start' });
    expect(forged.breaks).toEqual([expect.objectContaining({ stream: 'noc-A', revision: 2, problem: 'changed' })]);
  });

  it('names a stream cut back to before the checkpoint it last verified, though the run never meets it', async () => {
    await write('noc-A', 2);
    await write('noc-B', 2);
    await checkpoint(1);
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    await write('noc-A', 2);
    await write('noc-B', 1);
    await checkpoint(2);
    // The events noc-A gained after checkpoint 0 are deleted: nothing of noc-A follows the checkpoint now.
    const raw = new Database(path);
    raw.prepare("DELETE FROM events WHERE stream = 'noc-A' AND revision >= 2").run();
    raw.close();
    const incremental = await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(incremental.scope).toMatchObject({ from: 'checkpoint', sequence: 0 });
    expect(incremental.checkpoints.findings).toEqual([
      expect.objectContaining({ sequence: 1, problem: 'root-mismatch', streams: [{ stream: 'noc-A', problem: 'truncated', recorded: 3, found: 1 }] }),
    ]);
    const full = await verifyStore(store, { trustedKeys: trusted });
    expect(full.checkpoints.findings).toEqual([expect.objectContaining({ sequence: 1, streams: [{ stream: 'noc-A', problem: 'truncated', recorded: 3, found: 1 }] })]);
    // A run that finds the history broken leaves the record where it was.
    expect(progress.last()).toMatchObject({ sequence: 0 });
  });

  it('reads the feed only from the checkpoint it last verified on, and from the start once that checkpoint is not the one verified', async () => {
    for (let hour = 1; hour <= 4; hour++) {
      await write(`noc-${hour}`, 2);
      await checkpoint(hour);
    }
    await verifyStore(store, { trustedKeys: trusted, progress, mode: 'incremental' });
    await write('noc-5', 1);
    const reads: unknown[] = [];
    const watched: EventStore = Object.create(store, {
      readStream: { value: (stream: string, options?: object) => (reads.push([stream, options ?? {}]), store.readStream(stream, options)) },
    });
    const incremental = await verifyStore(watched, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(incremental).toMatchObject({ scope: { from: 'checkpoint', sequence: 3 }, breaks: [], checkpoints: { findings: [] } });
    expect(reads).toEqual([['audit-checkpoints', { fromRevision: 2 }]]);

    // The mark no longer names the entry it verified: the run reads the whole feed and says why.
    const mark = progress.last()!;
    progress.record({ ...mark, entryHash: entryHash({ forged: true }) }, { from: mark.sequence, heads: [], signedStreams: [] });
    reads.length = 0;
    const full = await verifyStore(watched, { trustedKeys: trusted, progress, mode: 'incremental' });
    expect(full.scope).toEqual({ from: 'start', fullBecause: 'checkpoint 3 is not the entry that was verified (its hash changed)' });
    expect(full.checkpoints).toEqual({ verified: 4, findings: [] });
    expect(reads).toEqual([
      ['audit-checkpoints', { fromRevision: 2 }],
      ['audit-checkpoints', {}],
    ]);
  });

  it('gives the full run’s answer for any history of appends, checkpoints and incremental runs', async () => {
    type Step = { kind: 'append'; stream: number; count: number } | { kind: 'checkpoint' } | { kind: 'verify' };
    const plan = fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('append' as const), stream: fc.nat(3), count: fc.integer({ min: 1, max: 3 }) }),
        fc.record({ kind: fc.constant('checkpoint' as const) }),
        fc.record({ kind: fc.constant('verify' as const) }),
      ),
      { maxLength: 12 },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(plan, async (steps: Step[]) => {
        run += 1;
        const local = new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' }));
        const marks = openVerificationProgress(':memory:');
        try {
          let hour = 0;
          for (const step of steps) {
            if (step.kind === 'append') {
              const stream = `noc-${run}-${step.stream}`;
              await writeAnswers(local, stream, step.count);
            } else if (step.kind === 'checkpoint') {
              hour += 1;
              await new Checkpointer(local, signer).checkpoint(`2026-01-02T${String(hour).padStart(2, '0')}:00:00.000Z`);
            } else {
              const incremental = await verifyStore(local, { trustedKeys: trusted, progress: marks, mode: 'incremental', pageSize: 2 });
              expect(incremental.breaks).toEqual([]);
              expect(incremental.checkpoints.findings).toEqual([]);
            }
          }
          const full = await verifyStore(local, { trustedKeys: trusted });
          const incremental = await verifyStore(local, { trustedKeys: trusted, progress: marks, mode: 'incremental' });
          expect(incremental.breaks).toEqual(full.breaks);
          expect(incremental.checkpoints.findings).toEqual(full.checkpoints.findings);
          expect(incremental.streams).toBeLessThanOrEqual(full.streams);
        } finally {
          marks.close();
          await local.close();
        }
      }),
      { numRuns: Number(process.env.FUZZ_MAX_EXAMPLES ?? 20) },
    );
  });
});
