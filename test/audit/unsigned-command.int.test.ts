import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createCommandSigning } from '../../api/command-signing';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { GENESIS_HASH, HashChainedEventStore, linkHash } from '../../eventstore/integrity/hash-chain';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore, EventToAppend } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { officer } from '../support/actors';
import { TEST_COMMAND_KEY_PEM, TEST_TRUSTED_COMMAND_KEYS, testCommandSigner } from '../support/command-keys';
import { runTool, toolEnv } from '../cli/run-tool';

/**
 * Every event a person caused keeps the command the API signed for it. Someone who can write to the
 * store could strip the signed command from a person's event and recompute the stream's chain, which
 * then verifies; `npm run verify` still finds the person's event without its command in a stream whose
 * people's commands are signed, and names it. Events from before a stream's first signed command are
 * only counted.
 */
const reviewer = officer('khyber-pakhtunkhwa', 'u-kp1');
const signing = createCommandSigning(testCommandSigner, () => new Date('2026-03-01T10:00:00.000Z'));

function event(stream: string, revision: number, o: { actor?: typeof reviewer; signed?: boolean; type?: string; data?: unknown } = {}): EventToAppend {
  const actor = o.actor ?? reviewer;
  const commandId = `c-${stream}-${revision}`;
  const caseId = stream.replace(/^noc-/, 'noc:');
  const command = signing.action(caseId, { type: 'ProvideInformation', actor, data: { answer: `answer ${revision}` }, commandId });
  const metadata: EventMetadata = {
    schemaVersion: 1,
    actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
    occurredAt: new Date(Date.UTC(2026, 2, 1, 10, revision)).toISOString(),
    correlationId: caseId,
    causationId: commandId,
    policyVersion: 'p1',
    ...(o.signed === false ? {} : { command: { type: command.type, commandId, actor: command.actor, data: command.data, seal: command.seal } }),
  };
  return { id: eventId(stream, revision), type: o.type ?? 'NocInformationProvided', data: o.data ?? { answer: `answer ${revision}`, providedBy: actor.userId }, metadata };
}

let dir: string;
let dataDir: string;
const open = async (): Promise<EventStore> => new HashChainedEventStore(await openSqliteEventStore({ path: join(dataDir, 'events.db') }));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'unsigned-command-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const store = await open();
  // A history from before commands were signed, then signed from revision 2 on; the engine's step signs nothing.
  await store.append(
    'noc-N1',
    [
      event('noc-N1', 0, { signed: false }),
      event('noc-N1', 1, { signed: false }),
      event('noc-N1', 2),
      // The engine's own step, as the NOC process records it (an event verify can also decode).
      event('noc-N1', 3, { actor: { ...SYSTEM_ACTOR }, signed: false, type: 'NocExpiryReminderDue', data: { daysBefore: 30, validUntil: '2026-09-01T00:00:00.000Z', pseId: 'pse-kp' } }),
      event('noc-N1', 4),
      event('noc-N1', 5),
    ],
    'no-stream',
  );
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Strips the signed command from one event of the stream and recomputes the stream's hash chain, as a forger with write access would. */
function stripCommand(stream: string, revision: number): void {
  const raw = new Database(join(dataDir, 'events.db'));
  const rows = raw.prepare('SELECT global_position, event_id, stream, revision, type, data, metadata FROM events WHERE stream = ? ORDER BY revision').all(stream) as {
    global_position: number;
    event_id: string;
    stream: string;
    revision: number;
    type: string;
    data: string;
    metadata: string;
  }[];
  let prev = GENESIS_HASH;
  for (const row of rows) {
    const data = JSON.parse(row.data) as unknown;
    const metadata = JSON.parse(row.metadata) as EventMetadata;
    if (row.revision === revision) delete metadata.command;
    delete metadata.integrity;
    const hash = linkHash(prev, { id: row.event_id, stream: row.stream, revision: row.revision, type: row.type, data, metadata });
    metadata.integrity = { prev, hash };
    prev = hash;
    raw.prepare('UPDATE events SET metadata = ? WHERE global_position = ?').run(JSON.stringify(metadata), row.global_position);
  }
  raw.close();
}

const verifyEnv = () => ({ ...toolEnv(dataDir), COMMAND_TRUSTED_KEYS: createPublicKey(createPrivateKey(TEST_COMMAND_KEY_PEM)).export({ type: 'spki', format: 'pem' }).toString() });

describe('npm run verify on people’s events without a signed command', () => {
  it('passes a stream signed from its third event on, counting the two before as recorded before commands were signed', async () => {
    const store = await open();
    try {
      const result = await verifyStore(store, { commandKeys: TEST_TRUSTED_COMMAND_KEYS });
      expect(result.breaks).toEqual([]);
      expect(result.commands).toEqual({ verified: 3, findings: [], beforeSigning: 2 });
    } finally {
      await store.close();
    }
    const run = await runTool('cli/verify.ts', [], verifyEnv());
    expect(run.stdout.toString('utf8')).toContain(
      "3 signed commands verified; 2 events people caused recorded before commands were signed (before their stream's first signed command)",
    );
    expect(run.code).toBe(0);
  });

  it('fails naming the stream, revision and type of a person’s event whose signed command was stripped and its chain recomputed', async () => {
    stripCommand('noc-N1', 4);
    const store = await open();
    try {
      const result = await verifyStore(store, { commandKeys: TEST_TRUSTED_COMMAND_KEYS });
      // The chain recomputes: only the missing command shows the forgery.
      expect(result.breaks).toEqual([]);
      expect(result.commands.findings).toEqual([
        { stream: 'noc-N1', revision: 4, type: 'NocInformationProvided', problem: 'unsigned', detail: expect.stringContaining('u-kp1') },
      ]);
      expect(result.commands.verified).toBe(2);
    } finally {
      await store.close();
    }
    const run = await runTool('cli/verify.ts', [], verifyEnv());
    expect(run.stdout.toString('utf8')).toMatch(/COMMAND noc-N1 at revision 4 \(NocInformationProvided\): unsigned \(caused by u-kp1/);
    expect(run.code).toBe(1);
  });
});
