import { testCommandSigner, testSigning } from '../support/command-keys';
import {
  ApplicationFailure,
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type Client,
  type WithStartWorkflowOperation,
} from '@temporalio/client';
import { ACCEPTED_UPDATE_COMPLETED_WORKFLOW } from '../../api/noc-gateway';
import { loadConfig } from '../../config/config';
import { UNREACHABLE_MARK } from '../../config/temporal-connection';
import { DomainError } from '../../domain/shared/errors';
import { DEFAULT_NOC_POLICY, decideNoc, foldNoc, type NocCommand } from '../../domain/noc';
import { createTemporalNocGateway, mapTemporalError } from '../../api/noc-gateway';
import { nocIdFor } from '../../api/case-ids';
import type { NocActionInput, NocView, NocWorkflowInput } from '../../workflows/noc/messages';
import { pse, reviewer, director } from '../support/actors';
import { NOC_REQUEST } from './harness';

const config = loadConfig({});
/** The PSE register as these tests need it: the federal entity the test PSE acts for. */
const REGISTER = (pseId: string) => Promise.resolve(pseId === 'pse-moitt' ? { jurisdiction: 'federal' as const } : undefined);

/** A view of a NOC after the given commands, computed by the real decider. */
function viewAfter(commands: NocCommand[]): NocView {
  let events: ReturnType<typeof decideNoc> = [];
  for (const command of commands) {
    events = [...events, ...decideNoc(command, foldNoc(events), { now: new Date().toISOString(), policy: DEFAULT_NOC_POLICY })];
  }
  return { state: foldNoc(events), revision: events.length - 1 };
}

function requestCommand(nocId: string): NocCommand {
  const actor = pse();
  return {
    type: 'RequestNoc',
    actor,
    data: { ...(NOC_REQUEST as object), nocId, pseId: 'pse-moitt', jurisdiction: 'federal' },
  } as NocCommand;
}

/** A stand-in for one workflow execution as the Temporal client shows it. */
interface FakeExecution {
  queries: (() => NocView)[];
  status?: string;
  failure?: Error;
  update?: (input: NocActionInput, updateId: string) => NocView;
}

function fakeClient(executions: Map<string, FakeExecution>, onStart?: (id: string, options: Record<string, unknown>) => void) {
  const started: Record<string, unknown>[] = [];
  const updates: { workflowId: string; updateId: string; input: NocActionInput }[] = [];
  const handle = (workflowId: string) => ({
    workflowId,
    async query() {
      const exec = executions.get(workflowId);
      if (!exec) throw new WorkflowNotFoundError('not found', workflowId, undefined);
      const next = exec.queries.length > 1 ? exec.queries.shift() : exec.queries[0];
      if (!next) throw new Error('workflow task not completed yet');
      return next();
    },
    async describe() {
      const exec = executions.get(workflowId);
      if (!exec) throw new WorkflowNotFoundError('not found', workflowId, undefined);
      return { status: { name: exec.status ?? 'RUNNING' } };
    },
    async result() {
      const exec = executions.get(workflowId);
      if (exec?.failure) throw exec.failure;
      return undefined;
    },
    async executeUpdate(_def: unknown, options: { args: [NocActionInput]; updateId: string }) {
      const exec = executions.get(workflowId);
      updates.push({ workflowId, updateId: options.updateId, input: options.args[0] });
      if (!exec || exec.status === 'COMPLETED') throw new WorkflowNotFoundError('workflow execution already completed', workflowId, undefined);
      if (!exec.update) throw new Error('no update handler');
      return exec.update(options.args[0], options.updateId);
    },
  });
  /** How long each call was given (withDeadline), in ms from when it was set. */
  const deadlines: number[] = [];
  const client = {
    withDeadline<R>(deadline: number, fn: () => Promise<R>): Promise<R> {
      deadlines.push(deadline - Date.now());
      return fn();
    },
    workflow: {
      /**
       * As the engine answers update-with-start: the process starts (or its id is refused), and the update
       * answers with the first view the process records; a process that fails first fails the update as
       * one it outlived, and one that records nothing before the deadline leaves the call timed out.
       */
      async executeUpdateWithStart(def: { name: string }, options: { startWorkflowOperation: WithStartWorkflowOperation<never> }) {
        const op = options.startWorkflowOperation;
        const id = op.options.workflowId;
        started.push({ type: op.workflowTypeOrFunc, update: def.name, ...op.options });
        onStart?.(id, op.options as unknown as Record<string, unknown>);
        const exec = executions.get(id);
        if (exec?.failure) {
          throw new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: ACCEPTED_UPDATE_COMPLETED_WORKFLOW, message: 'workflow closed' }));
        }
        for (const query of exec?.queries ?? []) {
          try {
            const view = query();
            if (view.revision >= 0) return view;
          } catch {
            // Not recorded yet.
          }
        }
        throw new WorkflowUpdateRPCTimeoutOrCancelledError('deadline exceeded');
      },
      getHandle: handle,
    },
  } as unknown as Client;
  return { client, started, updates, deadlines };
}

