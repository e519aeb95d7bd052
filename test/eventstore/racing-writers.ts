import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '../../eventstore/envelope';
import { WrongExpectedRevisionError, type EventStore, type EventToAppend } from '../../eventstore/port';

/** What a set of writers racing on one stream saw: the revisions each won, and how often it lost. */
export interface RaceTally {
  /** Revisions at which one of these writers' appends was accepted, with the id it wrote there. */
  wins: { revision: number; id: string }[];
  /** Appends refused with WRONG_EXPECTED_REVISION. */
  losses: number;
  /** Anything else thrown: a race must produce nothing but wins and WRONG_EXPECTED_REVISION. */
  otherErrors: string[];
}

const meta = (writer: string): EventMetadata => ({
  schemaVersion: 1,
  actor: { userId: writer, role: 'reviewer' },
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: 'noc:RACE',
  causationId: writer,
  policyVersion: 'p1',
});

/**
 * `writers` writers share the stores round robin; each reads the stream's head, appends one event of
 * its own (a fresh id: a different command, not a retry) expecting that head, and starts again, until
 * the stream holds `revisions` events. Two writers that read the same head race for the same revision.
 */
export async function raceOnStream(stores: readonly EventStore[], stream: string, writers: number, revisions: number, label: string): Promise<RaceTally> {
  const tally: RaceTally = { wins: [], losses: 0, otherErrors: [] };
  const writer = async (n: number): Promise<void> => {
    const store = stores[n % stores.length] as EventStore;
    const name = `${label}-writer-${n}`;
    for (;;) {
      const [head] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
      const current = head?.revision ?? -1;
      if (current + 1 >= revisions) return;
      const event: EventToAppend = { id: randomUUID(), type: 'NocInformationProvided', data: { answer: name, providedBy: name }, metadata: meta(name) };
      try {
        const result = await store.append(stream, [event], current < 0 ? 'no-stream' : current);
        tally.wins.push({ revision: result.nextExpectedRevision, id: event.id });
      } catch (err) {
        if (err instanceof WrongExpectedRevisionError) tally.losses += 1;
        else {
          tally.otherErrors.push(err instanceof Error ? err.message : String(err));
          return;
        }
      }
      // A few milliseconds between a writer's commands, as people's come: without them the process
      // that holds SQLite's write lock would take it again before another process's waiting writer
      // (which backs off in steps) is back, and one process would win every revision.
      await new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 8));
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, n) => writer(n)));
  return tally;
}
