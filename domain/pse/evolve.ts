import { assertNever } from '../shared/errors';
import type { PseEvent } from './events';
import type { PseState } from './state';

/** Pure: the PSE's register entry after one event. */
export function evolvePse(state: PseState, event: PseEvent): PseState {
  if (event.type === 'PseRegistered') {
    return { status: 'registered', ...event.data, procurements: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
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
