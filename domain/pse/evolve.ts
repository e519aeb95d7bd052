import { assertNever } from '../shared/errors';
import type { PseDetails, PseEvent } from './events';
import type { PseAmendment, PseState } from './state';

/** Pure: the PSE's register entry after one event. */
export function evolvePse(state: PseState, event: PseEvent): PseState {
  if (event.type === 'PseRegistered') {
    return { status: 'registered', ...event.data, procurements: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PseDetailsCorrected': {
      const d = event.data;
      const from: Partial<PseDetails> = {};
      const to: Partial<PseDetails> = {};
      if (d.name !== d.was.name) [from.name, to.name] = [d.was.name, d.name];
      if (d.ministry !== d.was.ministry) [from.ministry, to.ministry] = [d.was.ministry, d.ministry];
      const amendment: PseAmendment = { kind: 'details-corrected', at: d.correctedAt, by: d.correctedBy, reason: d.reason, from, to };
      return { ...state, name: d.name, ministry: d.ministry, amendments: [...(state.amendments ?? []), amendment] };
    }
    case 'PseJurisdictionChanged': {
      const d = event.data;
      const amendment: PseAmendment = {
        kind: 'jurisdiction-changed',
        at: d.changedAt,
        by: d.changedBy,
        reason: d.reason,
        from: { jurisdiction: d.was },
        to: { jurisdiction: d.jurisdiction },
      };
      return { ...state, jurisdiction: d.jurisdiction, amendments: [...(state.amendments ?? []), amendment] };
    }
    case 'ProcurementRecorded': {
      const d = event.data;
      return { ...state, procurements: { ...state.procurements, [d.procurementId]: { ...d, status: 'active' } } };
    }
    case 'ProcurementEnded': {
      const current = state.procurements[event.data.procurementId];
      if (current === undefined) return state;
      return {
        ...state,
        procurements: { ...state.procurements, [current.procurementId]: { ...current, status: 'ended', endedAt: event.data.endedAt } },
      };
    }
    default:
      return assertNever(event, 'PSE event');
  }
}

export function foldPse(events: readonly PseEvent[], from: PseState = { status: 'none' }): PseState {
  return events.reduce(evolvePse, from);
}
