import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId } from '../../eventstore/envelope';
import { Checkpointer, signedText, StreamHeads } from '../../eventstore/integrity/checkpoint';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from '../../eventstore/integrity/checkpoint-events';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { positionToString, type EventStore } from '../../eventstore/port';
import { writeAnswers } from '../support/answers';
import { ANSWER_METADATA } from '../support/event-metadata';


describe('signed checkpoints over every stream head', () => {
  let dir: string;
  let path: string;
  let store: EventStore;
  let signer: AuditSigner;
  let trusted: Record<string, string>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoints-'));
    path = join(dir, 'events.db');
    store = new HashChainedEventStore(await openSqliteEventStore({ path }));
    signer = loadAuditSigner({ file: join(dir, 'key.pem') });
    trusted = { [signer.keyId]: signer.publicKeyPem };
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (stream: string, count: number) => writeAnswers(store, stream, count);

  it('verifies checkpoints made between appends, across a restart of the checkpointer', async () => {
    await write('noc-A', 3);
    await write('noc-B', 2);
    await new Checkpointer(store, signer).checkpoint('2026-01-01T01:00:00.000Z');
    await write('noc-A', 2);
    await write('noc-C', 1);
    const restarted = new Checkpointer(store, signer);
    const second = await restarted.checkpoint('2026-01-01T02:00:00.000Z');
    expect(second.sequence).toBe(1);
    expect(second.changed.map(([s]) => s)).toEqual(['noc-A', 'noc-C']);
    await write('noc-B', 1);
    const result = await verifyStore(store, { trustedKeys: trusted, pageSize: 3 });
    expect(result.breaks).toEqual([]);
    expect(result.checkpoints).toEqual({ verified: 2, findings: [] });
  });

  it('finds a truncated stream tail, which leaves every chain intact, and names the stream', async () => {
    await write('noc-A', 4);
    await write('noc-B', 4);
    await new Checkpointer(store, signer).checkpoint('2026-01-01T01:00:00.000Z');
    const raw = new Database(path);
    raw.prepare("DELETE FROM events WHERE stream = 'noc-B' AND revision = 3").run();
    raw.close();
    const result = await verifyStore(store, { trustedKeys: trusted });
    expect(result.breaks).toEqual([]);
    expect(result.checkpoints.findings).toEqual([
      expect.objectContaining({ sequence: 0, problem: 'root-mismatch', streams: [{ stream: 'noc-B', problem: 'truncated', recorded: 3, found: 2 }] }),
    ]);
  });

  /** A checkpoint as releases before the log tree signed them: the heads' root and nothing over the events. */
  async function checkpointWithoutTree(createdAt: string): Promise<void> {
    const heads = new StreamHeads();
    await heads.catchUp(store);
    const checkpoint: Checkpoint = {
      sequence: 0,
      createdAt,
      logPosition: positionToString(heads.position),
      streams: heads.streams,
      events: heads.events,
      root: heads.root(),
      changed: heads.takeChanged(),
      keyId: signer.keyId,
      algorithm: 'ed25519',
    };
    const entry = { checkpoint, signature: signer.sign(signedText(checkpoint)) };
    await store.append(AUDIT_CHECKPOINT_STREAM, [{ id: eventId(AUDIT_CHECKPOINT_STREAM, 0), type: 'AuditCheckpointSigned', data: entry, metadata: ANSWER_METADATA }], 'no-stream');
  }

  it('holds a checkpoint signed before the log tree existed to its heads root, and finds a truncated tail there', async () => {
    await write('noc-A', 3);
    await write('noc-B', 3);
    await checkpointWithoutTree('2026-01-01T01:00:00.000Z');
    await write('noc-A', 1);
    await new Checkpointer(store, signer).checkpoint('2026-01-01T02:00:00.000Z');
    expect(await verifyStore(store, { trustedKeys: trusted })).toMatchObject({ breaks: [], checkpoints: { verified: 2, findings: [] } });

    const raw = new Database(path);
    raw.prepare("DELETE FROM events WHERE stream = 'noc-B' AND revision = 2").run();
    raw.close();
    const result = await verifyStore(store, { trustedKeys: trusted });
    expect(result.breaks).toEqual([]);
    // The first has only its heads root to go by; the second's tree and heads both differ.
    expect(result.checkpoints.findings).toEqual([
      expect.objectContaining({ sequence: 0, problem: 'root-mismatch', streams: [{ stream: 'noc-B', problem: 'truncated', recorded: 2, found: 1 }] }),
      expect.objectContaining({ sequence: 1, problem: 'root-mismatch', streams: [{ stream: 'noc-B', problem: 'truncated', recorded: 2, found: 1 }] }),
    ]);
  });

  it('refuses a forged checkpoint and one signed by a key nobody trusts', async () => {
    await write('noc-A', 2);
    await new Checkpointer(store, signer).checkpoint('2026-01-01T01:00:00.000Z');
    const stranger = loadAuditSigner({ pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file: '' });
    await new Checkpointer(store, stranger).checkpoint('2026-01-01T02:00:00.000Z');
    const raw = new Database(path);
    raw.prepare("UPDATE events SET data = json_set(data, '$.checkpoint.events', 99) WHERE stream = 'audit-checkpoints' AND revision = 0").run();
    raw.close();
    const result = await verifyStore(store, { trustedKeys: trusted });
    expect(result.checkpoints.findings.map((f) => [f.sequence, f.problem])).toEqual([
      [0, 'wrong-signature'],
      // The next checkpoint links to the entry as signed, which the forgery changed.
      [1, 'broken-link'],
      [1, 'unknown-key'],
    ]);
    // The forgery also breaks the audit stream's own hash chain, at the forged revision.
    expect(result.breaks).toEqual([expect.objectContaining({ stream: 'audit-checkpoints', revision: 0, problem: 'changed' })]);
  });
});
