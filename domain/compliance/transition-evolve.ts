import { assertNever } from '../shared/errors';
import type { TransitionEvent } from './transition-events';
import { initialTransitionState, procurementKey, type TransitionState } from './transition-state';

/** Pure: the transition's state after one event. */
export function evolveTransition(state: TransitionState, event: TransitionEvent): TransitionState {
  if (event.type === 'RevocationTransitionStarted') return { status: 'notified', ...event.data, notices: [] };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PseTransitionNoticeIssued': {
      const { pseId, procurementId, jurisdiction } = event.data;
      return { ...state, notices: [...state.notices, { pseId, procurementId, jurisdiction, flaggedNonCompliant: false }] };
    }
    case 'ProcurementFlaggedNonCompliant': {
      const key = procurementKey(event.data);
      const { pseId, procurementId, jurisdiction } = event.data;
      // A workload recorded after the notices went out has none to mark: it joins the list flagged.
      if (!state.notices.some((n) => procurementKey(n) === key)) {
        return { ...state, notices: [...state.notices, { pseId, procurementId, jurisdiction, flaggedNonCompliant: true }] };
      }
      return { ...state, notices: state.notices.map((n) => (procurementKey(n) === key ? { ...n, flaggedNonCompliant: true } : n)) };
    }
    case 'RevocationTransitionEnded':
      return { ...state, status: 'ended', flagged: event.data.flagged };
    default:
      return assertNever(event, 'revocation transition event');
  }
}

export function foldTransition(events: readonly TransitionEvent[], from: TransitionState = initialTransitionState): TransitionState {
  return events.reduce(evolveTransition, from);
}
