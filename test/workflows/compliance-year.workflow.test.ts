import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { monthlyReportDueAt, nextPeriod, periodEnd, periodOf } from '../../domain/compliance/period';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { addDays, addMonths } from '../../domain/shared/time';
import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';
import { anniversaryReviewId } from '../../workflows/accreditation/compliance-duties';
import { missedReportsReviewId, monitoringWorkflowId, reviewWorkflowId } from '../../workflows/compliance/messages';
import { skipTo } from '../support/temporal';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { act, granted, people, streamOf, TASK_QUEUE, viewWhen } from './accreditation-harness';
import { monitoring, onReview, report, reviewStatus, trackStarted } from './compliance-harness';
import { agreeOn, exists, startReadModels, step, until, whenStarted, type ReadModels } from './compliance-read-models';

/**
 * A whole year of one accredited offering under the compliance regime (issue 4), on the time-skipping
 * server. One scenario per file: a year-long case followed by another test in the same file hangs the
 * time-skipping server.
 */
const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const policy = DEFAULT_COMPLIANCE_POLICY;

let env: TestWorkflowEnvironment;
let store: EventStore;
let models: ReadModels;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'compliance', title: 'compliance regime on the time-skipping server', onStore: startReadModels }, (bed) => ({ env, store, extra: models } = bed));

const serverNow = async (): Promise<number> => env.currentTimeMs();

const after = (iso: string, ms: number): number => Date.parse(iso) + ms;
const types = async (stream: string) => (await store.readStream(stream)).map(decode).map((e) => e.type);

