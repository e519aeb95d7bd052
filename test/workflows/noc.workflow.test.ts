import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { addMonths } from '../../domain/shared/time';
import type { EventStore } from '../../eventstore/port';
import { director, officer, pse, reviewer } from '../support/actors';
import { timeSkippingEnv } from '../support/temporal';
import { exportHistories } from '../support/history-export';
import { act, refusal, requestNoc, requestNocAnswered, startNocWorker, streamOf, view } from './noc-harness';

const DAY = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let worker: Worker;
let store: EventStore;
let running: Promise<void>;

beforeAll(async () => {
  env = await timeSkippingEnv();
  ({ worker, store, run: running } = await startNocWorker(env));
});

afterEach(async () => {
  await exportHistories('noc', (expect.getState().currentTestName ?? 'noc').replace(/^NOC process on the time-skipping server /, ''));
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await store?.close();
  await env?.teardown();
});

async function waitUntilRequested(handle: Parameters<typeof view>[0]): Promise<void> {
  for (let i = 0; i < 200 && (await view(handle)).revision < 0; i++) await new Promise((r) => setTimeout(r, 25));
}

async function approvedFederalNoc(requestedMonths = 12) {
  const handle = await requestNoc(env, { actor: pse(), requestedMonths });
  await act(handle, 'StartReview', reviewer, {});
  await act(handle, 'Recommend', reviewer, { recommendation: 'approve', reasons: 'Justified', conditions: ['Quarterly report'] });
  const approved = await act(handle, 'Decide', director, { decision: 'approve', reasons: 'Agreed with the review' });
  if (approved.state.status === 'none') throw new Error('no NOC');
  return { handle, approved: approved.state, nocId: approved.state.request.nocId };
}

