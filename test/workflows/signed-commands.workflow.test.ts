import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import type { EventStore } from '../../eventstore/port';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { createCommandSigning } from '../../api/command-signing';
import { nocActionUpdate, nocWorkflowId, type NocActionInput } from '../../workflows/noc/messages';
import type { nocWorkflow } from '../../workflows/noc/noc.workflow';
import type { monitoringWorkflow } from '../../workflows/compliance/monitoring.workflow';
import { monitoringWorkflowId } from '../../workflows/compliance/messages';
import { transitionWorkflowId } from '../../workflows/compliance/transition-messages';
import type { revocationTransitionWorkflow } from '../../workflows/compliance/transition.workflow';
import { officer, pse } from '../support/actors';
import { sealedAction, signingNow, testCommandSigner, untrustedCommandSigner } from '../support/command-keys';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { act, refusal, requestNoc, streamOf, TASK_QUEUE, view } from './noc-harness';

/**
 * Only the API speaks for a person: a command sent straight to the Temporal server, without the API's
 * seal or with a seal that does not fit, is refused before it reaches history, and nothing is written.
 */
let env: TestWorkflowEnvironment;
let store: EventStore;
useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'signed', title: 'signed commands on the time-skipping server' }, (bed) => {
  ({ env, store } = bed);
});

const kp = (id: string) => officer('khyber-pakhtunkhwa', id);
const MINUTE = 60_000;

/** The names of the history's events other than workflow tasks (the time-skipping server records those of rejected validators). */
async function recorded(handle: WorkflowHandle): Promise<(string | undefined)[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))).filter((n) => !n?.startsWith('workflowTask'));
}

async function requested() {
  const handle = await requestNoc(env, { actor: pse('pse-kp-health', 'khyber-pakhtunkhwa', 'u-kp-pse') });
  const current = await viewUntilRequested(handle);
  return { handle, nocId: current.nocId, before: await recorded(handle) };
}

async function viewUntilRequested(handle: WorkflowHandle): Promise<{ nocId: string }> {
  for (;;) {
    const v = await view(handle);
    if (v.state.status !== 'none') return { nocId: v.state.request.nocId };
    await new Promise((r) => setTimeout(r, 50));
  }
}

const startReview = (): NocActionInput => ({ type: 'StartReview', actor: kp('u-kp1'), data: {}, commandId: randomUUID() });
const send = (handle: WorkflowHandle, action: NocActionInput) => handle.executeUpdate(nocActionUpdate, { args: [action], updateId: randomUUID() });

