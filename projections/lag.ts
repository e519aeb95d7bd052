import { comparePositions, type EventStore, type Position } from '../eventstore/port';

/** Counting EventStoreDB's backlog means reading it; past this many events the count stops. */
export const LAG_COUNT_LIMIT = 10_000;
const PAGE = 1000;

export interface Lag {
  /** Events in the log after `from`, up to `head`. */
  events: number;
  /** False when counting stopped at LAG_COUNT_LIMIT: the backlog is at least `events`. */
  exact: boolean;
}

/**
 * How many events a reader at `from` still has to read to reach `head`. The SQLite log numbers its
 * events one by one (positions are rowids that are never reused), so the difference is the count;
 * EventStoreDB positions are byte offsets, so there the events are counted, up to a limit.
 */
export async function eventsBehind(store: EventStore, from: Position | null, head: Position): Promise<Lag> {
  if (from !== null && comparePositions(from, head) >= 0) return { events: 0, exact: true };
  if (store.kind === 'sqlite') return { events: Number(head.commit - (from?.commit ?? 0n)), exact: true };
  let counted = 0;
  let after = from ?? undefined;
  while (counted < LAG_COUNT_LIMIT) {
    const want = Math.min(PAGE, LAG_COUNT_LIMIT - counted);
    const page = await store.readAll({ after, maxCount: want });
    for (const event of page) {
      if (comparePositions(event.position, head) > 0) return { events: counted, exact: true };
      counted += 1;
    }
    const last = page[page.length - 1];
    if (!last || page.length < want) return { events: counted, exact: true };
    after = last.position;
  }
  return { events: counted, exact: false };
}
