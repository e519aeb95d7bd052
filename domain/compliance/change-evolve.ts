import { assertNever } from '../shared/errors';
import type { ChangeEvent } from './change-events';
import { initialChangeState, type ChangeState } from './change-state';

/** Pure: the change request's state after one event. */
export function evolveChange(state: ChangeState, event: ChangeEvent): ChangeState {
  if (event.type === 'SignificantChangeRequested') {
    const { requestedBy, requestedAt, ...change } = event.data;
    return { status: 'requested', change, requestedBy, requestedAt, lateNotice: false };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'SignificantChangeNotifiedLate':
      return { ...state, lateNotice: true };
    case 'SignificantChangeRecommended':
      return {
        ...state,
        status: 'awaiting-decision',
        recommendation: { recommendation: event.data.recommendation, reasons: event.data.reasons, by: event.data.recommendedBy },
      };
    case 'SignificantChangeApproved':
      return { ...state, status: 'approved', decidedBy: event.data.decidedBy };
    case 'SignificantChangeRejected':
      return { ...state, status: 'rejected', decidedBy: event.data.decidedBy };
    default:
      return assertNever(event, 'significant change event');
  }
}

export function foldChange(events: readonly ChangeEvent[], from: ChangeState = initialChangeState): ChangeState {
  return events.reduce(evolveChange, from);
}
