import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Actor } from '../../domain/shared/actor';
import type { CspCommandOf } from '../../domain/csp/commands';
import type { EventStore } from '../../eventstore/port';
import type { cspWorkflow } from '../../workflows/csp/csp.workflow';
import { cspActionUpdate, cspStateQuery, cspWorkflowId, type CspActionInput, type CspView } from '../../workflows/csp/messages';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { sealedAction, startSeal } from '../support/command-keys';
import { decodedStream, refusal } from '../support/case-results';
import { GOV_CLOUD } from './accreditation-harness';

/**
 * Issue 14, "nothing lost, nothing doubled": Temporal answers a repeated update id only within one run,
 * so the API's resend of a command (same Idempotency-Key) that reaches the case after it continued as
 * new must get the first outcome from the process itself, and an action sent while the process hands
 * over must be applied once or retried cleanly, never lost as "taken".
 */
const TASK_QUEUE = 'resend-tests';
let env: TestWorkflowEnvironment;
let store: EventStore;
useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'resend', title: 'resends across continue-as-new on the time-skipping server' }, (bed) => ({ env, store } = bed));

const rep = (cspId: string, userId = 'u-csp'): Actor => ({ userId, name: 'CSP rep', role: 'csp', jurisdiction: 'federal', organisationId: cspId });

