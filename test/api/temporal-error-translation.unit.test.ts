import { Metadata, status, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { Client, type ConnectionLike } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { google, temporal } from '@temporalio/proto';
import { createTemporalNocGateway, mapTemporalError } from '../../api/noc-gateway';
import { loadConfig } from '../../config/config';
import { DEFAULT_NOC_POLICY, decideNoc, foldNoc, type NocCommand } from '../../domain/noc';
import type { NocView } from '../../workflows/noc/messages';
import { pse, reviewer } from '../support/actors';
import { testSigning } from '../support/command-keys';
import { NOC_REQUEST } from './harness';

/**
 * Issue 14 follow-up: a Temporal that lags must never make the API answer 500. The real client
 * (@temporalio/client) runs over a workflow service scripted to answer as a lagging or busy server
 * does, so each error reaches the gateway exactly as the client wraps it (ServiceError,
 * WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError):
 * "not now" becomes 503 UNAVAILABLE, "already done" is answered as done, and only a call the server
 * refuses as wrong stays an internal error.
 */
const config = loadConfig({});
const REGISTER = () => Promise.resolve({ jurisdiction: 'federal' as const });

type Service = Record<string, (request: unknown) => Promise<unknown>>;

/** A gRPC failure as grpc-js raises it; `notReady` adds Temporal's WorkflowNotReadyFailure detail. */
function grpcFailure(code: status, details: string, notReady = false): GrpcServiceError {
  const metadata = new Metadata();
  if (notReady) {
    const detail = google.protobuf.Any.create({
      type_url: 'type.googleapis.com/temporal.api.errordetails.v1.WorkflowNotReadyFailure',
      value: temporal.api.errordetails.v1.WorkflowNotReadyFailure.encode({}).finish(),
    });
    metadata.set('grpc-status-details-bin', Buffer.from(google.rpc.Status.encode({ code, message: details, details: [detail] }).finish()));
  }
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
}

/**
 * How the server refuses an update-with-start whose start failed: ABORTED, with each operation's own
 * status in a MultiOperationExecutionFailure detail (the update's: aborted because the start failed).
 */
function multiOperationFailure(code: status, message: string): GrpcServiceError {
  const { MultiOperationExecutionFailure } = temporal.api.errordetails.v1;
  const aborted = google.protobuf.Any.create({
    type_url: 'type.googleapis.com/temporal.api.failure.v1.MultiOperationExecutionAborted',
    value: temporal.api.failure.v1.MultiOperationExecutionAborted.encode({}).finish(),
  });
  const failure = MultiOperationExecutionFailure.encode({
    statuses: [
      { code, message, details: [] },
      { code: status.ABORTED, message: 'Operation was aborted.', details: [aborted] },
    ],
  }).finish();
  const detail = google.protobuf.Any.create({ type_url: 'type.googleapis.com/temporal.api.errordetails.v1.MultiOperationExecutionFailure', value: failure });
  const metadata = new Metadata();
  metadata.set('grpc-status-details-bin', Buffer.from(google.rpc.Status.encode({ code: status.ABORTED, message: 'Update-with-Start could not be executed.', details: [detail] }).finish()));
  return Object.assign(new Error(`${status.ABORTED} ABORTED: Update-with-Start could not be executed.`), { code: status.ABORTED, details: 'Update-with-Start could not be executed.', metadata });
}

/** The real client over a workflow service whose methods are the given ones; any other call is a test error. */
function clientOver(service: Service): Client {
  const workflowService = new Proxy(service, {
    get: (target, name: string) => target[name] ?? (() => Promise.reject(new Error(`unexpected call ${name}`))),
  });
  const connection = {
    workflowService,
    operatorService: {},
    plugins: [],
    close: async () => undefined,
    ensureConnected: async () => undefined,
    withDeadline: <R>(_deadline: unknown, fn: () => Promise<R>) => fn(),
    withMetadata: <R>(_metadata: unknown, fn: () => Promise<R>) => fn(),
    withApiKey: <R>(_key: unknown, fn: () => Promise<R>) => fn(),
    withAbortSignal: <R>(_signal: unknown, fn: () => Promise<R>) => fn(),
  } as unknown as ConnectionLike;
  return new Client({ connection, namespace: 'cloud-office' });
}

const fails = (err: unknown) => () => Promise.reject(err);
const queryAnswer = (view: NocView) => async () => ({ queryResult: { payloads: [defaultPayloadConverter.toPayload(view)] } });

function viewAfter(commands: NocCommand[]): NocView {
  let events: ReturnType<typeof decideNoc> = [];
  for (const command of commands) {
    events = [...events, ...decideNoc(command, foldNoc(events), { now: new Date().toISOString(), policy: DEFAULT_NOC_POLICY })];
  }
  return { state: foldNoc(events), revision: events.length - 1 };
}
const requested = (nocId: string): NocCommand =>
  ({ type: 'RequestNoc', actor: pse(), data: { ...(NOC_REQUEST as object), nocId, pseId: 'pse-moitt', jurisdiction: 'federal' } }) as NocCommand;

const gatewayOver = (service: Service) => createTemporalNocGateway(clientOver(service), config, testSigning(), { registeredEntity: REGISTER, startTimeoutMs: 50 });
const startReview = { type: 'StartReview' as const, actor: reviewer, data: {}, commandId: 'key-1' };
const withdraw = { type: 'Withdraw' as const, actor: pse(), data: { reason: 'Not needed' }, commandId: 'key-2' };
const caught = (p: Promise<unknown>) => p.then(() => undefined, mapTemporalError);

describe('Temporal errors that mean "not now" become 503 UNAVAILABLE', () => {
  it.each([
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED],
    ['CANCELLED', status.CANCELLED],
    ['UNAVAILABLE', status.UNAVAILABLE],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED],
    ['ABORTED', status.ABORTED],
  ])('an action whose update call fails %s', async (_name, code) => {
    const gateway = gatewayOver({ updateWorkflowExecution: fails(grpcFailure(code, 'the server is busy')) });
    await expect(caught(gateway.act('N1', startReview))).resolves.toMatchObject({ code: 'UNAVAILABLE', kind: 'unavailable' });
  });

  it('an action whose workflow task failed or timed out on a lagging worker (FAILED_PRECONDITION, workflow not ready)', async () => {
    const notReady = grpcFailure(status.FAILED_PRECONDITION, 'Unable to perform workflow execution update due to unexpected workflow task failure.', true);
    const gateway = gatewayOver({ updateWorkflowExecution: fails(notReady) });
    await expect(caught(gateway.act('N1', withdraw))).resolves.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it.each([
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED],
    ['CANCELLED', status.CANCELLED],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED],
  ])('a NOC request whose start call (update-with-start) fails %s, and one whose entity lookup (a query) does', async (_name, code) => {
    const started = gatewayOver({ executeMultiOperation: fails(grpcFailure(code, 'the server is busy')) });
    await expect(caught(started.request(pse(), NOC_REQUEST as never, 'cmd-1'))).resolves.toMatchObject({ code: 'UNAVAILABLE' });
    const queried = createTemporalNocGateway(clientOver({ queryWorkflow: fails(grpcFailure(code, 'query timed out')) }), config, testSigning());
    await expect(caught(queried.request(pse(), NOC_REQUEST as never, 'cmd-1'))).resolves.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('an action the process outlived by continuing as new: the retry reaches its new run', async () => {
    const outlived = temporal.api.failure.v1.Failure.create({
      message: 'Workflow Update failed because the Workflow completed before the Update completed.',
      applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
    });
    const running = viewAfter([requested('N2')]);
    const gateway = gatewayOver({
      updateWorkflowExecution: async () => ({
        stage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
        updateRef: { workflowExecution: { workflowId: 'noc:N2', runId: 'r1' }, updateId: 'u-rev:key-1' },
        outcome: { failure: outlived },
      }),
      queryWorkflow: queryAnswer(running),
    });
    await expect(caught(gateway.act('N2', startReview))).resolves.toMatchObject({ code: 'UNAVAILABLE', message: expect.stringMatching(/same Idempotency-Key$/) });
  });
});

describe('Temporal errors that mean "already done" or "no longer possible" are answered as such', () => {
  it.each([
    ['as ALREADY_EXISTS', grpcFailure(status.ALREADY_EXISTS, 'Workflow execution is already running')],
    ["as the start operation's status within a multi-operation failure", multiOperationFailure(status.ALREADY_EXISTS, 'Workflow execution is already running')],
  ])('a retried NOC request whose process the first attempt started (the server refusing the start %s) is answered with that NOC', async (_how, refusal) => {
    const at = new Date('2026-03-01T00:00:00Z');
    const view = viewAfter([requested('N-first')]);
    const gateway = createTemporalNocGateway(
      clientOver({
        executeMultiOperation: fails(refusal),
        queryWorkflow: queryAnswer(view),
      }),
      config,
      testSigning(),
      { registeredEntity: REGISTER, now: () => at },
    );
    await expect(gateway.request(pse(), NOC_REQUEST as never, 'cmd-1')).resolves.toEqual(view);
  });

  it('an action on a process that closed before the action finished is refused as NOC_WRONG_STATE, naming where the NOC is', async () => {
    const closed = temporal.api.failure.v1.Failure.create({
      message: 'Workflow Update failed because the Workflow completed before the Update completed.',
      applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
    });
    const withdrawn = viewAfter([requested('N3'), { type: 'Withdraw', actor: pse(), data: { reason: 'Not needed' } } as NocCommand]);
    const gateway = gatewayOver({
      updateWorkflowExecution: async () => ({
        stage: temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
        updateRef: { workflowExecution: { workflowId: 'noc:N3', runId: 'r1' }, updateId: 'u-rev:key-1' },
        outcome: { failure: closed },
      }),
      queryWorkflow: queryAnswer(withdrawn),
    });
    await expect(caught(gateway.act('N3', startReview))).resolves.toMatchObject({ code: 'NOC_WRONG_STATE', message: 'NOC N3 is withdrawn; it takes no more actions' });
  });
});

describe('Temporal errors that mean the call itself was wrong stay internal', () => {
  it('a FAILED_PRECONDITION that is not "workflow not ready", and an INVALID_ARGUMENT, are 500 INTERNAL_ERROR without the server detail', async () => {
    for (const err of [grpcFailure(status.FAILED_PRECONDITION, 'namespace is not active here'), grpcFailure(status.INVALID_ARGUMENT, 'search attribute CaseKind is not defined')]) {
      const error = await caught(gatewayOver({ updateWorkflowExecution: fails(err) }).act('N4', startReview));
      expect(error).toMatchObject({ code: 'INTERNAL_ERROR', kind: 'internal' });
      expect(error?.message).not.toContain(err.details);
    }
  });
});
