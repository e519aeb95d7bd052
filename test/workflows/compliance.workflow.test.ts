import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { decode } from '../../eventstore/registry';
import { missedReportsReviewId, monitoringWorkflowId, reviewWorkflowId, endMonitoringSignal } from '../../workflows/compliance/messages';
import { monthlyReportDueAt, monthlyReportReminderAt, nextPeriod, periodEnd, periodOf } from '../../domain/compliance/period';
import type { EventStore } from '../../eventstore/port';
import { skipTo } from '../support/temporal';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { act, CSP_ID, GOV_CLOUD, granted, people, refusal, streamOf, TASK_QUEUE, viewWhen } from './accreditation-harness';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import type { monitoringWorkflow } from '../../workflows/compliance/monitoring.workflow';
import { startAsEngine } from '../support/engine-start';
import { TEST_TRUSTED_COMMAND_KEYS } from '../support/command-keys';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import { monitoring, onReview, openReview, report, reviewStatus, startMonitoring, trackStarted } from './compliance-harness';

const DAY = 24 * 60 * 60 * 1000;

let env: TestWorkflowEnvironment;
let store: EventStore;
/** Which kind of fixture each test's processes are exported as. */
let kind = 'review';

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: () => kind, title: 'compliance processes on the time-skipping server' }, (bed) => ({ env, store } = bed));

