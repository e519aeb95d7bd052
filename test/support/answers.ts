import { eventId } from '../../eventstore/envelope';
import type { EventStore } from '../../eventstore/port';
import type { EventMetadata } from '../../eventstore/envelope';
import { ANSWER_METADATA } from './event-metadata';

/** The store and audit tests' event: an answer to a NOC question, at the stream's given revision. */
export const answer = (stream: string, revision: number, metadata: EventMetadata = ANSWER_METADATA) => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { answer: `answer ${revision}`, providedBy: 'u1' },
  metadata,
});

/** Appends `count` answers to a stream, one a transaction, after whatever it holds. */
export async function writeAnswers(store: EventStore, stream: string, count: number): Promise<void> {
  const existing = (await store.readStream(stream)).length;
  for (let r = existing; r < existing + count; r++) await store.append(stream, [answer(stream, r)], r === 0 ? 'no-stream' : r - 1);
}
