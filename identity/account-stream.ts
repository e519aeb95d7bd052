import { randomUUID } from 'node:crypto';
import { ACCOUNT_POLICY_VERSION, foldAccount, type AccountEvent, type AccountState } from '../domain/account';
import type { Actor } from '../domain/shared/actor';
import { eventId, streamName } from '../eventstore/envelope';
import type { EventStore, ExpectedRevision } from '../eventstore/port';
import { currentVersion, decode, validateForWrite } from '../eventstore/registry';

/**
 * An account's history in the event store. The stream is named by the username, which never changes:
 * creating a stream that must not exist yet is what makes a username unique, even between processes.
 */
export const accountStream = (username: string): string => streamName('account', username);

export interface AccountHistory {
  events: (AccountEvent & { revision: number })[];
  state: AccountState;
  /** What the next append expects: the last revision, or 'no-stream'. */
  expected: ExpectedRevision;
}

export async function readAccount(store: Pick<EventStore, 'readStream'>, username: string): Promise<AccountHistory> {
  const recorded = await store.readStream(accountStream(username));
  const events = recorded.map((r) => {
    const decoded = decode(r);
    return { type: decoded.type, data: decoded.data, revision: decoded.revision } as AccountEvent & { revision: number };
  });
  const last = events.at(-1);
  return { events, state: foldAccount(events), expected: last === undefined ? 'no-stream' : last.revision };
}

/**
 * Appends with the revision the decision was taken on (optimistic concurrency): an account is no
 * long-running process, so a direct append through the store port is enough, and a concurrent change
 * makes this one fail with WRONG_EXPECTED_REVISION instead of deciding on a stale account.
 */
export async function appendAccountEvents(
  store: Pick<EventStore, 'append'>,
  username: string,
  events: readonly AccountEvent[],
  expected: ExpectedRevision,
  actor: Actor,
  occurredAt: string,
): Promise<void> {
  if (events.length === 0) return;
  const stream = accountStream(username);
  const first = expected === 'no-stream' ? 0 : (expected as number) + 1;
  const causationId = randomUUID();
  await store.append(
    stream,
    events.map((event, i) => ({
      id: eventId(stream, first + i),
      type: event.type,
      data: validateForWrite(event.type, event.data),
      metadata: {
        schemaVersion: currentVersion(event.type),
        actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
        occurredAt,
        correlationId: `account:${username}`,
        causationId,
        policyVersion: ACCOUNT_POLICY_VERSION,
      },
    })),
    expected,
  );
}
