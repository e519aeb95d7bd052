import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner, type AuditSigner } from '../../eventstore/integrity/signing';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';

const meta: EventMetadata = {
  schemaVersion: 1,
  actor: { userId: 'u1', role: 'pse' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:x',
  causationId: 'c',
  policyVersion: 'p',
};
const answer = (stream: string, revision: number) => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { answer: `answer ${revision}`, providedBy: 'u1' },
  metadata: meta,
});

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

  async function write(stream: string, count: number): Promise<void> {
    const existing = (await store.readStream(stream)).length;
    for (let r = existing; r < existing + count; r++) await store.append(stream, [answer(stream, r)], r === 0 ? 'no-stream' : r - 1);
  }

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
