import { requireSystem } from './rules';
import { DomainError, assertNever } from '../shared/errors';
import { isBefore } from '../shared/time';
import type { TransitionCommand, TransitionCommandOf, TransitionDecideContext } from './transition-commands';
import type { OpenProcurement, TransitionEvent } from './transition-events';
import { procurementKey, type TransitionState } from './transition-state';

/** Pure: given the transition's state and a command, the events that happen, or a DomainError thrown. */
export function decideTransition(command: TransitionCommand, state: TransitionState, ctx: TransitionDecideContext): TransitionEvent[] {
  requireSystem(command.actor, command.type);
  switch (command.type) {
    case 'StartRevocationTransition':
      return start(command, state);

    case 'CloseRevocationTransition': {
      if (state.status === 'none') throw new DomainError('TRANSITION_NOT_STARTED', 'No revocation transition has started');
      if (state.status === 'ended') throw new DomainError('TRANSITION_ENDED', `The transition of ${state.applicationId} has ended`);
      if (isBefore(ctx.now, state.migrateBy)) {
        throw new DomainError('COMPLIANCE_NOT_YET_DUE', `The migration deadline ${state.migrateBy} has not come yet`);
      }
      // Every workload still on the offering is flagged, whenever it was recorded: one recorded after the
      // accreditation ended (under a NOC) was told the offering's standing by the check that let it on.
      const { offeringId, migrateBy } = state;
      const flagged: TransitionEvent[] = unique(command.data.stillOpen).map((p) => ({
        type: 'ProcurementFlaggedNonCompliant',
        data: { ...p, offeringId, migrateBy },
      }));
      return [...flagged, { type: 'RevocationTransitionEnded', data: { flagged: flagged.length } }];
    }

    default:
      return assertNever(command, 'revocation transition command');
  }
}

function start(command: TransitionCommandOf<'StartRevocationTransition'>, state: TransitionState): TransitionEvent[] {
  if (state.status !== 'none') {
    throw new DomainError('TRANSITION_ALREADY_STARTED', `The transition of ${state.applicationId} has already started`, 'applicationId');
  }
  const { open, ...started } = command.data;
  // A deadline at the revocation itself (a policy of no transition period) is allowed: the notices go
  // out, and the procurements are flagged at once.
  if (isBefore(started.migrateBy, started.endedAt)) {
    throw new DomainError('TRANSITION_INVALID_DEADLINE', 'The migration deadline cannot come before the accreditation ended', 'migrateBy');
  }
  // The notice says why the entity must move: a revocation reads differently from an expiry.
  const { offeringId, migrateBy, cause } = started;
  return [
    { type: 'RevocationTransitionStarted', data: started },
    ...unique(open).map((p): TransitionEvent => ({ type: 'PseTransitionNoticeIssued', data: { ...p, offeringId, migrateBy, cause } })),
  ];
}

/** The lookup may list a procurement twice (never should, but a notice is sent once). */
function unique(procurements: readonly OpenProcurement[]): OpenProcurement[] {
  const seen = new Set<string>();
  return procurements.filter((p) => {
    const key = procurementKey(p);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
