import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Actor } from '../../domain/shared/actor';
import { DEFAULT_NOC_POLICY, type NocPolicy } from '../../domain/noc/policy';
import type { NocCommandOf, NocCommandType } from '../../domain/noc/commands';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { EventStore } from '../../eventstore/port';
import { decodedStream } from '../support/case-results';
import { nocActionUpdate, nocStateQuery, nocWorkflowId, type NocView } from '../../workflows/noc/messages';
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

export async function requestNoc(env: TestWorkflowEnvironment, opts: RequestOptions): Promise<WorkflowHandleWithFirstExecutionRunId<typeof nocWorkflow>> {
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
  const handle = await env.client.workflow.start<typeof nocWorkflow>('nocWorkflow', {
    workflowId: nocWorkflowId(nocId),
    taskQueue: TASK_QUEUE,
    args: [{ request, requestId: `req-${nocId}`, seal: await startSeal(nocWorkflowId(nocId), request, `req-${nocId}`), policy: opts.policy ?? DEFAULT_NOC_POLICY, continueAfterEvents: opts.continueAfterEvents }],
  });
  return trackForExport(handle);
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