async function register(cspId: string, continueAfterEvents: number): Promise<WorkflowHandleWithFirstExecutionRunId<typeof cspWorkflow>> {
  const command: CspCommandOf<'RegisterCsp'> = {
    type: 'RegisterCsp',
    actor: rep(cspId),
    data: { cspId, name: 'Nimbus Cloud (Pvt) Ltd', registrationNumber: '0123456', contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' } },
  };
  return env.client.workflow.start<typeof cspWorkflow>('cspWorkflow', {
    workflowId: cspWorkflowId(cspId),
    taskQueue: TASK_QUEUE,
    args: [{ register: command, requestId: `reg-${cspId}`, seal: await startSeal(cspWorkflowId(cspId), command, `reg-${cspId}`), continueAfterEvents }],
  });
}

/** Offering ids are unique across the register: each is named within its provider. */
const addOffering = (cspId: string, name: string, userId = 'u-csp'): CspActionInput =>
  ({ type: 'AddOffering', actor: rep(cspId, userId), data: { ...GOV_CLOUD, offeringId: `${cspId}-${name}` }, commandId: randomUUID() }) as CspActionInput;

/** What the API does for a request: seals the command now and sends it under `userId:commandId`. */
async function sendAsApi(handle: WorkflowHandle, action: CspActionInput, updateId = `${action.actor.userId}:${action.commandId}`): Promise<CspView> {
  return handle.executeUpdate(cspActionUpdate, { args: [await sealedAction(handle.workflowId, action)], updateId });
}

/** Adds offerings until the register has handed over to a fresh run. */
async function handOver(handle: WorkflowHandle, firstRunId: string, cspId: string): Promise<void> {
  for (let i = 0; (await handle.describe()).runId === firstRunId; i++) {
    if (i >= 40) throw new Error('the register never handed over');
    await sendAsApi(handle, addOffering(cspId, `filler-${i}`));
  }
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Each run of a process, newest first, back to the first: the updates it accepted and completed. */
async function runsOf(workflowId: string, runId: string): Promise<{ accepted: number; completed: number }[]> {
  const runs: { accepted: number; completed: number }[] = [];
  for (let run: string | undefined = runId; run; ) {
    const history: { events?: HistoryEvent[] | null } = await env.client.workflow.getHandle(workflowId, run).fetchHistory();
    const events = history.events ?? [];
    runs.push({
      accepted: events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length,
      completed: events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes).length,
    });
    run = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId || undefined;
  }
  return runs;
}

const offeringEvents = async (cspId: string) => (await decodedStream(store, `csp-${cspId}`)).filter((e) => e.type === 'OfferingAdded');

describe('resends across continue-as-new on the time-skipping server', () => {
  it('answers the same person resending a command an earlier run applied with the current view, writing nothing', async () => {
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const started = await register(cspId, 20);
    const handle = env.client.workflow.getHandle(started.workflowId);
    const first = addOffering(cspId, 'off-first');
    expect((await sendAsApi(handle, first)).revision).toBe(1);

    await handOver(handle, started.firstExecutionRunId, cspId);
    const written = await decodedStream(store, `csp-${cspId}`);

    // The client never got its answer and sends the request again: a fresh seal, the same Idempotency-Key.
    const again = await sendAsApi(handle, first);
    expect(again).toEqual(await handle.query(cspStateQuery));
    expect(again.state.status === 'registered' && again.state.offerings[`${cspId}-off-first`]?.status).toBe('active');
    expect(await decodedStream(store, `csp-${cspId}`)).toHaveLength(written.length);
    expect((await offeringEvents(cspId)).filter((e) => e.metadata.command?.commandId === first.commandId)).toHaveLength(1);
  });

  it('still refuses a taken command id sent with another payload, by another person or under another update id', async () => {
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const started = await register(cspId, 20);
    const handle = env.client.workflow.getHandle(started.workflowId);
    const first = addOffering(cspId, 'off-first');
    await sendAsApi(handle, first);
    await handOver(handle, started.firstExecutionRunId, cspId);
    const written = await decodedStream(store, `csp-${cspId}`);

    // The same person, the same id, another payload: not a resend.
    expect(await refusal(sendAsApi(handle, { ...first, data: { ...GOV_CLOUD, offeringId: `${cspId}-off-other` } } as CspActionInput))).toBe('COMMAND_SIGNATURE_INVALID');
    // The first person's command captured and sent under another person's update id: a replay.
    expect(await refusal(sendAsApi(handle, first, `u-csp-2:${first.commandId}`))).toBe('COMMAND_SIGNATURE_INVALID');
    // Another person's own command under the same id is theirs, judged afresh: the offering exists.
    expect(await refusal(sendAsApi(handle, { ...first, actor: rep(cspId, 'u-csp-2') }))).toBe('OFFERING_ALREADY_EXISTS');
    expect(await decodedStream(store, `csp-${cspId}`)).toHaveLength(written.length);
  });

  it('answers the resend of a command an earlier run refused with the same refusal, not as taken', async () => {
    const holder = `csp-${randomUUID().slice(0, 8)}`;
    await sendAsApi(env.client.workflow.getHandle((await register(holder, 100)).workflowId), addOffering(holder, 'shared'));
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const started = await register(cspId, 20);
    const handle = env.client.workflow.getHandle(started.workflowId);
    // The offering id is another provider's: the register finds out while running the action (its reservation).
    const clash = { ...addOffering(cspId, 'x'), data: { ...GOV_CLOUD, offeringId: `${holder}-shared` } } as CspActionInput;
    const first = await refusal(sendAsApi(handle, clash));
    expect(first).toBeDefined();
    expect(first).not.toBe('COMMAND_SIGNATURE_INVALID');

    await handOver(handle, started.firstExecutionRunId, cspId);
    const written = await decodedStream(store, `csp-${cspId}`);
    expect(await refusal(sendAsApi(handle, clash))).toBe(first);
    expect(await decodedStream(store, `csp-${cspId}`)).toHaveLength(written.length);
  });

  it('applies each action sent while the register hands over exactly once, its resends answered and not doubled', async () => {
    const cspId = `csp-${randomUUID().slice(0, 8)}`;
    const started = await register(cspId, 12);
    const handle = env.client.workflow.getHandle(started.workflowId);
    // 24 by default; `npm run chaos:resends` sends 240 (RESEND_ACTIONS sets the number).
    const actions = Array.from({ length: Number(process.env.RESEND_ACTIONS ?? 24) }, (_, i) => addOffering(cspId, `off-${i}`));

    // Three senders at once, each pausing a varying few milliseconds before its next action: the register
    // idles now and then and hands over, while other actions are on their way to the run that hands over.
    const answered = new Map<string, CspView>();
    const lanes = [0, 1, 2].map((lane) => actions.filter((_, i) => i % 3 === lane));
    await Promise.all(
      lanes.map(async (lane) => {
        for (const [i, action] of lane.entries()) {
          await new Promise((r) => setTimeout(r, ((i * 7 + lanes.indexOf(lane) * 3) % 5) * 30));
          // Like the API's client: an answer lost to the hand-over is asked again under the same update id.
          for (let attempt = 0; ; attempt++) {
            try {
              answered.set(action.commandId, await sendAsApi(handle, action));
              break;
            } catch (err) {
              if (attempt >= 5) throw err;
            }
          }
        }
      }),
    );
    expect(answered.size).toBe(actions.length);
    // No run handed over with an accepted action unfinished: each answered every action it accepted.
    const runs = await runsOf(handle.workflowId, (await handle.describe()).runId);
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run.completed).toBe(run.accepted);

    // Every action sent once more after the hand-overs: each answered, none written twice.
    for (const action of actions) expect(await refusal(sendAsApi(handle, action))).toBeUndefined();
    const added = await offeringEvents(cspId);
    expect(added.map((e) => e.metadata.command?.commandId).sort()).toEqual(actions.map((a) => a.commandId).sort());
  });
});
