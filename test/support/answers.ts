import { eventId } from '../../eventstore/envelope';
import type { EventStore } from '../../eventstore/port';
import { ANSWER_METADATA } from './event-metadata';

/** The audit tests' event: an answer to a NOC question, at the stream's given revision. */
export const answer = (stream: string, revision: number) => ({
  id: eventId(stream, revision),
  type: 'NocInformationProvided',
  data: { answer: `answer ${revision}`, providedBy: 'u1' },
  metadata: ANSWER_METADATA,
});

/** Appends `count` answers to a stream, one a transaction, after whatever it holds. */
export async function writeAnswers(store: EventStore, stream: string, count: number): Promise<void> {
  const existing = (await store.readStream(stream)).length;
  for (let r = existing; r < existing + count; r++) await store.append(stream, [answer(stream, r)], r === 0 ? 'no-stream' : r - 1);
}
