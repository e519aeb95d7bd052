import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { ReviewCommandOf } from '../../domain/compliance/review-commands';
import type { ReviewState } from '../../domain/compliance/review-state';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { SYSTEM_ACTOR, isSystem, type Actor } from '../../domain/shared/actor';
import type { monitoringWorkflow } from '../../workflows/compliance/monitoring.workflow';
import type { reviewWorkflow } from '../../workflows/compliance/review.workflow';
import {
  monitoringActionUpdate,
  monitoringStateQuery,
  monitoringWorkflowId,
  reviewActionUpdate,
  reviewStateQuery,
  reviewWorkflowId,
  type MonitoringView,
  type ReviewActionType,
  type ReviewTriggerInput,
  type ReviewView,
} from '../../workflows/compliance/messages';
import { sealedAction, startSeal } from '../support/command-keys';
import { startAsEngine } from '../support/engine-start';
import { accreditationWorkflowId, type ComplianceActionInput } from '../../workflows/accreditation/messages';
import { trackForExport } from '../support/history-export';
import type { PseCommandOf } from '../../domain/pse/commands';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import type { pseWorkflow } from '../../workflows/pse/pse.workflow';
import { pseActionUpdate, pseWorkflowId, type PseActionType, type PseView } from '../../workflows/pse/messages';
import { answer } from '../domain/pse-fixtures';
import { CSP_ID, GOV_CLOUD, TASK_QUEUE } from './accreditation-harness';

const REGISTRAR: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };

/** A public service entity on the register, through its own process. */
export async function registerPse(env: TestWorkflowEnvironment, pseId: string, jurisdiction: Jurisdiction = 'federal'): Promise<WorkflowHandle> {
  const command: PseCommandOf<'RegisterPse'> = {
    type: 'RegisterPse',
    actor: REGISTRAR,
    data: { pseId, name: `Entity ${pseId}`, ministry: 'Ministry of Tests', jurisdiction },
  };
  return trackForExport(
    await env.client.workflow.start<typeof pseWorkflow>('pseWorkflow', {
      workflowId: pseWorkflowId(pseId),
      taskQueue: TASK_QUEUE,
      args: [{ register: command, requestId: `reg-${pseId}`, seal: await startSeal(pseWorkflowId(pseId), command, `reg-${pseId}`) }],
    }),
  );
}

/** An entity's action on its register entry, signed as the API signs it. */
export function onPse<K extends PseActionType>(handle: WorkflowHandle, type: K, actor: Actor, data: PseCommandOf<K>['data']): Promise<PseView> {
  return sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() }).then((action) => handle.executeUpdate(pseActionUpdate, { args: [action] }));
}

/** A workload recorded on an offering (the government cloud by default) with the check's answer. */
export const procurement = (
  pseId: string,
  procurementId: string,
  { decision = 'allowed', offeringId = GOV_CLOUD.offeringId }: { decision?: 'allowed' | 'allowed-by-noc'; offeringId?: string } = {},
): PseCommandOf<'RecordProcurement'>['data'] => ({
  procurementId,
  offeringId,
  dataClass: 'public',
  system: 'Citizen portal',
  check: answer(decision, { pseId, offeringId }),
});

export async function startMonitoring(
  env: TestWorkflowEnvironment,
  applicationId: string,
  firstPeriod: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof monitoringWorkflow>> {
  const handle = await startAsEngine<typeof monitoringWorkflow>(env, {
    workflowType: 'monitoringWorkflow',
    workflowId: monitoringWorkflowId(applicationId),
    taskQueue: TASK_QUEUE,
    args: [
      {
        start: { type: 'StartMonitoring', actor: SYSTEM_ACTOR, data: { applicationId, offeringId: GOV_CLOUD.offeringId, cspId: CSP_ID, firstPeriod } },
        policy: DEFAULT_COMPLIANCE_POLICY,
      },
    ],
  });
  return trackForExport(handle);
}

export async function openReview(
  env: TestWorkflowEnvironment,
  applicationId: string,
  trigger: ReviewTriggerInput,
  actor: Actor = SYSTEM_ACTOR,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof reviewWorkflow>> {
  const reviewId = `${applicationId}-${trigger}-${randomUUID().slice(0, 6)}`;
  const open: ReviewCommandOf<'OpenReview'> = {
    type: 'OpenReview',
    actor,
    data: { reviewId, applicationId, offeringId: GOV_CLOUD.offeringId, cspId: CSP_ID, trigger, description: `A ${trigger} review` },
  };
  const workflowId = reviewWorkflowId(reviewId);
  const input = { open, requestId: `open-${reviewId}`, policy: DEFAULT_COMPLIANCE_POLICY };
  // The engine opens its reviews as a parent process; a reviewer's opening is sealed by the API.
  const handle = isSystem(actor)
    ? await startAsEngine<typeof reviewWorkflow>(env, { workflowType: 'reviewWorkflow', workflowId, taskQueue: TASK_QUEUE, args: [input] })
    : await env.client.workflow.start<typeof reviewWorkflow>('reviewWorkflow', {
        workflowId,
        taskQueue: TASK_QUEUE,
        args: [{ ...input, seal: await startSeal(workflowId, open, input.requestId) }],
      });
  return trackForExport(handle);
}

/** A process the engine started itself (a child), tracked for the replay fixtures from its first run. */
export async function trackStarted(env: TestWorkflowEnvironment, workflowId: string): Promise<WorkflowHandle> {
  const handle = env.client.workflow.getHandle(workflowId);
  // The parent's state can show the step before the server has started the process it asked for.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const { runId } = await handle.describe();
      return trackForExport(Object.assign(handle, { firstExecutionRunId: runId }));
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError) || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export function report(handle: WorkflowHandle, actor: Actor, period: string): Promise<MonitoringView> {
  const action = { type: 'SubmitMonthlyReport' as const, actor, data: { period, summary: `Report for ${period}`, vulnerabilities: { high: 0, moderate: 1, low: 3 } }, commandId: randomUUID() };
  return sealedAction(handle.workflowId, action).then((sealed) => handle.executeUpdate(monitoringActionUpdate, { args: [sealed] }));
}

export function monitoring(handle: WorkflowHandle): Promise<MonitoringView> {
  return handle.query(monitoringStateQuery);
}

export async function onReview<K extends ReviewActionType>(
  handle: WorkflowHandle,
  type: K,
  actor: Actor,
  data: ReviewCommandOf<K>['data'] | Record<string, unknown>,
): Promise<ReviewView> {
  const action = await sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() });
  return handle.executeUpdate(reviewActionUpdate, { args: [{ ...action, ...(await measureOf(handle, action)) }] });
}

/** A director's suspension or revocation carries the director's own measure, sealed for the accreditation (as the API does). */
async function measureOf(handle: WorkflowHandle, action: { type: string; actor: Actor; data: unknown; commandId: string }): Promise<{ measure?: ComplianceActionInput }> {
  const type = action.type === 'DecideSuspend' ? 'Suspend' : action.type === 'DecideRevoke' ? 'Revoke' : undefined;
  if (type === undefined) return {};
  const { state } = await handle.query(reviewStateQuery);
  if (state.status === 'none') return {};
  const { reasons } = action.data as { reasons: string };
  const measure = { type, actor: action.actor, data: { reasons }, commandId: `${action.commandId}:measure` } as ComplianceActionInput;
  return { measure: await sealedAction(accreditationWorkflowId(state.subject.applicationId), measure) };
}

export async function reviewStatus(handle: WorkflowHandle): Promise<ReviewState['status']> {
  return (await handle.query(reviewStateQuery)).state.status;
}
