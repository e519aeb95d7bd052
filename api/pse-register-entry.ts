import { evolvePse, initialPseState, type PseEvent } from '../domain/pse';
import { streamName } from '../eventstore/envelope';
import type { EventStore } from '../eventstore/port';
import { decode } from '../eventstore/registry';
import type { RegisteredEntity } from './noc-gateway';

/**
 * An entity's register entry read from its stream (`pse-<id>`) in the event store, folded as its PSE
 * process folds it: what a NOC request needs to know (is it registered, in which jurisdiction). The
 * process appends its events before it takes them into its state, so the stream is never behind what a
 * query of the process would answer; and reading it is a local read, where the query was a round trip
 * through the engine to the worker on every request (issue 15, goal 4).
 */
export function registeredEntityFromStream(eventStore: EventStore): RegisteredEntity {
  return async (pseId) => {
    const recorded = await eventStore.readStream(streamName('pse', pseId));
    const entry = recorded.reduce((state, event) => {
      const { type, data } = decode(event);
      return evolvePse(state, { type, data } as PseEvent);
    }, initialPseState);
    return entry.status === 'registered' ? { jurisdiction: entry.jurisdiction } : undefined;
  };
}