describe('signed commands on the time-skipping server', () => {
  it('refuses unsigned, altered, wrongly signed and expired actions sent straight to the server, and writes nothing', async () => {
    const { handle, nocId, before } = await requested();
    const caseId = nocWorkflowId(nocId);

    expect(await refusal(send(handle, startReview()))).toBe('COMMAND_SIGNATURE_INVALID');

    const sealed = await sealedAction(caseId, startReview());
    expect(await refusal(send(handle, { ...sealed, actor: { ...sealed.actor, userId: 'u-kp-impostor' } }))).toBe('COMMAND_SIGNATURE_INVALID');
    expect(await refusal(send(handle, { ...sealed, type: 'Withdraw' }))).toBe('COMMAND_SIGNATURE_INVALID');
    expect(await refusal(send(handle, { ...sealed, data: { note: 'added' } as never }))).toBe('COMMAND_SIGNATURE_INVALID');

    const foreign = (await signingNow(untrustedCommandSigner)).action(caseId, startReview());
    expect(await refusal(send(handle, foreign))).toBe('COMMAND_SIGNATURE_INVALID');

    const issued = new Date((await env.currentTimeMs()) - 10 * MINUTE);
    const stale = createCommandSigning(testCommandSigner, () => issued).action(caseId, startReview());
    expect(await refusal(send(handle, stale))).toBe('COMMAND_SIGNATURE_INVALID');

    expect(await recorded(handle)).toEqual(before);
    expect(await streamOf(store, nocId)).toHaveLength(1);
    expect((await view(handle)).state.status).toBe('requested');
  });

  it('refuses a signed action captured on one case and sent to another, or sent again', async () => {
    const first = await requested();
    const second = await requested();
    const captured = await sealedAction(nocWorkflowId(first.nocId), startReview());

    expect(await refusal(send(second.handle, captured))).toBe('COMMAND_SIGNATURE_INVALID');
    expect(await recorded(second.handle)).toEqual(second.before);

    // Taken once on its own case; the same command under another update id is a replay.
    expect((await send(first.handle, captured)).state.status).toBe('under-review');
    expect(await refusal(send(first.handle, captured))).toBe('COMMAND_SIGNATURE_INVALID');
    const events = await streamOf(store, first.nocId);
    expect(events.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted']);
    // The event keeps the person's signed command.
    expect(events[1]?.metadata.command).toMatchObject({ type: 'StartReview', commandId: captured.commandId, seal: captured.seal });
  });

  it('refuses a signed action taken by an earlier run of the process, sent again after it handed over to a fresh run', async () => {
    const applicant = pse('pse-kp-health', 'khyber-pakhtunkhwa', 'u-kp-pse');
    const started = await requestNoc(env, { actor: applicant, continueAfterEvents: 20 });
    const { nocId } = await viewUntilRequested(started);
    const latest = env.client.workflow.getHandle(started.workflowId);
    const captured = await sealedAction(nocWorkflowId(nocId), startReview());
    expect((await send(latest, captured)).state.status).toBe('under-review');

    // More actions until the history is long enough and the process continues as new.
    for (let round = 0; (await latest.describe()).runId === started.firstExecutionRunId; round++) {
      if (round >= 10) throw new Error('the process never handed over');
      await act(latest, 'RequestInformation', kp('u-kp1'), { questions: `Question ${round}` });
      await act(latest, 'ProvideInformation', applicant, { answer: `Answer ${round}` });
    }
    const written = await streamOf(store, nocId);

    // Still within its five minutes, but taken: the fresh run remembers it. Sent under another update id
    // than the API's own (`userId:commandId`), it is a replay, not a resend to answer with the case's view.
    expect(await refusal(send(latest, captured))).toBe('COMMAND_SIGNATURE_INVALID');
    expect(await streamOf(store, nocId)).toHaveLength(written.length);
    expect((await view(latest)).revision).toBe(written.length - 1);
  });

  it('refuses a process started with a forged first command, carried state or engine command, before any event', async () => {
    const nocId = `N-FORGED-${randomUUID().slice(0, 6)}`;
    const request = {
      type: 'RequestNoc' as const,
      actor: pse('pse-kp-health', 'khyber-pakhtunkhwa', 'u-kp-pse'),
      data: {
        nocId,
        pseId: 'pse-kp-health',
        jurisdiction: 'khyber-pakhtunkhwa' as const,
        deviation: 'on-premises-hosting' as const,
        description: 'Forged',
        justification: 'Forged',
        dataClass: 'restricted' as const,
        systems: ['x'],
        requestedMonths: 12,
      },
    };
    const unsigned = await env.client.workflow.start<typeof nocWorkflow>('nocWorkflow', {
      workflowId: nocWorkflowId(nocId),
      taskQueue: TASK_QUEUE,
      args: [{ request, requestId: 'forged', policy: DEFAULT_NOC_POLICY }],
    });
    expect(await refusal(unsigned.result())).toBe('COMMAND_SIGNATURE_INVALID');

    // A seal made for another NOC's process does not start this one.
    const elsewhere = (await signingNow()).start(nocWorkflowId('N-OTHER'), request, 'forged');
    const moved = await env.client.workflow.start<typeof nocWorkflow>('nocWorkflow', {
      workflowId: `${nocWorkflowId(nocId)}-again`,
      taskQueue: TASK_QUEUE,
      args: [{ request, requestId: 'forged', seal: elsewhere.seal, policy: DEFAULT_NOC_POLICY }],
    });
    expect(await refusal(moved.result())).toBe('COMMAND_SIGNATURE_INVALID');

    const carried = await env.client.workflow.start<typeof nocWorkflow>('nocWorkflow', {
      workflowId: `${nocWorkflowId(nocId)}-carried`,
      taskQueue: TASK_QUEUE,
      args: [{ policy: DEFAULT_NOC_POLICY, carried: { state: { status: 'none' }, revision: 3 } as never }],
    });
    expect(await refusal(carried.result())).toBe('COMMAND_SIGNATURE_INVALID');

    const engine = await env.client.workflow.start<typeof monitoringWorkflow>('monitoringWorkflow', {
      workflowId: monitoringWorkflowId(`APP-FORGED-${randomUUID().slice(0, 6)}`),
      taskQueue: TASK_QUEUE,
      args: [
        {
          start: { type: 'StartMonitoring', actor: SYSTEM_ACTOR, data: { applicationId: 'APP-FORGED', offeringId: 'off', cspId: 'csp', firstPeriod: '2026-01' } },
          policy: DEFAULT_COMPLIANCE_POLICY,
        },
      ],
    });
    expect(await refusal(engine.result())).toBe('COMMAND_SIGNATURE_INVALID');
    const transition = await env.client.workflow.start<typeof revocationTransitionWorkflow>('revocationTransitionWorkflow', {
      workflowId: transitionWorkflowId('APP-FORGED'),
      taskQueue: TASK_QUEUE,
      args: [{ applicationId: 'APP-FORGED', offeringId: 'off', cspId: 'csp', endedAt: '2026-01-01T00:00:00.000Z', cause: 'revoked', migrateBy: '2026-02-01T00:00:00.000Z', requestId: 'forged' }],
    });
    expect(await refusal(transition.result())).toBe('COMMAND_SIGNATURE_INVALID');
    expect(await streamOf(store, nocId)).toEqual([]);
    expect(await store.readStream('monitoring-APP-FORGED')).toEqual([]);
    expect(await store.readStream('transition-APP-FORGED')).toEqual([]);
  });
});
