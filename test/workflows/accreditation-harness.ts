import { randomUUID } from 'node:crypto';
import { sealedAction, startSeal } from '../support/command-keys';
import { trackForExport } from '../support/history-export';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createFrameworkLibrary } from '../../config/framework';
import { loadConfig } from '../../config/config';
import type { Actor } from '../../domain/shared/actor';
import type { AccreditationCommandOf } from '../../domain/accreditation/commands';
import { DEFAULT_ACCREDITATION_POLICY, type AccreditationPolicy } from '../../domain/accreditation/policy';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import type { Offering } from '../../domain/csp/events';
import { allCriteria, type BenchmarkFramework } from '../../domain/framework/schema';
import type { Baseline } from '../../domain/shared/vocabulary';
import type { EventStore } from '../../eventstore/port';
import { decodedStream } from '../support/case-results';
import type { accreditationWorkflow } from '../../workflows/accreditation/accreditation.workflow';
import {
  accreditationActionUpdate,
  accreditationStateQuery,
  accreditationWorkflowId,
  type AccreditationActionType,
  type AccreditationView,
} from '../../workflows/accreditation/messages';

export const TASK_QUEUE = 'accreditation-tests';
export const FRAMEWORK: BenchmarkFramework = createFrameworkLibrary(loadConfig({}).framework).load('1.0');

export const CSP_ID = 'csp-nimbus';
/** Four different people: four eyes means the roles of one case never share a person. */
export const people = {
  csp: { userId: 'u-csp', name: 'Chaudhry CSP', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID } as Actor,
  reviewer: { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' } as Actor,
  security: { userId: 'u-sec', name: 'Saima Security', role: 'security-reviewer', jurisdiction: 'federal' } as Actor,
  director: { userId: 'u-dir', name: 'Dawood Director', role: 'director', jurisdiction: 'federal' } as Actor,
};
/** The same person under another role. */
export const as = (actor: Actor, userId: string): Actor => ({ ...actor, userId, name: `Person ${userId}` });

export const GOV_CLOUD: Offering = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [
    { city: 'Islamabad', country: 'PK' },
    { city: 'Karachi', country: 'PK' },
  ],
};

export function scoresAtMinimum(baseline: Baseline): Record<string, number> {
  return Object.fromEntries(allCriteria(FRAMEWORK).map((c) => [c.id, c.minimum[baseline]]));
}

export interface SubmitOptions {
  applicationId?: string;
  policy?: AccreditationPolicy;
  lastRejectedAt?: string;
  continueAfterEvents?: number;
  /** Runs the compliance regime (monitoring, anniversary reviews, transition) around the grant. */
  compliance?: { policy: CompliancePolicy };
}

export async function submit(
  env: TestWorkflowEnvironment,
  opts: SubmitOptions = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof accreditationWorkflow>> {
  const applicationId = opts.applicationId ?? `ACC-${randomUUID().slice(0, 8)}`;
  const command: AccreditationCommandOf<'Submit'> = {
    type: 'Submit',
    actor: people.csp,
    data: {
      applicationId,
      cspId: CSP_ID,
      offering: GOV_CLOUD,
      requestedBaseline: 'enhanced',
      evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
      frameworkVersion: FRAMEWORK.version,
    },
  };
  const handle = await env.client.workflow.start<typeof accreditationWorkflow>('accreditationWorkflow', {
    workflowId: accreditationWorkflowId(applicationId),
    taskQueue: TASK_QUEUE,
    args: [
      {
        submit: command,
        requestId: `submit-${applicationId}`,
        seal: await startSeal(accreditationWorkflowId(applicationId), command, `submit-${applicationId}`),
        policy: opts.policy ?? DEFAULT_ACCREDITATION_POLICY,
        framework: FRAMEWORK,
        ...(opts.lastRejectedAt ? { lastRejectedAt: opts.lastRejectedAt } : {}),
        ...(opts.continueAfterEvents ? { continueAfterEvents: opts.continueAfterEvents } : {}),
        ...(opts.compliance ? { compliance: opts.compliance } : {}),
      },
    ],
  });
  return trackForExport(handle);
}

export function act<K extends AccreditationActionType>(
  handle: WorkflowHandle,
  type: K,
  actor: Actor,
  data: AccreditationCommandOf<K>['data'] | Record<string, unknown>,
): Promise<AccreditationView> {
  return sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() }).then((action) => handle.executeUpdate(accreditationActionUpdate, { args: [action] }));
}

export function view(handle: WorkflowHandle): Promise<AccreditationView> {
  return handle.query(accreditationStateQuery);
}

/** Polls the process's view until `ready` holds (a signal gives no answer to wait on). */
export async function viewWhen(handle: WorkflowHandle, ready: (v: AccreditationView) => boolean): Promise<AccreditationView> {
  for (let i = 0; i < 400; i++) {
    const current = await view(handle);
    if (ready(current)) return current;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('The process never reached the expected state');
}

/** Screening, full scores at the enhanced minima and a passed security review: ready for the director. */
export async function assessed(env: TestWorkflowEnvironment, opts: SubmitOptions = {}) {
  const handle = await submit(env, opts);
  await act(handle, 'StartScreening', people.reviewer, {});
  await act(handle, 'CompleteScreening', people.reviewer, { notes: 'Complete and in order' });
  await act(handle, 'ScoreCriteria', people.reviewer, { scores: scoresAtMinimum('enhanced'), rationale: 'Evidence reviewed' });
  const ready = await act(handle, 'RecordSecurityReview', people.security, { outcome: 'passed', notes: 'Penetration test clean' });
  return { handle, ready };
}

export async function granted(env: TestWorkflowEnvironment, opts: SubmitOptions = {}) {
  const { handle } = await assessed(env, opts);
  const approved = await act(handle, 'Decide', people.director, {
    decision: 'approve',
    baseline: 'intermediate',
    highestDataClass: 'restricted',
    reasons: 'Meets the intermediate baseline',
  });
  if (approved.state.status === 'none' || approved.state.grant === undefined) throw new Error('not granted');
  return { handle, approved: approved.state, grant: approved.state.grant, applicationId: approved.state.application.applicationId };
}

export function streamOf(store: EventStore, applicationId: string) {
  return decodedStream(store, `accreditation-${applicationId}`);
}

export { refusal } from '../support/case-results';
