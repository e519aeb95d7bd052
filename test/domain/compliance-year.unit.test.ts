import { addDays } from '../../domain/shared/time';
import { decideMonitoring } from '../../domain/compliance/monitoring-decide';
import { foldMonitoring } from '../../domain/compliance/monitoring-evolve';
import { MonitoringEventSchemas } from '../../domain/compliance/monitoring-events';
import type { MonitoringRecord } from '../../domain/compliance/monitoring-state';
import { monthlyReportDueAt, nextPeriod, periodEnd } from '../../domain/compliance/period';
import { DEFAULT_COMPLIANCE_POLICY, type ComplianceDecideContext } from '../../domain/compliance/policy';
import { decideReview } from '../../domain/compliance/review-decide';
import { foldReview } from '../../domain/compliance/review-evolve';
import { ReviewEventSchemas } from '../../domain/compliance/review-events';
import type { ReviewCase } from '../../domain/compliance/review-state';
import { HIGH, LOW, M, MODERATE, R, actors, at, mcmd, rcmd } from './compliance-fixtures';

/** Plays commands through a decider the way the workflow does: decide on the folded history, append. */
function stream<S, C, E extends { type: string; data: unknown }>(
  decide: (command: C, state: S, ctx: ComplianceDecideContext) => E[],
  fold: (events: readonly E[]) => S,
  schemas: Record<string, { parse(data: unknown): unknown }>,
) {
  const history: E[] = [];
  return {
    history,
    handle(command: C, now: string): E[] {
      const events = decide(command, fold(history), at(now));
      events.forEach((event) => expect(schemas[event.type]?.parse(event.data)).toEqual(event.data));
      history.push(...events);
      return events;
    },
    get state(): S {
      return fold(history);
    },
  };
}

const MISSED = new Set(['2025-06', '2025-07']);