const notReady = (): NocView => {
  throw new Error('workflow task not completed yet');
};

describe('the Temporal NOC gateway', () => {
  const at = new Date('2026-03-01T00:00:00Z');

  it('starts the NOC process with its id, input, reuse and conflict policies and search attributes, in one call that answers the recorded request', async () => {
    const executions = new Map<string, FakeExecution>();
    const { client, started } = fakeClient(executions, (id, options) => {
      const input = (options.args as [NocWorkflowInput])[0];
      const nocId = input.request?.data.nocId as string;
      executions.set(id, { queries: [notReady, () => ({ state: { status: 'none' }, revision: -1 }), () => viewAfter([requestCommand(nocId)])] });
    });
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER, now: () => at });
    const view = await gateway.request(pse(), NOC_REQUEST as never, 'cmd-1');

    const nocId = nocIdFor('u-pse', 'cmd-1', at);
    expect(nocId).toMatch(/^NOC-2026-[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(view.revision).toBe(0);
    expect(started).toHaveLength(1);
    const options = started[0] as Record<string, unknown>;
    expect(options).toMatchObject({
      type: 'nocWorkflow',
      update: 'nocRequested',
      workflowId: `noc:${nocId}`,
      taskQueue: config.temporal.taskQueue,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // A second start with the same id is refused, never joined: the resend is answered from the process.
      workflowIdConflictPolicy: 'FAIL',
    });
    const input = (options.args as [NocWorkflowInput])[0];
    expect(input).toEqual({
      request: { type: 'RequestNoc', actor: pse(), data: { ...NOC_REQUEST, nocId, pseId: 'pse-moitt', jurisdiction: 'federal' } },
      requestId: 'cmd-1',
      // Sealed by the API for this NOC's process: the process takes no unsealed request.
      seal: expect.objectContaining({ caseId: `noc:${nocId}`, keyId: testCommandSigner.keyId }),
      policy: config.nocPolicy,
    });
    const attributes = (options.typedSearchAttributes as { key: { name: string }; value: string }[]).map((a) => [a.key.name, a.value]);
    expect(attributes).toEqual([
      ['CaseKind', 'noc'],
      ['CaseStatus', 'requested'],
      ['Jurisdiction', 'federal'],
    ]);
  });

  it("maps the process's fast failure on an invalid request back to the DomainError and its field", async () => {
    const failure = ApplicationFailure.create({
      type: 'NOC_DURATION_TOO_LONG',
      message: 'A NOC lasts at most 12 months',
      nonRetryable: true,
      details: [{ field: 'requestedMonths' }],
    });
    const executions = new Map<string, FakeExecution>();
    const { client } = fakeClient(executions, (id) => {
      executions.set(id, {
        queries: [() => ({ state: { status: 'none' }, revision: -1 })],
        status: 'FAILED',
        failure: new WorkflowFailedError('Workflow execution failed', failure, 'NON_RETRYABLE_FAILURE'),
      });
    });
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER });
    await expect(gateway.request(pse(), { ...NOC_REQUEST, requestedMonths: 24 } as never, 'cmd-2')).rejects.toEqual(
      new DomainError('NOC_DURATION_TOO_LONG', 'A NOC lasts at most 12 months', 'requestedMonths'),
    );
  });

  it('refuses a NOC request from an entity the PSE register does not hold, before any process starts', async () => {
    const { client, started } = fakeClient(new Map());
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER });
    const refusal = await gateway.request(pse('pse-unknown'), NOC_REQUEST as never, 'cmd-unregistered').catch((err: unknown) => err);
    expect(refusal).toMatchObject({ code: 'PSE_NOT_REGISTERED', field: 'pseId' });
    expect(started).toHaveLength(0);
  });

  it("takes the NOC's jurisdiction from the register and refuses an account whose jurisdiction disagrees with it", async () => {
    const { client, started } = fakeClient(new Map());
    const punjabRegister = () => Promise.resolve({ jurisdiction: 'punjab' as const });
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: punjabRegister });
    const refusal = await gateway.request(pse('pse-moitt', 'federal'), NOC_REQUEST as never, 'cmd-mismatch').catch((err: unknown) => err);
    expect(refusal).toMatchObject({ code: 'OUTSIDE_JURISDICTION', field: 'jurisdiction' });
    expect((refusal as Error).message).toContain('registered in the punjab jurisdiction');
    expect(started).toHaveLength(0);
  });

  it('answers a retried request (same user, same command id) with the NOC the first attempt started', async () => {
    const nocId = nocIdFor('u-pse', 'cmd-3', at);
    const executions = new Map<string, FakeExecution>([[`noc:${nocId}`, { queries: [() => viewAfter([requestCommand(nocId)])] }]]);
    const { client } = fakeClient(executions, (id) => {
      throw new WorkflowExecutionAlreadyStartedError('already started', id, 'nocWorkflow');
    });
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER, now: () => at });
    const view = await gateway.request(pse(), NOC_REQUEST as never, 'cmd-3');
    expect(view.state.status === 'none' ? undefined : view.state.request.nocId).toBe(nocId);

    const someoneElse = pse('pse-moitt', 'federal', 'u-other');
    const otherId = nocIdFor('u-other', 'cmd-3', at);
    executions.set(`noc:${otherId}`, { queries: [() => viewAfter([requestCommand(otherId)])] });
    await expect(gateway.request(someoneElse, NOC_REQUEST as never, 'cmd-3')).rejects.toMatchObject({ code: 'NOC_ALREADY_EXISTS' });
  });

  it('gives the start its bound, and gives up with UNAVAILABLE naming the Idempotency-Key when the process does not record the request within it', async () => {
    const executions = new Map<string, FakeExecution>();
    const { client, deadlines } = fakeClient(executions, (id) => executions.set(id, { queries: [notReady] }));
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER, startTimeoutMs: 50 });
    await expect(gateway.request(pse(), NOC_REQUEST as never, 'cmd-4')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('retry with the same Idempotency-Key'),
    });
    expect(deadlines).toHaveLength(1);
    expect(deadlines[0]).toBeLessThanOrEqual(50);
  });

  it('refuses a request from anyone but a PSE without starting anything', async () => {
    const { client, started } = fakeClient(new Map());
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER });
    await expect(gateway.request(reviewer, NOC_REQUEST as never, 'cmd-5')).rejects.toMatchObject({ code: 'ROLE_NOT_ALLOWED' });
    expect(started).toHaveLength(0);
  });

  it('sends an action as the nocAction update, keyed by actor and command id so a retry acts once', async () => {
    const view = viewAfter([requestCommand('N1')]);
    const { client, updates } = fakeClient(new Map([['noc:N1', { queries: [() => view], update: () => view }]]));
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER });
    const action: NocActionInput = { type: 'StartReview', actor: reviewer, data: {}, commandId: 'key-1' };
    await expect(gateway.act('N1', action)).resolves.toBe(view);
    expect(updates).toEqual([{ workflowId: 'noc:N1', updateId: 'u-rev:key-1', input: { ...action, seal: expect.objectContaining({ caseId: 'noc:N1', keyId: testCommandSigner.keyId }) } }]);
  });

  it("maps an update's rejection to the DomainError named by the failure type", async () => {
    const rejected = new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ type: 'FOUR_EYES_VIOLATION', message: 'The person who recommended may not also decide', details: [{ field: null }] }),
    );
    const { client } = fakeClient(
      new Map([
        [
          'noc:N2',
          {
            queries: [],
            update: () => {
              throw rejected;
            },
          },
        ],
      ]),
    );
    const gateway = createTemporalNocGateway(client, config, testSigning(), { registeredEntity: REGISTER });
    const error = await gateway.act('N2', { type: 'Decide', actor: director, data: { decision: 'approve', reasons: 'ok' }, commandId: 'c' }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'FOUR_EYES_VIOLATION', message: 'The person who recommended may not also decide', field: undefined });
  });

  it('answers NOT_FOUND for an unknown NOC, and NOC_WRONG_STATE for one whose process has finished', async () => {
    const withdrawn = viewAfter([requestCommand('N3'), { type: 'Withdraw', actor: pse(), data: { reason: 'Not needed' } }]);
    const executions = new Map<string, FakeExecution>([['noc:N3', { queries: [() => withdrawn], status: 'COMPLETED' }]]);
    const gateway = createTemporalNocGateway(fakeClient(executions).client, config, testSigning());
    const action = (nocId: string, actor = reviewer): Promise<NocView> => gateway.act(nocId, { type: 'StartReview', actor, data: {}, commandId: 'c' });
    await expect(action('NOPE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(action('N3')).rejects.toMatchObject({ code: 'NOC_WRONG_STATE', message: 'NOC N3 is withdrawn; it takes no more actions' });
    // Someone who may not see the NOC learns nothing about it.
    await expect(action('N3', pse('pse-lahore', 'punjab', 'u-other'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });


  it('answers UNAVAILABLE, not a wrong state, when an update meets NotFound while the process still runs (it reached a run as it continued as new)', async () => {
    const view = viewAfter([requestCommand('N5')]);
    const executions = new Map<string, FakeExecution>([
      [
        'noc:N5',
        {
          queries: [() => view],
          update: () => {
            throw new WorkflowNotFoundError('workflow execution already completed', 'noc:N5', undefined);
          },
        },
      ],
    ]);
    const gateway = createTemporalNocGateway(fakeClient(executions).client, config, testSigning());
    const error = await gateway.act('N5', { type: 'StartReview', actor: reviewer, data: {}, commandId: 'c' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', message: expect.stringContaining('try again with the same Idempotency-Key') });
  });
  it('reads the state by query, and undefined for an unknown NOC', async () => {
    const view = viewAfter([requestCommand('N4')]);
    const gateway = createTemporalNocGateway(fakeClient(new Map([['noc:N4', { queries: [() => view] }]])).client, config, testSigning());
    await expect(gateway.state('N4')).resolves.toEqual(view);
    await expect(gateway.state('N5')).resolves.toBeUndefined();
  });
});

describe('mapping Temporal errors', () => {
  it('keeps a DomainError as it is', () => {
    const error = new DomainError('NOC_WRONG_STATE', 'no');
    expect(mapTemporalError(error)).toBe(error);
  });

  it('turns a failure whose type is not an error code into INTERNAL_ERROR', () => {
    const failure = new WorkflowUpdateFailedError('failed', ApplicationFailure.create({ type: 'TypeError', message: 'x is undefined' }));
    expect(mapTemporalError(failure)).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('turns an unreachable server into UNAVAILABLE, a refused call into INTERNAL_ERROR, and a missing workflow into NOT_FOUND', () => {
    const grpc = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: {} });
    const unreachable = new ServiceError('Failed to start Workflow', { cause: grpc(14, 'connect ECONNREFUSED') });
    expect(mapTemporalError(unreachable)).toMatchObject({ code: 'UNAVAILABLE', cause: unreachable });
    const refused = new ServiceError('Failed to start Workflow', { cause: grpc(3, 'search attribute CaseKind is not defined') });
    const mapped = mapTemporalError(refused);
    expect(mapped).toMatchObject({ code: 'INTERNAL_ERROR', cause: refused });
    expect(mapped.message).not.toContain('CaseKind');
    expect(mapTemporalError(new WorkflowNotFoundError('gone', 'noc:X', undefined))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says when the API gave up on an unreachable server at its configured bound (TEMPORAL_WRITE_TIMEOUT_MS), an update or a start alike', () => {
    const grpc = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: {} });
    const gaveUp = grpc(14, `No connection established (${UNREACHABLE_MARK}3000)`);
    for (const err of [new ServiceError('Failed to start Workflow', { cause: gaveUp }), new ServiceError('Workflow Update failed', { cause: gaveUp })]) {
      expect(mapTemporalError(err)).toMatchObject({ code: 'UNAVAILABLE', message: 'The process engine could not be reached within 3 s; nothing was done; try again', cause: err });
    }
  });

  it('turns a query or update refused while a dead worker’s workflow task awaits its retry, or while no worker polls yet, into UNAVAILABLE, and other failed preconditions into INTERNAL_ERROR', () => {
    const grpc = (code: number, details: string) => Object.assign(new Error(details), { code, details, metadata: {} });
    const update = new ServiceError('Workflow Update failed', { cause: grpc(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.') });
    expect(mapTemporalError(update)).toMatchObject({ code: 'UNAVAILABLE', cause: update });
    const query = new ServiceError('Failed to query Workflow', { cause: grpc(9, 'Unable to query workflow due to Workflow Task in failed state.') });
    expect(mapTemporalError(query)).toMatchObject({ code: 'UNAVAILABLE' });
    const starting = new ServiceError('Workflow Update failed', { cause: grpc(9, 'no poller seen for task queue recently, worker may be down') });
    expect(mapTemporalError(starting)).toMatchObject({ code: 'UNAVAILABLE' });
    const other = new ServiceError('Failed to signal Workflow', { cause: grpc(9, 'namespace is not active') });
    expect(mapTemporalError(other)).toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('derives the same NOC id from the same user and command id, and different ones otherwise', () => {
    const at = new Date('2027-06-01T00:00:00Z');
    expect(nocIdFor('u1', 'k', at)).toBe(nocIdFor('u1', 'k', at));
    expect(nocIdFor('u1', 'k', at)).not.toBe(nocIdFor('u2', 'k', at));
    expect(nocIdFor('u1', 'k', at)).not.toBe(nocIdFor('u1', 'k2', at));
    expect(nocIdFor('u1', 'k', at).startsWith('NOC-2027-')).toBe(true);
  });
});
