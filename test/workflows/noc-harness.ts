import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { WithStartWorkflowOperation, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../domain/shared/actor';
import { DEFAULT_NOC_POLICY, type NocPolicy } from '../../domain/noc/policy';
import type { NocCommandOf, NocCommandType } from '../../domain/noc/commands';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { decodedStream } from '../support/case-results';
import { nocActionUpdate, nocRequestedUpdate, nocStateQuery, nocWorkflowId, type NocView, type NocWorkflowInput } from '../../workflows/noc/messages';
import type { nocWorkflow } from '../../workflows/noc/noc.workflow';
import { startTestWorker } from '../support/temporal';
import { sealedAction, startSeal } from '../support/command-keys';
import { trackForExport } from '../support/history-export';

export const TASK_QUEUE = 'noc-tests';

/** A worker wired to an in-memory store, on the given test environment. */
export async function startNocWorker(env: TestWorkflowEnvironment): Promise<{ worker: Worker; store: EventStore; run: Promise<void> }> {
  const store = await openSqliteEventStore({ path: ':memory:' });
  const { worker, run } = await startTestWorker(env, store, TASK_QUEUE);
  return { worker, store, run };
}

export interface RequestOptions {
  actor: Actor;
  nocId?: string;
  requestedMonths?: number;
  policy?: NocPolicy;
  continueAfterEvents?: number;
}

/** The id and start options of a NOC process as the API starts it, with its request sealed. */
async function nocStart(opts: RequestOptions) {
  const nocId = opts.nocId ?? `NOC-${randomUUID().slice(0, 8)}`;
  const request: NocCommandOf<'RequestNoc'> = {
    type: 'RequestNoc',
    actor: opts.actor,
    data: {
      nocId,
      pseId: opts.actor.organisationId as string,
      jurisdiction: opts.actor.jurisdiction,
      deviation: 'on-premises-hosting',
      description: 'Keep the land records system on premises during migration',
      justification: 'The accredited government cloud has no capacity for it before next year',
      dataClass: 'restricted',
      systems: ['land-records'],
      requestedMonths: opts.requestedMonths ?? 12,
    },
  };
  return {
    workflowId: nocWorkflowId(nocId),
    taskQueue: TASK_QUEUE,
    args: [{ request, requestId: `req-${nocId}`, seal: await startSeal(nocWorkflowId(nocId), request, `req-${nocId}`), policy: opts.policy ?? DEFAULT_NOC_POLICY, continueAfterEvents: opts.continueAfterEvents }] as [NocWorkflowInput],
  };
}

export async function requestNoc(env: TestWorkflowEnvironment, opts: RequestOptions): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nocWorkflow>> {
  return trackForExport(await env.client.workflow.start<typeof nocWorkflow>('nocWorkflow', await nocStart(opts)));
}

/**
 * Requests a NOC as the API does: one update-with-start whose `nocRequested` update answers the view
 * once the request is recorded. `answer` settles with that view, or rejects as the update failed.
 */
export async function requestNocAnswered(env: TestWorkflowEnvironment, opts: RequestOptions): Promise<{ handle: WorkflowHandle<typeof nocWorkflow>; answer: Promise<NocView> }> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof nocWorkflow>('nocWorkflow', { ...(await nocStart(opts)), workflowIdConflictPolicy: 'FAIL' });
  const answer = env.client.workflow.executeUpdateWithStart(nocRequestedUpdate, { startWorkflowOperation });
  answer.catch(() => undefined);
  const handle = await startWorkflowOperation.workflowHandle();
  // The handle update-with-start gives names no first run; the export follows the runs from it.
  const { runId } = await handle.describe();
  trackForExport({ ...handle, firstExecutionRunId: runId });
  return { handle, answer };
}

export function act<K extends NocCommandType>(
  handle: WorkflowHandle,
  type: K,
  actor: Actor,
  data: NocCommandOf<K>['data'] | Record<string, unknown>,
): Promise<NocView> {
  return sealedAction(handle.workflowId, { type, actor, data: data as never, commandId: randomUUID() }).then((action) => handle.executeUpdate(nocActionUpdate, { args: [action] }));
}

export function view(handle: WorkflowHandle): Promise<NocView> {
  return handle.query(nocStateQuery);
}

export function streamOf(store: EventStore, nocId: string) {
  return decodedStream(store, `noc-${nocId}`);
}

export { refusal } from '../support/case-results';
