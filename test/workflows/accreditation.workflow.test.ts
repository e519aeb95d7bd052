import { sealedAction } from '../support/command-keys';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { addDays, addMonths } from '../../domain/shared/time';
import type { EventStore } from '../../eventstore/port';
import { complianceActionSignal, type ComplianceActionInput } from '../../workflows/accreditation/messages';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { act, as, granted, people, refusal, streamOf, submit, TASK_QUEUE, view, viewWhen } from './accreditation-harness';

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;

let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'accreditation', title: 'accreditation process on the time-skipping server' }, (bed) => ({ env, store } = bed));

/** The server's clock: it runs ahead of the test's own clock whenever time is skipped. */
const occurredAt = (event: { metadata: { occurredAt: string } } | undefined): number => Date.parse(event?.metadata.occurredAt ?? '');

describe('accreditation process on the time-skipping server', () => {
  it('grants for three years, opens the renewal window 90 days before, and expires at validUntil by itself', async () => {
    const { handle, grant, applicationId } = await granted(env);
    expect(grant.validUntil).toBe(addMonths(grant.validFrom, 36));
    expect(grant).toMatchObject({ baseline: 'intermediate', highestDataClass: 'restricted' });

    const result = await handle.result();
    expect(result.state.status).toBe('expired');

    const events = await streamOf(store, applicationId);
    expect(events.map((e) => e.type)).toEqual([
      'AccreditationSubmitted',
      'AccreditationScreeningStarted',
      'AccreditationScreeningCompleted',
      'AccreditationCriteriaScored',
      'AccreditationSecurityReviewRecorded',
      'AccreditationGranted',
      'AccreditationRenewalWindowOpened',
      'AccreditationExpired',
    ]);
    const until = Date.parse(grant.validUntil);
    const [window, expired] = events.slice(-2);
    expect(occurredAt(window) - (until - 90 * DAY)).toBeGreaterThanOrEqual(0);
    expect(occurredAt(window) - (until - 90 * DAY)).toBeLessThan(MINUTE);
    expect(occurredAt(expired)).toBeGreaterThanOrEqual(until);
    expect(occurredAt(expired) - until).toBeLessThan(MINUTE);
    expect(expired?.metadata.actor.userId).toBe('system');
    const described = await handle.describe();
    expect(described.searchAttributes).toMatchObject({ CaseKind: ['accreditation'], CaseStatus: ['expired'], Jurisdiction: ['federal'] });
  });

  it('renews inside the window for another three years from the old end, and expires only then', async () => {
    const { handle, grant, applicationId } = await granted(env);
    await env.sleep(Date.parse(addDays(grant.validUntil, -30)) - (await env.currentTimeMs()));
    const open = await view(handle);
    expect(open.state.status !== 'none' && open.state.renewalWindowOpen).toBe(true);

    const renewed = await act(handle, 'Renew', as(people.director, 'u-dir2'), { reasons: 'Annual surveillance audits clean' });
    if (renewed.state.status === 'none') throw new Error('no case');
    expect(renewed.state.grant?.validUntil).toBe(addMonths(grant.validUntil, 36));
    expect(renewed.state.renewalWindowOpen).toBe(false);

    const result = await handle.result();
    expect(result.state.status).toBe('expired');
    const events = await streamOf(store, applicationId);
    expect(events.map((e) => e.type).slice(6)).toEqual([
      'AccreditationRenewalWindowOpened',
      'AccreditationRenewed',
      'AccreditationRenewalWindowOpened',
      'AccreditationExpired',
    ]);
    expect(occurredAt(events.at(-1)) - Date.parse(addMonths(grant.validUntil, 36))).toBeLessThan(MINUTE);
  });

  it('lapses an application whose requested information is not provided within 30 days', async () => {
    const handle = await submit(env);
    await act(handle, 'StartScreening', people.reviewer, {});
    const asked = await act(handle, 'RequestInformation', people.reviewer, { questions: 'Send the SOC 2 type II report' });
    if (asked.state.status === 'none') throw new Error('no case');
    const dueBy = asked.state.informationDueBy as string;
    expect(Date.parse(dueBy) - Date.parse(asked.state.submittedAt)).toBeGreaterThanOrEqual(30 * DAY);

    const result = await handle.result();
    expect(result.state.status).toBe('lapsed');
    const events = await streamOf(store, asked.state.application.applicationId);
    const lapsed = events.at(-1);
    expect(lapsed?.type).toBe('AccreditationLapsed');
    expect(occurredAt(lapsed) - Date.parse(dueBy)).toBeLessThan(MINUTE);
    expect(occurredAt(lapsed)).toBeGreaterThanOrEqual(Date.parse(dueBy));
  });

  it('keeps screening going when the information arrives in time', async () => {
    const handle = await submit(env);
    await act(handle, 'StartScreening', people.reviewer, {});
    await act(handle, 'RequestInformation', people.reviewer, { questions: 'Send the SOC 2 type II report' });
    await env.sleep(20 * DAY);
    const answered = await act(handle, 'ProvideInformation', as(people.csp, 'u-csp-2'), {
      answer: 'Attached',
      evidence: [{ kind: 'soc2', reference: 'SOC 2 type II, 2025' }],
    });
    expect(answered.state.status).toBe('screening');
    await env.sleep(40 * DAY);
    expect((await view(handle)).state.status).toBe('screening');
  });

  it('refuses a submission inside the cooling-off period after a rejection of the same offering', async () => {
    const now = new Date(await env.currentTimeMs()).toISOString();
    const handle = await submit(env, { lastRejectedAt: addDays(now, -10) });
    expect(await refusal(handle.result())).toBe('ACCREDITATION_COOLING_OFF');
    const after = await submit(env, { lastRejectedAt: addDays(now, -(DEFAULT_ACCREDITATION_POLICY.coolingOffDays + 1)) });
    expect((await viewWhen(after, (v) => v.revision >= 0)).state.status).toBe('submitted');
  });

  it('refuses four-eyes breaches before they reach the history', async () => {
    const handle = await submit(env);
    // The submitter cannot review, even holding a reviewer account.
    expect(await refusal(act(handle, 'StartScreening', as(people.reviewer, people.csp.userId), {}))).toBe('FOUR_EYES_VIOLATION');
    await act(handle, 'StartScreening', people.reviewer, {});
    await act(handle, 'CompleteScreening', people.reviewer, { notes: 'In order' });
    await act(handle, 'ScoreCriteria', people.reviewer, { scores: { 'SEC-01': 4 }, rationale: 'First pass' });
    // The technical reviewer may not also be the security reviewer.
    expect(await refusal(act(handle, 'RecordSecurityReview', as(people.security, people.reviewer.userId), { outcome: 'passed', notes: 'x' }))).toBe(
      'FOUR_EYES_VIOLATION',
    );
    await act(handle, 'RecordSecurityReview', people.security, { outcome: 'passed', notes: 'Clean' });
    // Nor the security reviewer a technical reviewer.
    expect(await refusal(act(handle, 'ScoreCriteria', as(people.reviewer, people.security.userId), { scores: { 'SEC-02': 4 }, rationale: 'x' }))).toBe(
      'FOUR_EYES_VIOLATION',
    );
    // The director may not be one of the reviewers.
    const decision = { decision: 'reject', reasons: 'Not enough' } as const;
    expect(await refusal(act(handle, 'Decide', as(people.director, people.reviewer.userId), decision))).toBe('FOUR_EYES_VIOLATION');
    expect(await refusal(act(handle, 'Decide', as(people.director, people.security.userId), decision))).toBe('FOUR_EYES_VIOLATION');

    const current = await view(handle);
    const events = await streamOf(store, current.state.status === 'none' ? '' : current.state.application.applicationId);
    expect(events).toHaveLength(5);
    expect(current.revision).toBe(4);
    // Refused in the validator: the workflow history holds only the accepted updates.
    const history = await handle.fetchHistory();
    const accepted = history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes) ?? [];
    const rejected = history.events?.filter((e) => e.workflowExecutionUpdateRejectedEventAttributes) ?? [];
    expect(accepted).toHaveLength(4);
    expect(rejected).toHaveLength(0);
  });

  it('suspends an accreditation only on a measure the API sealed for it, keeping a forged one as a refusal', async () => {
    const { handle } = await granted(env);
    const measure: ComplianceActionInput = { type: 'Suspend', actor: people.director, data: { reasons: 'Forged' }, commandId: 'forged-1' };
    await handle.signal(complianceActionSignal, measure);
    const elsewhere = await sealedAction('accreditation:APP-ELSEWHERE', { ...measure, commandId: 'forged-2' });
    await handle.signal(complianceActionSignal, elsewhere);
    const refused = await viewWhen(handle, (v) => v.complianceRefusals.length === 2);
    expect(refused.complianceRefusals.map((r) => [r.commandId, r.code])).toEqual([
      ['forged-1', 'COMMAND_SIGNATURE_INVALID'],
      ['forged-2', 'COMMAND_SIGNATURE_INVALID'],
    ]);
    expect(refused.state.status).toBe('accredited');

    await handle.signal(complianceActionSignal, await sealedAction(handle.workflowId, { ...measure, commandId: 'sealed-1' }));
    expect((await viewWhen(handle, (v) => v.state.status === 'suspended')).state.status).toBe('suspended');
  });

  it('suspends and revokes on the compliance signal, and keeps a refused signal as a refusal', async () => {
    const { handle, applicationId } = await granted(env);
    await handle.signal(complianceActionSignal, await sealedAction(handle.workflowId, { type: 'Suspend', actor: people.director, data: { reasons: 'Data-centre audit failed' }, commandId: 'cr-1' } as ComplianceActionInput));
    await viewWhen(handle, (v) => v.state.status === 'suspended');

    const reinstated = await act(handle, 'Reinstate', people.director, { reasons: 'Audit findings closed' });
    expect(reinstated.state.status).toBe('accredited');

    // A reviewer may not revoke: the decider refuses, and the process records the refusal and goes on.
    await handle.signal(complianceActionSignal, await sealedAction(handle.workflowId, { type: 'Revoke', actor: people.reviewer, data: { reasons: 'x' }, commandId: 'cr-2' } as ComplianceActionInput));
    const refused = await viewWhen(handle, (v) => v.complianceRefusals.length === 1);
    expect(refused.complianceRefusals[0]).toMatchObject({ commandId: 'cr-2', type: 'Revoke', code: 'ROLE_NOT_ALLOWED' });
    expect(refused.state.status).toBe('accredited');

    await handle.signal(complianceActionSignal, await sealedAction(handle.workflowId, { type: 'Revoke', actor: people.director, data: { reasons: 'Repeated breach', transitionDays: 90 }, commandId: 'cr-3' } as ComplianceActionInput));
    const result = await handle.result();
    expect(result.state.status).toBe('revoked');
    const events = await streamOf(store, applicationId);
    expect(events.slice(-3).map((e) => [e.type, e.metadata.causationId])).toEqual([
      ['AccreditationSuspended', 'cr-1'],
      ['AccreditationReinstated', expect.any(String)],
      ['AccreditationRevoked', 'cr-3'],
    ]);
  });

  it('lives ten years of monthly suspensions, reinstatements and renewals on a bounded history', async () => {
    const { handle, applicationId, grant } = await granted(env, { continueAfterEvents: 60 });
    const tenYears = Date.parse(addMonths(grant.validFrom, 120));
    let renewals = 0;
    while ((await env.currentTimeMs()) < tenYears) {
      await env.sleep(30 * DAY);
      const current = await view(handle);
      if (current.state.status === 'none') throw new Error('no case');
      expect(current.state.status).toBe('accredited');
      if (current.state.renewalWindowOpen) {
        await act(handle, 'Renew', people.director, { reasons: `Renewal ${++renewals}` });
      }
      await act(handle, 'Suspend', people.director, { reasons: 'Monthly drill' });
      await act(handle, 'Reinstate', people.director, { reasons: 'Monthly drill over' });
    }
    expect(renewals).toBeGreaterThanOrEqual(3);

    const latest = await handle.describe();
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const history = await env.client.workflow.getHandle(handle.workflowId, latest.runId).fetchHistory();
    expect(history.events?.length ?? 0).toBeLessThan(200);

    const events = await streamOf(store, applicationId);
    expect(events.length).toBeGreaterThan(240);
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => i));
    const final = await view(handle);
    expect(final.revision).toBe(events.length - 1);
    expect(final.state.status).toBe('accredited');
  }, 240_000);
});