describe('a year in the life of an accredited offering', () => {
  it('runs twelve monthly cycles, a missed-reports review, and an anniversary review through suspension to reinstatement', () => {
    const monitoring = stream(decideMonitoring, foldMonitoring, MonitoringEventSchemas);
    const newReview = () => stream(decideReview, foldReview, ReviewEventSchemas);
    const reviews = new Map<string, ReturnType<typeof newReview>>();

    monitoring.handle(mcmd.start(), M.started);

    // Twelve monthly cycles: the provider reports in the first days of the following month, except
    // for two months in a row, which the engine's timer records as missed once their due day passes.
    let period: string = M.firstPeriod;
    for (let cycle = 0; cycle < 12; cycle += 1) {
      if (MISSED.has(period)) {
        const events = monitoring.handle(mcmd.missed(period), monthlyReportDueAt(period, DEFAULT_COMPLIANCE_POLICY));
        const trigger = events.find((e) => e.type === 'MonthlyReportsMissedTwice');
        if (trigger !== undefined) {
          // The workflow reacts to the trigger by opening a review of the missed reports.
          const missedReview = newReview();
          reviews.set('REV-MISSED', missedReview);
          const now = monthlyReportDueAt(period, DEFAULT_COMPLIANCE_POLICY);
          const open = rcmd.open(actors.system, 'missed-reports');
          missedReview.handle({ ...open, data: { ...open.data, reviewId: 'REV-MISSED' } }, now);
          missedReview.handle(rcmd.requestEvidence(), addDays(now, 1));
          missedReview.handle(rcmd.submitEvidence(), addDays(now, 10));
          missedReview.handle(rcmd.assess([]), addDays(now, 15));
        }
      } else {
        monitoring.handle(mcmd.submit(period), addDays(periodEnd(period), 3));
      }
      period = nextPeriod(period);
    }

    const record = monitoring.state as MonitoringRecord;
    expect(Object.keys(record.periods)).toHaveLength(12);
    expect(period).toBe('2026-02');
    expect(record.consecutiveMisses).toBe(0);
    expect(monitoring.history.filter((e) => e.type === 'MonthlyReportMissed')).toHaveLength(2);
    expect(monitoring.history.filter((e) => e.type === 'MonthlyReportsMissedTwice')).toEqual([
      { type: 'MonthlyReportsMissedTwice', data: { applicationId: 'APP-1', offeringId: 'off-nimbus-gov', cspId: 'csp-nimbus', periods: ['2025-06', '2025-07'] } },
    ]);
    expect(reviews.get('REV-MISSED')?.state.status).toBe('closed-compliant');

    // The anniversary review: findings, an overdue high finding, escalation, suspension.
    const anniversary = newReview();
    anniversary.handle(rcmd.open(), R.opened);
    anniversary.handle(rcmd.requestEvidence(), R.evidenceRequested);
    anniversary.handle(rcmd.submitEvidence(), R.evidenceSubmitted);
    anniversary.handle(rcmd.assess([HIGH, MODERATE, LOW]), R.assessed);
    expect(() => anniversary.handle(rcmd.findingOverdue(HIGH.id), addDays(R.highDue, -1))).toThrow(expect.objectContaining({ code: 'COMPLIANCE_NOT_YET_DUE' }));
    const overdue = anniversary.handle(rcmd.findingOverdue(HIGH.id), R.highDue);
    expect(overdue.map((e) => e.type)).toEqual(['ReviewFindingOverdue', 'ReviewEscalated']);
    expect(() => anniversary.handle(rcmd.suspend(actors.reviewer), R.decision)).toThrow(expect.objectContaining({ code: 'ROLE_NOT_ALLOWED' }));
    const suspension = anniversary.handle(rcmd.suspend(), R.decision);
    expect(suspension).toEqual([expect.objectContaining({ type: 'ReviewSuspensionDecided', data: expect.objectContaining({ applicationId: 'APP-1' }) })]);

    // Remediation under suspension: one piece of evidence is rejected once, then everything verifies.
    anniversary.handle(rcmd.remediate(HIGH.id), '2026-03-25T09:00:00.000Z');
    anniversary.handle(rcmd.verify(HIGH.id, 'rejected'), '2026-03-26T09:00:00.000Z');
    anniversary.handle(rcmd.remediate(HIGH.id, actors.cspColleague), '2026-03-30T09:00:00.000Z');
    for (const finding of [HIGH, MODERATE, LOW]) {
      if (finding.id !== HIGH.id) anniversary.handle(rcmd.remediate(finding.id), '2026-04-01T09:00:00.000Z');
      anniversary.handle(rcmd.verify(finding.id), '2026-04-02T09:00:00.000Z');
    }
    expect(anniversary.state.status).toBe('suspended');
    const recommendation = anniversary.handle(rcmd.recommendReinstatement(), '2026-04-03T09:00:00.000Z');
    expect(recommendation.map((e) => e.type)).toEqual(['ReviewReinstatementRecommended']);

    const finalState = anniversary.state as ReviewCase;
    expect(finalState.status).toBe('reinstatement-recommended');
    expect(finalState.findings.map((f) => [f.id, f.status, f.overdue])).toEqual([
      [HIGH.id, 'verified', true],
      [MODERATE.id, 'verified', false],
      [LOW.id, 'verified', false],
    ]);
    expect(finalState.decidedBy).toEqual([actors.director.userId]);
    expect(anniversary.history.map((e) => e.type)).toEqual([
      'ReviewOpened',
      'ReviewEvidenceRequested',
      'ReviewEvidenceSubmitted',
      'ReviewAssessed',
      'ReviewFindingOverdue',
      'ReviewEscalated',
      'ReviewSuspensionDecided',
      'ReviewRemediationSubmitted',
      'ReviewFindingRejected',
      'ReviewRemediationSubmitted',
      'ReviewFindingVerified',
      'ReviewRemediationSubmitted',
      'ReviewFindingVerified',
      'ReviewRemediationSubmitted',
      'ReviewFindingVerified',
      'ReviewReinstatementRecommended',
    ]);
  });
});
