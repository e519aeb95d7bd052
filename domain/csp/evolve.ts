import { assertNever } from '../shared/errors';
import type { CspEvent } from './events';
import type { CspState } from './state';

/** Pure: the CSP's register entry after one event. */
export function evolveCsp(state: CspState, event: CspEvent): CspState {
  if (event.type === 'CspRegistered') {
    const { cspId, registeredBy, registeredAt, ...organisation } = event.data;
    return { status: 'registered', cspId, organisation, registeredBy, registeredAt, offerings: {} };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'OfferingAdded': {
      const { addedBy: _addedBy, ...offering } = event.data;
      return { ...state, offerings: { ...state.offerings, [offering.offeringId]: { ...offering, status: 'active' } } };
    }
    case 'OfferingUpdated': {
      const { updatedBy: _updatedBy, changed: _changed, ...offering } = event.data;
      return { ...state, offerings: { ...state.offerings, [offering.offeringId]: { ...offering, status: 'active' } } };
    }
    case 'OfferingRetired': {
      const current = state.offerings[event.data.offeringId];
      if (current === undefined) return state;
      return { ...state, offerings: { ...state.offerings, [current.offeringId]: { ...current, status: 'retired' } } };
    }
    default:
      return assertNever(event, 'CSP event');
  }
}

export function foldCsp(events: readonly CspEvent[], from: CspState = { status: 'none' }): CspState {
  return events.reduce(evolveCsp, from);
}
