import { ParentClosePolicy, getExternalWorkflowHandle, log, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { AccreditationCase } from '../../domain/accreditation/state';
import { periodOf } from '../../domain/compliance/period';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { endMonitoringSignal, monitoringWorkflowId } from '../compliance/messages';
import { monitoringWorkflow } from '../compliance/monitoring.workflow';
import { openEngineReview } from '../compliance/engine-review';
import { startChildOnce } from '../shared/start-child-once';
import { transitionWorkflowId, type TransitionWorkflowInput } from '../compliance/transition-messages';
import type { ComplianceDuties } from './messages';

/**
 * The compliance regime's steps the accreditation process takes (SPEC §3.1 "while accredited", §3.2).
 * Each child is abandoned when the accreditation's run closes (they outlive it and its continue-as-new)
 * and named by the application, so a retried or replayed start finds it already running and goes on.
 */
export const NO_DUTIES_DONE: ComplianceDuties = { monitoringStarted: false, monitoringEnded: false, anniversariesOpened: 0, transitionStarted: false };

/** The review id of the n-th anniversary's annual compliance review. */
export const anniversaryReviewId = (applicationId: string, n: number): string => `${applicationId}-anniversary-${n}`;

/** The revocation transition, started by its type's name: this module does not import its workflow. */
export const REVOCATION_TRANSITION_WORKFLOW = 'revocationTransitionWorkflow';

export type MonitoringChild = ChildWorkflowHandle<typeof monitoringWorkflow>;

/** Monthly monitoring from the month the grant takes effect; its handle, unless it was already running. */
export function startMonitoring(c: AccreditationCase, policy: CompliancePolicy): Promise<MonitoringChild | undefined> {
  const { applicationId, cspId, offering } = c.application;
  const workflowId = monitoringWorkflowId(applicationId);
  const firstPeriod = periodOf(c.grant?.validFrom ?? new Date(Date.now()).toISOString());
  return startChildOnce('monitoring', workflowId, () =>
    startChild(monitoringWorkflow, {
      workflowId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [
        {
          start: { type: 'StartMonitoring', actor: SYSTEM_ACTOR, data: { applicationId, offeringId: offering.offeringId, cspId, firstPeriod } },
          policy,
        },
      ],
    }),
  );
}

/** The annual compliance review of the n-th anniversary. */
export async function openAnniversaryReview(c: AccreditationCase, n: number, at: string, policy: CompliancePolicy): Promise<void> {
  const { applicationId, cspId, offering } = c.application;
  await openEngineReview({
    subject: { reviewId: anniversaryReviewId(applicationId, n), applicationId, offeringId: offering.offeringId, cspId },
    trigger: 'anniversary',
    description: `Annual compliance review on the ${ordinal(n)} anniversary of the accreditation (${at})`,
    requestId: `timer:Anniversary:${at}`,
    policy,
  });
}

/**
 * Tells monitoring the accreditation has ended; monitoring that has already gone needs no telling. When
 * the run holds monitoring's handle (it started it), it also waits for monitoring to record its end, so
 * the accreditation closes after monitoring has: a closed accreditation with monitoring still running is
 * then never seen. (A run after continue-as-new has no handle and only tells.)
 */
export async function endMonitoring(c: AccreditationCase, commandId: string, child?: MonitoringChild): Promise<void> {
  const workflowId = monitoringWorkflowId(c.application.applicationId);
  try {
    await getExternalWorkflowHandle(workflowId).signal(endMonitoringSignal, { reason: `The accreditation was ${c.status}`, commandId });
    await child?.result();
  } catch (err) {
    log.warn('monitoring not told of the end', { workflowId, error: String(err) });
  }
}

/** The PSEs' transition off an offering whose grant ended, until the ending's transitionUntil. */
export async function startTransition(c: AccreditationCase, ending: { endedAt: string; requestId: string }): Promise<void> {
  const { applicationId, cspId, offering } = c.application;
  const workflowId = transitionWorkflowId(applicationId);
  const input: TransitionWorkflowInput = {
    applicationId,
    offeringId: offering.offeringId,
    cspId,
    endedAt: ending.endedAt,
    migrateBy: c.transitionUntil ?? ending.endedAt,
    requestId: ending.requestId,
    cause: c.status === 'expired' || c.status === 'withdrawn' ? c.status : 'revoked',
  };
  await startChildOnce('revocation transition', workflowId, () =>
    startChild(REVOCATION_TRANSITION_WORKFLOW, { workflowId, parentClosePolicy: ParentClosePolicy.ABANDON, args: [input] }),
  );
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}
