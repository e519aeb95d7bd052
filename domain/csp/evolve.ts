import { assertNever } from '../shared/errors';
import type { CspEvent } from './events';
import type { CspRecord, CspState, OfferingRecord } from './state';

function withOffering(state: CspRecord, offering: OfferingRecord): CspRecord {
  return { ...state, offerings: { ...state.offerings, [offering.offeringId]: offering } };
}

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
      const { updatedBy: _updatedBy, changed: _changed, changeId, ...offering } = event.data;
      const current = state.offerings[offering.offeringId];
      const next: OfferingRecord = { ...current, ...offering, status: 'active' };
      if (changeId !== undefined) next.appliedChanges = [...(current?.appliedChanges ?? []), changeId];
      return withOffering(state, next);
    }
    case 'OfferingAccreditationHeld': {
      const current = state.offerings[event.data.offeringId];
      if (current === undefined) return state;
      return withOffering(state, { ...current, heldBy: [...(current.heldBy ?? []), event.data.applicationId] });
    }
    case 'OfferingAccreditationReleased': {
      const current = state.offerings[event.data.offeringId];
      if (current === undefined) return state;
      const heldBy = (current.heldBy ?? []).filter((id) => id !== event.data.applicationId);
      const { heldBy: _held, ...rest } = current;
      return withOffering(state, heldBy.length > 0 ? { ...rest, heldBy } : rest);
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
