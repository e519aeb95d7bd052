import { sleep } from '@temporalio/workflow';
import { accreditationWorkflow as currentAccreditation } from '../../../workflows/accreditation/accreditation.workflow';
import type { AccreditationView, AccreditationWorkflowInput } from '../../../workflows/accreditation/messages';
import { cspWorkflow as currentCsp } from '../../../workflows/csp/csp.workflow';
import type { CspView, CspWorkflowInput } from '../../../workflows/csp/messages';
import { pseWorkflow as currentPse } from '../../../workflows/pse/pse.workflow';
import type { PseView, PseWorkflowInput } from '../../../workflows/pse/messages';
import { monitoringWorkflow as currentMonitoring } from '../../../workflows/compliance/monitoring.workflow';
import { reviewWorkflow as currentReview } from '../../../workflows/compliance/review.workflow';
import type { MonitoringView, MonitoringWorkflowInput, ReviewView, ReviewWorkflowInput } from '../../../workflows/compliance/messages';
import { changeWorkflow as currentChange } from '../../../workflows/compliance/change.workflow';
import type { ChangeView, ChangeWorkflowInput } from '../../../workflows/compliance/change-messages';
import { revocationTransitionWorkflow as currentTransition } from '../../../workflows/compliance/transition.workflow';
import type { TransitionView, TransitionWorkflowInput } from '../../../workflows/compliance/transition-messages';
import { nocWorkflow as currentNoc } from '../../../workflows/noc/noc.workflow';
import type { NocView, NocWorkflowInput } from '../../../workflows/noc/messages';

/**
 * A deliberately nondeterministic change for the replay gate to catch: every process with one timer
 * added before anything else, as a careless edit without `patched()` would do.
 */
export async function nocWorkflow(input: NocWorkflowInput): Promise<NocView> {
  await sleep('1 second');
  return currentNoc(input);
}

export async function accreditationWorkflow(input: AccreditationWorkflowInput): Promise<AccreditationView> {
  await sleep('1 second');
  return currentAccreditation(input);
}

export async function cspWorkflow(input: CspWorkflowInput): Promise<CspView> {
  await sleep('1 second');
  return currentCsp(input);
}

export async function pseWorkflow(input: PseWorkflowInput): Promise<PseView> {
  await sleep('1 second');
  return currentPse(input);
}

export async function monitoringWorkflow(input: MonitoringWorkflowInput): Promise<MonitoringView> {
  await sleep('1 second');
  return currentMonitoring(input);
}

export async function reviewWorkflow(input: ReviewWorkflowInput): Promise<ReviewView> {
  await sleep('1 second');
  return currentReview(input);
}

export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeView> {
  await sleep('1 second');
  return currentChange(input);
}

export async function revocationTransitionWorkflow(input: TransitionWorkflowInput): Promise<TransitionView> {
  await sleep('1 second');
  return currentTransition(input);
}
