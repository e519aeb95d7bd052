import type { OpenProcurement } from '../domain/compliance/transition-events';
import type { PseEvent } from '../domain/pse/events';
import type { Jurisdiction } from '../domain/shared/vocabulary';
import { positionToString, type EventStore, type Position } from '../eventstore/port';
import { decode } from '../eventstore/registry';

export interface TransitionActivityDeps {
  eventStore: EventStore;
}

const PSE_STREAM = 'pse-';
const PAGE = 1000;

/**
 * What the revocation transition reads from the PSE register. Read from the event store, the source of
 * truth, not from a read model that may lag: a notice missed because a projection was behind would
 * never be sent. Revocation is rare, so a scan of the whole log, filtered to PSE streams, is acceptable;
 * an index by offering would be the next step if it ever is not.
 */
export function createTransitionActivities({ eventStore }: TransitionActivityDeps) {
  return {
    /** Procurements recorded on the offering and not ended, in the order they were recorded. */
    async openProcurementsOn(offeringId: string): Promise<OpenProcurement[]> {
      const jurisdictions = new Map<string, Jurisdiction>();
      const open = new Map<string, { pseId: string; procurementId: string }>();
      let after: Position | undefined;
      for (;;) {
        const page = await eventStore.readAll({ ...(after ? { after } : {}), maxCount: PAGE });
        for (const recorded of page) {
          if (!recorded.stream.startsWith(PSE_STREAM)) continue;
          const pseId = recorded.stream.slice(PSE_STREAM.length);
          const event = { type: recorded.type, data: decode(recorded).data } as PseEvent;
          if (event.type === 'PseRegistered') {
            jurisdictions.set(pseId, event.data.jurisdiction);
          } else if (event.type === 'ProcurementRecorded') {
            if (event.data.offeringId === offeringId) open.set(`${pseId}/${event.data.procurementId}`, { pseId, procurementId: event.data.procurementId });
          } else {
            open.delete(`${pseId}/${event.data.procurementId}`);
          }
        }
        const last = page.at(-1);
        if (!last || page.length < PAGE) break;
        if (after && positionToString(after) === positionToString(last.position)) break;
        after = last.position;
      }
      return [...open.values()].flatMap((p) => {
        const jurisdiction = jurisdictions.get(p.pseId);
        // A PSE stream starts with its registration; one without it is not a register entry.
        return jurisdiction ? [{ ...p, jurisdiction }] : [];
      });
    },
  };
}

export type TransitionActivities = ReturnType<typeof createTransitionActivities>;
