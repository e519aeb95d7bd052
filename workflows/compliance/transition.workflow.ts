import { ApplicationFailure, patched, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { TransitionActivities } from '../../activities/transition-activities';
import { TRANSITION_POLICY_VERSION, type TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { TransitionEvent } from '../../domain/compliance/transition-events';
import { evolveTransition } from '../../domain/compliance/transition-evolve';
import { initialTransitionState, type TransitionState } from '../../domain/compliance/transition-state';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { CaseLedger, SIGNED_COMMANDS_PATCH, federalCaseAttributes, nowIso, toFailure } from '../shared/case-process';
import {
  currentTransitionInput,
  transitionStateQuery,
  type PreviousTransitionWorkflowInput,
  type TransitionView,
  type TransitionWorkflowInput,
} from './transition-messages';

/**
 * Since this patch the transition takes the ending's instant and cause from the accreditation's stream
 * (activity `accreditationEnding`) rather than from its input alone: a parent that continued as new
 * between the ending and starting this child no longer knows when the ending was and passes its own
 * clock. Runs that had started before it replay without the lookup.
 */
export const TRANSITION_ENDING_FROM_STREAM_PATCH = 'transition-ending-from-stream';

const { openProcurementsOn, accreditationEnding } = proxyActivities<TransitionActivities>({
  // A scan of the PSE register's streams: allowed minutes, retried while the store is away.
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes' },
});

/**
 * The migration period after an accreditation ended (SPEC §3.1: revocation, expiry, withdrawal): at the
 * ending every PSE with an open procurement on the offering gets a notice with the migration deadline;
 * at the deadline each procurement still open on it, whenever recorded, is flagged non-compliant, and the transition ends. Nobody acts on it: it is the engine's, started
 * by the accreditation process as its child `transition:<applicationId>`. Its history stays short (two
 * lookups, two appends, one timer), so it never continues as new.
 */
export async function revocationTransitionWorkflow(given: TransitionWorkflowInput | PreviousTransitionWorkflowInput): Promise<TransitionView> {
  const input = currentTransitionInput(given);
  // Only the accreditation process starts it, as its child; nobody outside the engine can start a child.
  if (patched(SIGNED_COMMANDS_PATCH) && workflowInfo().parent === undefined) {
    throw ApplicationFailure.nonRetryable('Only the engine starts a revocation transition', 'COMMAND_SIGNATURE_INVALID');
  }
  const ledger = new CaseLedger<TransitionState, TransitionEvent>(initialTransitionState, -1, {
    evolve: evolveTransition,
    policyVersion: TRANSITION_POLICY_VERSION,
    onCommitted: federalCaseAttributes('transition'),
  });
  const view = (): TransitionView => {
    const s = ledger.state;
    if (s.status === 'none') return { status: 'none', applicationId: input.applicationId, migrateBy: input.migrateBy, notices: [], revision: ledger.revision };
    return {
      status: s.status,
      applicationId: s.applicationId,
      migrateBy: s.migrateBy,
      notices: s.notices.map((n) => ({ pseId: n.pseId, procurementId: n.procurementId, migrateBy: s.migrateBy, flaggedNonCompliant: n.flaggedNonCompliant })),
      revision: ledger.revision,
    };
  };
  const run = async (command: TransitionCommand, causationId: string): Promise<void> => {
    try {
      const events = decideTransition(command, ledger.state, { now: nowIso() });
      await ledger.commit(`transition-${input.applicationId}`, events, command.actor, causationId);
    } catch (err) {
      throw toFailure(err);
    }
  };
  setHandler(transitionStateQuery, view);

  const { applicationId, offeringId, cspId, migrateBy } = input;
  let { endedAt, cause } = input;
  if (patched(TRANSITION_ENDING_FROM_STREAM_PATCH)) {
    const recorded = await accreditationEnding(applicationId);
    if (recorded !== undefined) ({ endedAt, cause } = recorded);
  }
  const open = await openProcurementsOn(offeringId);
  const started = { applicationId, offeringId, cspId, endedAt, migrateBy, cause, open };
  await run(
    { type: 'StartRevocationTransition', actor: SYSTEM_ACTOR, data: started },
    input.requestId || workflowInfo().workflowId,
  );

  // The deadline is a durable timer; a procurement ended before it is simply no longer open then.
  await sleep(Math.max(1, Date.parse(migrateBy) - Date.now()));
  const stillOpen = await openProcurementsOn(offeringId);
  await run({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen } }, `timer:CloseRevocationTransition:${migrateBy}`);
  return view();
}