describe('compliance regime on the time-skipping server', () => {
  it('runs a year: monthly reports with two missed, an anniversary review with an overdue high finding, escalation, suspension, remediation and reinstatement', async () => {
    // The grant starts monitoring by itself: the accreditation process owns the regime.
    const { handle: accreditation, applicationId, grant } = await granted(env, { compliance: { policy } });
    step('granted');
    await whenStarted(env, monitoringWorkflowId(applicationId));
    step('monitoring started');
    const monitor = await trackStarted(env, monitoringWorkflowId(applicationId));
    expect((await monitor.describe()).parentExecution?.workflowId).toBe(accreditation.workflowId);
    await until(() => monitoring(monitor), (v) => v.revision >= 0, 'monitoring started');
    await agreeOn(store, models, 'accredited', (row) => {
      expect(row.monitoring).toMatchObject({ status: 'monitoring', firstPeriod: periodOf(grant.validFrom), missed: 0, submitted: 0 });
      expect(row.lastReview).toBeNull();
    });

    // Twelve monthly cycles; the third and fourth months' reports are never sent.
    const first = periodOf(grant.validFrom);
    const missed = [nextPeriod(nextPeriod(first)), nextPeriod(nextPeriod(nextPeriod(first)))];
    const missedReviewId = reviewWorkflowId(missedReportsReviewId(applicationId, missed));
    let period = first;
    let reported = 0;
    let missedReview: WorkflowHandle | undefined;
    for (let month = 0; month < 12; month++) {
      // A day after the month ends: the report is owed and not yet late.
      step(`month ${month} ${period}`);
      await skipTo(env, after(periodEnd(period), DAY));
      if (!missed.includes(period)) {
        await report(monitor, people.csp, period);
        reported += 1;
      }
      const now = await serverNow();
      const missedSoFar = missed.filter((p) => Date.parse(monthlyReportDueAt(p, policy)) <= now).length;

      if (missedSoFar === missed.length && missedReview === undefined) {
        // The second miss in a row opened a review; the provider explains. (It is closed at the end of the
        // scenario: the time-skipping server stops skipping once a child of a continued-as-new run, as this
        // review is of monitoring's, completes — temporalio/sdk-java#1540, #2392.)
        expect(month).toBe(4);
        const review = await trackStarted(env, (await whenStarted(env, missedReviewId)).workflowId);
        await until(() => reviewStatus(review), (s) => s === 'opened', 'missed-reports review opened');
        await agreeOn(store, models, 'accredited', (row) => {
          expect(row.lastReview).toMatchObject({ trigger: 'missed-reports', status: 'opened' });
          expect(row.monitoring.missed).toBe(2);
        });
        await onReview(review, 'RequestEvidence', people.reviewer, { request: 'Explain the missed reports' });
        await onReview(review, 'SubmitEvidence', people.csp, { summary: 'Reporting staff changed; process fixed' });
        missedReview = review;
      } else if (missedReview === undefined) {
        expect(await exists(env, missedReviewId)).toBe(false);
      }

      await agreeOn(store, models, 'accredited', (row) => {
        expect(row.monitoring).toMatchObject({ status: 'monitoring', submitted: reported, missed: missedSoFar });
        expect(row.openFindings).toEqual({ high: 0, moderate: 0, low: 0 });
        expect(row.escalations).toEqual([]);
        if (missedReview !== undefined) expect(row.lastReview).toMatchObject({ trigger: 'missed-reports', status: 'evidence-submitted' });
      });
      period = nextPeriod(period);
    }
    if (missedReview === undefined) throw new Error('two missed reports in a row opened no review');

    /** Skips to `at`, sending each month's report on the way as it falls due: no new miss in the rest of the year. */
    const skipReporting = async (at: number): Promise<void> => {
      while (after(periodEnd(period), DAY) <= at) {
        await skipTo(env, after(periodEnd(period), DAY));
        await report(monitor, people.csp, period);
        reported += 1;
        period = nextPeriod(period);
      }
      await skipTo(env, at);
    };

    // One year on, the accreditation process opens the annual review by itself.
    step('year done');
    const anniversary = addMonths(grant.validFrom, 12);
    await skipReporting(after(anniversary, HOUR));
    const annual = await trackStarted(env, (await whenStarted(env, reviewWorkflowId(anniversaryReviewId(applicationId, 1)))).workflowId);
    await until(() => reviewStatus(annual), (s) => s === 'opened', 'anniversary review opened');
    expect((await annual.describe()).parentExecution?.workflowId).toBe(accreditation.workflowId);
    expect((await store.readStream(`review-${anniversaryReviewId(applicationId, 1)}`)).map(decode)[0]).toMatchObject({
      type: 'ReviewOpened',
      data: { trigger: 'anniversary', applicationId, offeringId: 'off-gov' },
    });
    await agreeOn(store, models, 'accredited', (row) => expect(row.lastReview).toMatchObject({ trigger: 'anniversary', status: 'opened' }));

    step('anniversary review');
    await onReview(annual, 'RequestEvidence', people.reviewer, { request: 'Annual assessment package' });
    await onReview(annual, 'SubmitEvidence', people.csp, { summary: 'Package delivered', documents: ['sar.pdf'] });
    const assessed = await onReview(annual, 'AssessReview', people.reviewer, {
      summary: 'Two findings',
      findings: [
        { id: 'F-1', title: 'Unpatched hypervisors', severity: 'high' },
        { id: 'F-2', title: 'Stale access reviews', severity: 'moderate' },
      ],
    });
    expect(assessed.state.status).toBe('remediation');
    await agreeOn(store, models, 'accredited', (row) => expect(row.openFindings).toEqual({ high: 1, moderate: 1, low: 0 }));
    await onReview(annual, 'SubmitRemediationEvidence', people.csp, { findingId: 'F-2', description: 'Access reviewed' });
    await onReview(annual, 'VerifyFinding', people.reviewer, { findingId: 'F-2', outcome: 'verified', notes: 'Checked' });
    await agreeOn(store, models, 'accredited', (row) => {
      expect(row.openFindings).toEqual({ high: 1, moderate: 0, low: 0 });
      expect(row.overdue.findings).toEqual([]);
    });

    // The high finding's 30 days pass without remediation: overdue, and the review escalates.
    const assessedAt = new Date(await serverNow()).toISOString();
    const highDeadline = assessed.state.status === 'none' ? '' : (assessed.state.findings.find((f) => f.id === 'F-1')?.deadline ?? '');
    // 30 days for a high finding (the server's clock has not moved since the assessment).
    expect(Math.abs(Date.parse(highDeadline) - Date.parse(addDays(assessedAt, 30)))).toBeLessThan(HOUR);
    step('to the deadline');
    await skipReporting(after(highDeadline, DAY));
    step('past the deadline');
    await until(() => reviewStatus(annual), (s) => s === 'escalated', 'review escalated');
    await agreeOn(store, models, 'accredited', (row) => {
      expect(row.overdue.findings.map((f) => f.findingId)).toEqual(['F-1']);
      expect(row.escalations).toMatchObject([{ reason: 'high-finding-overdue', findingIds: ['F-1'], outcome: null }]);
      expect(row.lastReview).toMatchObject({ trigger: 'anniversary', status: 'escalated' });
    });

    // The director suspends on the review; the accreditation's own process changes its status.
    step('escalated');
    await onReview(annual, 'DecideSuspend', people.director, { reasons: 'High finding overdue' });
    await viewWhen(accreditation, (v) => v.state.status === 'suspended');
    const suspended = await agreeOn(store, models, 'suspended', (row) => {
      expect(row.escalations).toMatchObject([{ outcome: 'suspended' }]);
      expect(row.openFindings).toEqual({ high: 1, moderate: 0, low: 0 });
    });
    expect(suspended.changes.map((c) => c.to)).toEqual(['suspended', 'accredited']);

    // Remediation, verification, and the reviewer's recommendation end the review.
    await onReview(annual, 'SubmitRemediationEvidence', people.csp, { findingId: 'F-1', description: 'Hypervisors patched' });
    await onReview(annual, 'VerifyFinding', people.reviewer, { findingId: 'F-1', outcome: 'verified', notes: 'Patch levels confirmed' });
    const recommended = await onReview(annual, 'RecommendReinstatement', people.reviewer, { reasons: 'All findings verified' });
    expect(recommended.state.status).toBe('reinstatement-recommended');
    await agreeOn(store, models, 'suspended', (row) => {
      expect(row.openFindings).toEqual({ high: 0, moderate: 0, low: 0 });
      expect(row.overdue.findings).toEqual([]);
      expect(row.lastReview).toMatchObject({ trigger: 'anniversary', status: 'reinstatement-recommended' });
    });

    // The director reinstates on the accreditation itself.
    const reinstated = await act(accreditation, 'Reinstate', people.director, { reasons: 'Reinstatement recommended by the annual review' });
    expect(reinstated.state.status).toBe('accredited');
    const final = await agreeOn(store, models, 'accredited', (row) => {
      expect(row.monitoring).toMatchObject({ status: 'monitoring', missed: 2, submitted: reported, consecutiveMisses: 0 });
      expect(row.escalations).toHaveLength(1);
    });
    expect(final.changes.map((c) => c.to)).toEqual(['accredited', 'suspended', 'accredited']);

    // The missed-reports review closes compliant: the reporting was restored.
    const closed = await onReview(missedReview, 'AssessReview', people.reviewer, { summary: 'Reporting restored', findings: [] });
    expect(closed.state.status).toBe('closed-compliant');
    await agreeOn(store, models, 'accredited', (row) => {
      expect(row.openFindings).toEqual({ high: 0, moderate: 0, low: 0 });
      // The latest opened is still the annual review.
      expect(row.lastReview).toMatchObject({ trigger: 'anniversary', status: 'reinstatement-recommended' });
    });
    expect(final.listed).toMatchObject({ applicationId, status: 'accredited', validUntil: grant.validUntil });

    // The year is over. The provider then withdraws: the accreditation ends, and monitoring with it.
    await act(accreditation, 'Withdraw', people.csp, { reason: 'Offering retired' });
    await until(() => monitoring(monitor), (v) => v.state.status === 'ended', 'monitoring ended');
    await until(() => accreditation.describe(), (d) => d.status.name === 'COMPLETED', 'accreditation process closed');
    const withdrawn = await agreeOn(store, models, 'withdrawn', (row) => expect(row.monitoring.status).toBe('ended'));
    expect(withdrawn.changes.map((c) => c.to)).toEqual(['withdrawn', 'accredited', 'suspended', 'accredited']);

    expect((await streamOf(store, applicationId)).map((e) => e.type).slice(-4)).toEqual([
      'AccreditationGranted',
      'AccreditationSuspended',
      'AccreditationReinstated',
      'AccreditationWithdrawn',
    ]);
    const monitored = await types(`monitoring-${applicationId}`);
    expect(monitored.filter((t) => t === 'MonthlyReportMissed')).toHaveLength(2);
    expect(monitored.filter((t) => t === 'MonthlyReportsMissedTwice')).toHaveLength(1);
    // Only one anniversary has come: no second annual review.
    expect(await exists(env, reviewWorkflowId(anniversaryReviewId(applicationId, 2)))).toBe(false);
  });
});