describe('NOC process on the time-skipping server', () => {
  it('answers the update sent with its start once the request is recorded, and fails it with the process for a request it refuses', async () => {
    const { handle, answer } = await requestNocAnswered(env, { actor: pse() });
    const recorded = await answer;
    expect(recorded.revision).toBe(0);
    expect(recorded.state.status).toBe('requested');
    await expect(view(handle)).resolves.toEqual(recorded);
    // An action sent after the answer finds the request recorded.
    await expect(act(handle, 'StartReview', reviewer, {})).resolves.toMatchObject({ revision: 1, state: { status: 'under-review' } });

    // Longer than policy allows: the process refuses the request and fails with its code; the update it
    // had accepted fails as one the process outlived, and the refusal is read from the process's result.
    const refused = await requestNocAnswered(env, { actor: pse(), requestedMonths: 60 });
    await expect(refused.answer).rejects.toMatchObject({ cause: { type: 'AcceptedUpdateCompletedWorkflow' } });
    await expect(refused.handle.result()).rejects.toMatchObject({ cause: { type: 'NOC_DURATION_TOO_LONG' } });
  });

  it('expires a 12-month NOC at its validUntil instant, after reminders 30 and 7 days before', async () => {
    const { handle, approved, nocId } = await approvedFederalNoc(12);
    expect(approved.status).toBe('active');
    expect(approved.validUntil).toBe(addMonths(approved.validFrom as string, 12));

    const result = await handle.result();
    expect(result.state.status).toBe('expired');

    const events = await streamOf(store, nocId);
    const types = events.map((e) => e.type);
    expect(types).toEqual([
      'NocRequested',
      'NocReviewStarted',
      'NocRecommended',
      'NocApproved',
      'NocExpiryReminderDue',
      'NocExpiryReminderDue',
      'NocExpired',
    ]);
    const until = Date.parse(approved.validUntil as string);
    const [r30, r7, expired] = events.slice(4);
    expect((r30?.data as { daysBefore: number }).daysBefore).toBe(30);
    expect((r7?.data as { daysBefore: number }).daysBefore).toBe(7);
    // The engine acts at the instant, not a day late: within a minute of each due time.
    expect(Date.parse(r30!.metadata.occurredAt) - (until - 30 * DAY)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(r30!.metadata.occurredAt) - (until - 30 * DAY)).toBeLessThan(60_000);
    expect(Date.parse(r7!.metadata.occurredAt) - (until - 7 * DAY)).toBeLessThan(60_000);
    expect(Date.parse(expired!.metadata.occurredAt)).toBeGreaterThanOrEqual(until);
    expect(Date.parse(expired!.metadata.occurredAt) - until).toBeLessThan(60_000);
    expect(expired!.metadata.actor.userId).toBe('system');
  });

  it('rests in a fresh run before it waits for its reminders and expiry, so a worker that let it go replays a handful of events', async () => {
    const { handle, nocId } = await approvedFederalNoc(12);
    const latest = env.client.workflow.getHandle(handle.workflowId);
    // The hand-over follows the decision's answer in the same workflow task, or in the next one.
    let runId = handle.firstExecutionRunId;
    for (let i = 0; i < 200 && runId === handle.firstExecutionRunId; i++) {
      runId = (await latest.describe()).runId;
      if (runId === handle.firstExecutionRunId) await new Promise((r) => setTimeout(r, 25));
    }
    expect(runId).not.toBe(handle.firstExecutionRunId);
    const resting = env.client.workflow.getHandle(handle.workflowId, runId);
    await expect(view(resting)).resolves.toMatchObject({ revision: 3, state: { status: 'active' } });
    const started = (await resting.fetchHistory()).events ?? [];
    expect(started.length).toBeLessThanOrEqual(10);
    expect(started.some((e) => e.timerStartedEventAttributes)).toBe(true);

    expect((await latest.result()).state.status).toBe('expired');
    const types = (await streamOf(store, nocId)).map((e) => e.type);
    expect(types).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended', 'NocApproved', 'NocExpiryReminderDue', 'NocExpiryReminderDue', 'NocExpired']);
  });

  it('lapses a request whose information is not provided within 30 days', async () => {
    const handle = await requestNoc(env, { actor: pse() });
    await act(handle, 'StartReview', reviewer, {});
    const asked = await act(handle, 'RequestInformation', reviewer, { questions: 'Which data centre hosts it today?' });
    if (asked.state.status === 'none') throw new Error('no NOC');
    expect(asked.state.status).toBe('awaiting-pse');
    const askedAt = Date.parse((await streamOf(store, asked.state.request.nocId))[2]!.metadata.occurredAt);

    const result = await handle.result();
    expect(result.state.status).toBe('lapsed');
    const lapsed = (await streamOf(store, asked.state.request.nocId)).at(-1)!;
    expect(lapsed.type).toBe('NocLapsed');
    expect(Date.parse(lapsed.metadata.occurredAt) - askedAt).toBeGreaterThanOrEqual(30 * DAY);
    expect(Date.parse(lapsed.metadata.occurredAt) - askedAt).toBeLessThan(30 * DAY + 60_000);
  });

  it('keeps a request alive when the PSE answers in time, and returns it to review', async () => {
    const handle = await requestNoc(env, { actor: pse() });
    await act(handle, 'StartReview', reviewer, {});
    await act(handle, 'RequestInformation', reviewer, { questions: 'Which data centre?' });
    await env.sleep(29 * DAY);
    const answered = await act(handle, 'ProvideInformation', pse(), { answer: 'Our own, in Islamabad' });
    expect(answered.state.status).toBe('under-review');
    await env.sleep(5 * DAY);
    expect((await view(handle)).state.status).toBe('under-review');
    await act(handle, 'Withdraw', pse(), { reason: 'No longer needed' });
    expect((await handle.result()).state.status).toBe('withdrawn');
  });

  it('moves the expiry when an extension is approved, and expires at the new instant', async () => {
    const { handle, approved, nocId } = await approvedFederalNoc(3);
    await act(handle, 'RequestExtension', pse(), { months: 6, justification: 'Migration slipped' });
    const extended = await act(handle, 'DecideExtension', director, { decision: 'approve', reasons: 'Reasonable' });
    if (extended.state.status === 'none') throw new Error('no NOC');
    expect(extended.state.validUntil).toBe(addMonths(approved.validUntil as string, 6));

    expect(await refusal(act(handle, 'RequestExtension', pse(), { months: 1, justification: 'Again' }))).toBe(
      'NOC_EXTENSION_ALREADY_USED',
    );

    const result = await handle.result();
    expect(result.state.status).toBe('expired');
    const expired = (await streamOf(store, nocId)).at(-1)!;
    expect(expired.type).toBe('NocExpired');
    expect(Date.parse(expired.metadata.occurredAt)).toBeGreaterThanOrEqual(Date.parse(extended.state.validUntil as string));
  });

  it('refuses wrong role, wrong state and four-eyes violations before they reach history', async () => {
    const kp = (id: string) => officer('khyber-pakhtunkhwa', id);
    const handle = await requestNoc(env, { actor: pse('pse-kp-health', 'khyber-pakhtunkhwa', 'u-kp-pse') });
    await waitUntilRequested(handle);
    const before = await handle.fetchHistory();

    expect(await refusal(act(handle, 'StartReview', reviewer, {}))).toBe('OUTSIDE_JURISDICTION');
    expect(await refusal(act(handle, 'StartReview', officer('sindh', 'u-sindh'), {}))).toBe('OUTSIDE_JURISDICTION');
    expect(await refusal(act(handle, 'Decide', kp('u-kp1'), { decision: 'approve', reasons: 'x' }))).toBe('NOC_NO_RECOMMENDATION');
    expect(await refusal(act(handle, 'Recommend', kp('u-kp1'), { recommendation: 'approve', reasons: 'ok' }))).toBe('NOC_WRONG_STATE');
    expect(await refusal(act(handle, 'Recommend', kp('u-kp1'), { recommendation: 'maybe', reasons: '' }))).toBe('VALIDATION_FAILED');

    const after = await handle.fetchHistory();
    // The time-skipping server records the workflow tasks that ran the validators (the real server
    // drops them; the integration test proves that); no update, activity or search attribute appears.
    const names = (h: typeof after) =>
      (h.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes'))).filter((n) => !n?.startsWith('workflowTask'));
    expect(names(after)).toEqual(names(before));
    expect(names(after).some((n) => n?.startsWith('workflowExecutionUpdate'))).toBe(false);
    const current = await view(handle);
    if (current.state.status === 'none') throw new Error('no NOC');
    expect(await streamOf(store, current.state.request.nocId)).toHaveLength(1);

    await act(handle, 'StartReview', kp('u-kp1'), {});
    await act(handle, 'Recommend', kp('u-kp1'), { recommendation: 'approve', reasons: 'Justified' });
    expect(await refusal(act(handle, 'Decide', kp('u-kp1'), { decision: 'approve', reasons: 'Mine' }))).toBe('FOUR_EYES_VIOLATION');
    expect(await refusal(act(handle, 'Decide', director, { decision: 'approve', reasons: 'Federal' }))).toBe('ROLE_NOT_ALLOWED');
    const decided = await act(handle, 'Decide', kp('u-kp2'), { decision: 'reject', reasons: 'Not justified' });
    expect(decided.state.status).toBe('rejected');
    expect((await handle.result()).state.status).toBe('rejected');
  });

  it('revokes an active NOC at a director’s word and stops its timers', async () => {
    const { handle, nocId } = await approvedFederalNoc(12);
    await env.sleep(10 * DAY);
    await act(handle, 'Revoke', director, { reasons: 'Conditions breached' });
    expect((await handle.result()).state.status).toBe('revoked');
    const types = (await streamOf(store, nocId)).map((e) => e.type);
    expect(types.at(-1)).toBe('NocRevoked');
    expect(types).not.toContain('NocExpired');
  });


  it('hands over to a fresh run when its history grows long, keeping state and stream revision', async () => {
    const handle = await requestNoc(env, { actor: pse(), continueAfterEvents: 40 });
    await act(handle, 'StartReview', reviewer, {});
    for (let round = 0; round < 8; round++) {
      await act(handle, 'RequestInformation', reviewer, { questions: `Question ${round}` });
      await act(handle, 'ProvideInformation', pse(), { answer: `Answer ${round}` });
    }
    const latest = env.client.workflow.getHandle(handle.workflowId);
    const description = await latest.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    const current = await view(latest);
    expect(current.state.status).toBe('under-review');
    expect(current.revision).toBe(17);
    const history = await latest.fetchHistory();
    expect(history.events?.length ?? 0).toBeLessThan(60);

    await act(latest, 'Recommend', reviewer, { recommendation: 'reject', reasons: 'Not needed' });
    await act(latest, 'Decide', director, { decision: 'reject', reasons: 'Agreed' });
    expect((await latest.result()).state.status).toBe('rejected');
    if (current.state.status === 'none') throw new Error('no NOC');
    const events = await streamOf(store, current.state.request.nocId);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    expect(events).toHaveLength(20);
  });
});
