import type { OpenProcurement, TransitionCause } from '../domain/compliance/transition-events';
import type { PseEvent } from '../domain/pse/events';
import { evolvePse } from '../domain/pse/evolve';
import type { PseState } from '../domain/pse/state';
import type { EventStore } from '../eventstore/port';
import { decode } from '../eventstore/registry';

export interface TransitionActivityDeps {
  eventStore: EventStore;
}

/**
 * What the revocation transition reads from the PSE register. Read from the event store, the source of
 * truth, not from a read model that may lag: a notice missed because a projection was behind would
 * never be sent. Only the register's own streams are read (the store's category read, along its stream
 * index), so the lookup grows with the register's events, not with the whole log.
 */
/** The accreditation events that end a grant, and the cause each gives its migration period. */
const ENDING_CAUSE: Record<string, TransitionCause> = { AccreditationRevoked: 'revoked', AccreditationExpired: 'expired', AccreditationWithdrawn: 'withdrawn' };

export function createTransitionActivities({ eventStore }: TransitionActivityDeps) {
  return {
    /** The accreditation's ending as its stream records it (the last ending event); undefined when it has not ended. */
    async accreditationEnding(applicationId: string): Promise<{ endedAt: string; cause: TransitionCause } | undefined> {
      const newestFirst = await eventStore.readStream(`accreditation-${applicationId}`, { direction: 'backwards' });
      const ending = newestFirst.find((e) => ENDING_CAUSE[e.type] !== undefined);
      if (ending === undefined) return undefined;
      return { endedAt: decode(ending).metadata.occurredAt, cause: ENDING_CAUSE[ending.type] as TransitionCause };
    },

    /** Procurements recorded on the offering and not ended, in the order they were recorded. */
    async openProcurementsOn(offeringId: string): Promise<OpenProcurement[]> {
      // Each entity's register entry as its own process folds it: one rule for "open", the decider's.
      const entries = new Map<string, PseState>();
      const onOffering: { pseId: string; procurementId: string }[] = [];
      for (const recorded of await eventStore.readCategory('pse')) {
        const pseId = recorded.stream.slice('pse-'.length);
        const event = { type: recorded.type, data: decode(recorded).data } as PseEvent;
        entries.set(pseId, evolvePse(entries.get(pseId) ?? { status: 'none' }, event));
        if (event.type === 'ProcurementRecorded' && event.data.offeringId === offeringId) onOffering.push({ pseId, procurementId: event.data.procurementId });
      }
      return onOffering.flatMap((p) => {
        const entry = entries.get(p.pseId);
        // A PSE stream starts with its registration; one without it is not a register entry.
        if (entry === undefined || entry.status === 'none') return [];
        const procurement = entry.procurements[p.procurementId];
        return procurement?.status === 'active' && procurement.offeringId === offeringId ? [{ ...p, jurisdiction: entry.jurisdiction }] : [];
      });
    },
  };
}

export type TransitionActivities = ReturnType<typeof createTransitionActivities>;