/** Waits until the process's current run has completed the named activity (a signal gives no answer to wait on). */
async function activityRan(handle: WorkflowHandle, activityType: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const events = (await env.client.workflow.getHandle(handle.workflowId).fetchHistory()).events ?? [];
    const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType).map((e) => String(e.eventId)));
    if (events.some((e) => scheduled.has(String(e.activityTaskCompletedEventAttributes?.scheduledEventId)))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${activityType} never completed`);
}

async function monitoringStarted(handle: WorkflowHandle): Promise<void> {
  for (let attempt = 0; (await monitoring(handle)).state.status !== 'monitoring'; attempt++) {
    if (attempt >= 400) throw new Error('monitoring never started');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const types = async (stream: string) => (await store.readStream(stream)).map(decode).map((e) => e.type);

describe('compliance processes on the time-skipping server', () => {
  it('escalates an anniversary review on an overdue high finding; the director suspends, and after verified remediation reinstates', async () => {
    kind = 'review';
    const { handle: accreditation, applicationId } = await granted(env);
    const review = await openReview(env, applicationId, 'anniversary');

    await onReview(review, 'RequestEvidence', people.reviewer, { request: 'Annual assessment package' });
    await onReview(review, 'SubmitEvidence', people.csp, { summary: 'Package delivered', documents: ['sar-2026.pdf'] });
    const assessed = await onReview(review, 'AssessReview', people.reviewer, {
      summary: 'Two findings',
      findings: [
        { id: 'F-1', title: 'Unpatched hypervisors', severity: 'high' },
        { id: 'F-2', title: 'Stale access reviews', severity: 'low' },
      ],
    });
    expect(assessed.state.status).toBe('remediation');
    await onReview(review, 'SubmitRemediationEvidence', people.csp, { findingId: 'F-2', description: 'Access reviewed' });
    await onReview(review, 'VerifyFinding', people.reviewer, { findingId: 'F-2', outcome: 'verified', notes: 'Checked' });

    // Only the director decides, and only once the review escalates.
    expect(await refusal(onReview(review, 'DecideSuspend', people.director, { reasons: 'Too early' }))).toBe('REVIEW_WRONG_STATE');
    await env.sleep(31 * DAY);
    expect(await reviewStatus(review)).toBe('escalated');
    expect(await refusal(onReview(review, 'DecideSuspend', people.reviewer, { reasons: 'Not mine' }))).toBe('ROLE_NOT_ALLOWED');

    const suspended = await onReview(review, 'DecideSuspend', people.director, { reasons: 'High finding overdue' });
    expect(suspended.state.status).toBe('suspended');
    await viewWhen(accreditation, (v) => v.state.status === 'suspended');

    await onReview(review, 'SubmitRemediationEvidence', people.csp, { findingId: 'F-1', description: 'Hypervisors patched' });
    expect(await refusal(onReview(review, 'RecommendReinstatement', people.reviewer, { reasons: 'Early' }))).toBe('REVIEW_REMEDIATION_INCOMPLETE');
    await onReview(review, 'VerifyFinding', people.reviewer, { findingId: 'F-1', outcome: 'verified', notes: 'Patch levels confirmed' });
    const recommended = await onReview(review, 'RecommendReinstatement', people.reviewer, { reasons: 'All findings verified' });
    expect(recommended.state.status).toBe('reinstatement-recommended');
    expect((await review.result()).state.status).toBe('reinstatement-recommended');

    // The director lifts the suspension on the accreditation's own process.
    const reinstated = await act(accreditation, 'Reinstate', people.director, { reasons: 'Reinstatement recommended by review' });
    expect(reinstated.state.status).toBe('accredited');
    const measures = (await streamOf(store, applicationId)).filter((e) => e.type === 'AccreditationSuspended' || e.type === 'AccreditationReinstated');
    expect(measures.map((e) => e.type)).toEqual(['AccreditationSuspended', 'AccreditationReinstated']);
    expect(measures[0]?.metadata.causationId).toMatch(/:measure$/);
    expect(await types(`review-${review.workflowId.slice('review:'.length)}`)).toEqual([
      'ReviewOpened',
      'ReviewEvidenceRequested',
      'ReviewEvidenceSubmitted',
      'ReviewAssessed',
      'ReviewRemediationSubmitted',
      'ReviewFindingVerified',
      'ReviewFindingOverdue',
      'ReviewEscalated',
      'ReviewSuspensionDecided',
      'ReviewRemediationSubmitted',
      'ReviewFindingVerified',
      'ReviewReinstatementRecommended',
    ]);
  });

  it('escalates on overdue evidence, and the director revokes the accreditation through its own process', async () => {
    kind = 'review';
    const { handle: accreditation, applicationId } = await granted(env);
    const review = await openReview(env, applicationId, 'incident', people.reviewer);
    await onReview(review, 'RequestEvidence', people.reviewer, { request: 'Incident report' });
    await env.sleep(31 * DAY);
    expect(await reviewStatus(review)).toBe('escalated');

    const revoked = await onReview(review, 'DecideRevoke', people.director, { reasons: 'No evidence after a reported breach' });
    expect(revoked.state.status).toBe('revoked');
    expect((await review.result()).state.status).toBe('revoked');
    const result = await accreditation.result();
    expect(result.state.status).toBe('revoked');
    expect(result.state.status !== 'none' && result.state.transitionUntil).toEqual(expect.any(String));
    expect((await streamOf(store, applicationId)).at(-1)?.metadata.causationId).toMatch(/:measure$/);
  });

  it('refuses a review action its process does not offer to people', async () => {
    kind = 'review';
    const { applicationId } = await granted(env);
    const review = await openReview(env, applicationId, 'complaint', people.reviewer);
    expect(await refusal(onReview(review, 'EvidenceOverdue' as never, people.reviewer, {}))).toBe('VALIDATION_FAILED');
    expect(await reviewStatus(review)).toBe('opened');
  });

  it('ends monitoring at once in a fresh run handed an end signal its predecessor received while handing over, once the accreditation has ended', async () => {
    kind = 'monitoring';
    const { handle: accreditation, applicationId, grant } = await granted(env);
    await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering discontinued' });
    const handle = await startAsEngine<typeof monitoringWorkflow>(env, {
      workflowType: 'monitoringWorkflow',
      workflowId: monitoringWorkflowId(applicationId),
      taskQueue: TASK_QUEUE,
      args: [
        {
          start: {
            type: 'StartMonitoring',
            actor: SYSTEM_ACTOR,
            data: { applicationId, offeringId: GOV_CLOUD.offeringId, cspId: CSP_ID, firstPeriod: periodOf(grant.validFrom) },
          },
          policy: DEFAULT_COMPLIANCE_POLICY,
          ending: { reason: 'Accreditation revoked', commandId: 'end-carried' },
        },
      ],
    });
    expect((await handle.result()).state.status).toBe('ended');
    const events = (await store.readStream(`monitoring-${applicationId}`)).map(decode);
    expect(events.map((e) => e.type)).toEqual(['MonitoringStarted', 'MonitoringEnded']);
    // The end is the one the accreditation's stream records, not what the signal said.
    const withdrawn = (await streamOf(store, applicationId)).at(-1);
    expect(withdrawn?.type).toBe('AccreditationWithdrawn');
    expect(events[1]?.metadata.causationId).toBe(withdrawn?.id);
    expect(events[1]?.data).toMatchObject({ reason: 'The accreditation was withdrawn' });
  });

  it('takes an endMonitoring signal sent straight to monitoring while the accreditation holds as a nudge that ends nothing', async () => {
    kind = 'monitoring';
    const { handle: accreditation, applicationId, grant } = await granted(env);
    const first = periodOf(grant.validFrom);
    const handle = await startMonitoring(env, applicationId, first);
    await monitoringStarted(handle);

    await handle.signal(endMonitoringSignal, { reason: 'Forged end', commandId: 'forged-end' });
    // Monitoring looked at the accreditation's stream, found it held, and went on.
    await activityRan(handle, 'readAccreditationStanding');
    await skipTo(env, new Date(Date.parse(periodEnd(first)) + DAY).toISOString());
    const after = await report(handle, people.csp, first);
    expect(after.state.status === 'monitoring' && after.state.periods[first]?.outcome).toBe('submitted');
    expect(await types(`monitoring-${applicationId}`)).toEqual(['MonitoringStarted', 'MonthlyReportSubmitted']);

    // The accreditation's real end: the same signal now ends monitoring.
    await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering discontinued' });
    await handle.signal(endMonitoringSignal, { reason: 'Accreditation withdrawn', commandId: 'end-real' });
    expect((await env.client.workflow.getHandle(handle.workflowId).result()).state.status).toBe('ended');
    expect((await types(`monitoring-${applicationId}`)).at(-1)).toBe('MonitoringEnded');
    // Every event a person caused keeps a signed command that verifies.
    expect((await verifyStore(store, { commandKeys: TEST_TRUSTED_COMMAND_KEYS })).commands.findings).toEqual([]);
  });

  it("reminds the provider a week before a month's report falls due, and takes the report after the reminder as on time", async () => {
    kind = 'monitoring';
    const { handle: accreditation, applicationId, grant } = await granted(env);
    const first = periodOf(grant.validFrom);
    const handle = await startMonitoring(env, applicationId, first);
    await monitoringStarted(handle);
    const remindAt = monthlyReportReminderAt(first, DEFAULT_COMPLIANCE_POLICY);
    expect(Date.parse(monthlyReportDueAt(first, DEFAULT_COMPLIANCE_POLICY)) - Date.parse(remindAt)).toBe(7 * DAY);

    await skipTo(env, new Date(Date.parse(remindAt) + DAY).toISOString());
    for (let attempt = 0; (await types(`monitoring-${applicationId}`)).length < 2; attempt++) {
      if (attempt >= 400) throw new Error('the reminder was never recorded');
      await new Promise((r) => setTimeout(r, 25));
    }
    const events = (await store.readStream(`monitoring-${applicationId}`)).map(decode);
    expect(events.map((e) => e.type)).toEqual(['MonitoringStarted', 'MonthlyReportDue']);
    expect(events[1]?.data).toEqual({ period: first, dueAt: monthlyReportDueAt(first, DEFAULT_COMPLIANCE_POLICY), remindAt });
    // Recorded on the reminder's day, once its instant had come.
    const occurredAt = events[1]?.metadata.occurredAt ?? '';
    expect([occurredAt >= remindAt, occurredAt.slice(0, 10)]).toEqual([true, remindAt.slice(0, 10)]);

    const after = await report(handle, people.csp, first);
    expect(after.state.status === 'monitoring' && after.state.periods[first]?.outcome).toBe('submitted');
    expect(await types(`monitoring-${applicationId}`)).toEqual(['MonitoringStarted', 'MonthlyReportDue', 'MonthlyReportSubmitted']);

    await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering discontinued' });
    await handle.signal(endMonitoringSignal, { reason: 'Accreditation withdrawn', commandId: 'end-reminded' });
    expect((await env.client.workflow.getHandle(handle.workflowId).result()).state.status).toBe('ended');
  });

  it('runs twelve monthly cycles, records two missed reports in a row, opens a missed-reports review, and ends with the accreditation', async () => {
    kind = 'monitoring';
    const { handle: accreditation, applicationId, grant } = await granted(env);
    const first = periodOf(grant.validFrom);
    const handle = await startMonitoring(env, applicationId, first);

    const missed = [nextPeriod(nextPeriod(first)), nextPeriod(nextPeriod(nextPeriod(first)))];
    let period = first;
    for (let month = 0; month < 12; month++) {
      // A day after the month ends: the report is owed and not yet late.
      await skipTo(env, new Date(Date.parse(periodEnd(period)) + DAY).toISOString());
      if (!missed.includes(period)) {
        const after = await report(handle, people.csp, period);
        expect(after.state.status === 'monitoring' && after.state.periods[period]?.outcome).toBe('submitted');
      }
      period = nextPeriod(period);
    }
    // Past the due day of the twelfth month's report too.
    await skipTo(env, new Date(Date.parse(periodEnd(period)) - DAY).toISOString());

    // A report is the provider's alone.
    expect(await refusal(report(handle, people.reviewer, period))).toBe('ROLE_NOT_ALLOWED');

    const record = (await monitoring(handle)).state;
    if (record.status === 'none') throw new Error('not started');
    expect(Object.entries(record.periods).filter(([, p]) => p.outcome === 'missed').map(([p]) => p)).toEqual(missed);
    expect(record.consecutiveMisses).toBe(0);

    const reviewId = missedReportsReviewId(applicationId, missed);
    const review = await trackStarted(env, reviewWorkflowId(reviewId));
    expect(await reviewStatus(review)).toBe('opened');

    const events = await types(`monitoring-${applicationId}`);
    expect(events.filter((t) => t === 'MonthlyReportSubmitted')).toHaveLength(10);
    expect(events.filter((t) => t === 'MonthlyReportMissed')).toHaveLength(2);
    expect(events.filter((t) => t === 'MonthlyReportsMissedTwice')).toHaveLength(1);
    // Only the months not reported by their reminder instant were reminded, each before its miss.
    const reminded = (await store.readStream(`monitoring-${applicationId}`)).map(decode).filter((e) => e.type === 'MonthlyReportDue' || e.type === 'MonthlyReportMissed');
    expect(reminded.map((e) => [e.type, (e.data as { period: string }).period])).toEqual([
      ['MonthlyReportDue', missed[0]],
      ['MonthlyReportMissed', missed[0]],
      ['MonthlyReportDue', missed[1]],
      ['MonthlyReportMissed', missed[1]],
    ]);
    expect((await store.readStream(`review-${reviewId}`)).map(decode)[0]).toMatchObject({
      type: 'ReviewOpened',
      data: { trigger: 'missed-reports', applicationId },
    });

    // The missed-reports review: evidence, an assessment without findings, closed compliant.
    await onReview(review, 'RequestEvidence', people.reviewer, { request: 'Explain the missed reports' });
    await onReview(review, 'SubmitEvidence', people.csp, { summary: 'Reporting staff changed; process fixed' });
    const closed = await onReview(review, 'AssessReview', people.reviewer, { summary: 'Reporting restored', findings: [] });
    expect(closed.state.status).toBe('closed-compliant');

    // Only an accreditation that has ended ends its monitoring.
    await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering discontinued' });
    await handle.signal(endMonitoringSignal, { reason: 'Accreditation withdrawn', commandId: 'end-1' });
    const result = await env.client.workflow.getHandle(handle.workflowId).result();
    expect(result.state.status).toBe('ended');
    expect((await types(`monitoring-${applicationId}`)).at(-1)).toBe('MonitoringEnded');
  });
});
