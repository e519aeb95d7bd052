import { generateKeyPairSync } from 'node:crypto';
import { createCommandSigning } from '../../api/command-signing';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { openVerificationProgress } from '../../eventstore/integrity/verification-progress';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore, EventToAppend } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { officer } from '../support/actors';
import { TEST_TRUSTED_COMMAND_KEYS, testCommandSigner } from '../support/command-keys';

const officerKp = officer('khyber-pakhtunkhwa', 'u-kp1');
const signing = createCommandSigning(testCommandSigner, () => new Date('2026-03-01T10:00:00.000Z'));

/** An event as the event activity writes it for a person's command: the signed command in its metadata. */
function caused(stream: string, revision: number, command: ReturnType<typeof signing.action>, actor = command.actor): EventToAppend {
  const metadata: EventMetadata = {
    schemaVersion: 1,
    actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
    occurredAt: '2026-03-01T10:00:00.000Z',
    correlationId: 'noc:N1',
    causationId: command.commandId,
    policyVersion: 'p1',
    command: { type: command.type, commandId: command.commandId, actor: command.actor, data: command.data, seal: command.seal },
  };
  return { id: eventId(stream, revision), type: 'NocInformationProvided', data: { answer: 'a', providedBy: actor.userId }, metadata };
}

describe('npm run verify on the signed commands events keep', () => {
  let store: EventStore;
  beforeEach(async () => {
    store = new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' }));
  });
  afterEach(() => store.close());

  const act = (commandId: string, data: unknown = { answer: 'a' }) =>
    signing.action('noc:N1', { type: 'ProvideInformation', actor: officerKp, data, commandId });

  it('verifies the signed commands of events written as the process writes them', async () => {
    await store.append('noc-N1', [caused('noc-N1', 0, act('c-0')), caused('noc-N1', 1, act('c-1'))], 'no-stream');
    const result = await verifyStore(store, { commandKeys: TEST_TRUSTED_COMMAND_KEYS });
    expect(result.commands).toEqual({ verified: 2, findings: [], beforeSigning: 0 });
  });

  it('reports an event whose signed command was altered, whose actor is not the signer, or that sits on another case', async () => {
    const altered = { ...act('c-0'), data: { answer: 'changed' } };
    const impostor = { ...officerKp, userId: 'u-impostor' };
    const other = signing.action('noc:N2', { type: 'ProvideInformation', actor: officerKp, data: {}, commandId: 'c-2' });
    await store.append(
      'noc-N1',
      [caused('noc-N1', 0, altered), caused('noc-N1', 1, act('c-1'), impostor), caused('noc-N1', 2, other)],
      'no-stream',
    );
    const result = await verifyStore(store, { commandKeys: TEST_TRUSTED_COMMAND_KEYS });
    expect(result.commands.findings.map((f) => [f.revision, f.problem])).toEqual([
      [0, 'bad-signature'],
      [1, 'wrong-actor'],
      [2, 'wrong-case'],
    ]);
    // The hash chains are intact: the store wrote exactly what it was given.
    expect(result.breaks).toEqual([]);
  });

  it('records, for a later run to resume with, the streams that kept signed commands by the checkpoint it verified, not by the end of the log, and that later run holds them to it', async () => {
    const signer = loadAuditSigner({ pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file: '' });
    await store.append('noc-N2', [caused('noc-N2', 0, act('c-2'))], 'no-stream');
    await store.append('noc-N1', [caused('noc-N1', 0, act('c-0'))], 'no-stream');
    await new Checkpointer(store, signer).checkpoint('2026-03-01T11:00:00.000Z');
    await store.append('noc-N3', [caused('noc-N3', 0, act('c-3'))], 'no-stream');
    const progress = openVerificationProgress(':memory:');
    try {
      // Without command keys a run still follows which streams keep signed commands, for a later run with keys.
      const result = await verifyStore(store, { trustedKeys: { [signer.keyId]: signer.publicKeyPem }, progress });
      expect(result).toMatchObject({ breaks: [], checkpoints: { verified: 1, findings: [] } });
      expect(progress.last()).toMatchObject({ sequence: 0 });
      expect(['noc-N1', 'noc-N2', 'noc-N3'].map((s) => progress.keepsSignedCommands(s))).toEqual([true, true, false]);

      // A run going on from that checkpoint meets noc-N1 again only now: an event without its signed command is still found.
      const unsigned = caused('noc-N1', 1, act('c-1'));
      const { command: _dropped, ...bare } = unsigned.metadata;
      await store.append('noc-N1', [{ ...unsigned, metadata: bare }], 0);
      const resumed = await verifyStore(store, { trustedKeys: { [signer.keyId]: signer.publicKeyPem }, commandKeys: TEST_TRUSTED_COMMAND_KEYS, progress, mode: 'incremental' });
      expect(resumed.scope).toMatchObject({ from: 'checkpoint', sequence: 0 });
      // (noc-N3's command names case noc:N1, as every command of this fixture does: wrong-case there.)
      expect(resumed.commands.findings.filter((f) => f.stream === 'noc-N1')).toEqual([expect.objectContaining({ revision: 1, problem: 'unsigned' })]);
    } finally {
      progress.close();
    }
  });

  it('reports a signed command under a key it does not trust', async () => {
    await store.append('noc-N1', [caused('noc-N1', 0, act('c-0'))], 'no-stream');
    const result = await verifyStore(store, { commandKeys: [{ keyId: '0000000000000000', publicKey: '00'.repeat(32) }] });
    expect(result.commands.findings).toEqual([expect.objectContaining({ problem: 'bad-signature', detail: expect.stringMatching(/unknown key/) })]);
  });
});
