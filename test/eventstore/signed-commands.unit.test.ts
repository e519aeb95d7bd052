import { createCommandSigning } from '../../api/command-signing';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
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

  it('reports a signed command under a key it does not trust', async () => {
    await store.append('noc-N1', [caused('noc-N1', 0, act('c-0'))], 'no-stream');
    const result = await verifyStore(store, { commandKeys: [{ keyId: '0000000000000000', publicKey: '00'.repeat(32) }] });
    expect(result.commands.findings).toEqual([expect.objectContaining({ problem: 'bad-signature', detail: expect.stringMatching(/unknown key/) })]);
  });
});
