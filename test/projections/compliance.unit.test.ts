import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import { createAccreditedListQueries } from '../../projections/accreditation/queries';
import { complianceProjection } from '../../projections/compliance/compliance';
import { createComplianceQueries } from '../../projections/compliance/queries';
import type { Actor } from '../../domain/shared/actor';
import { director, pse, reviewer } from '../support/actors';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp } from './accredited-fixtures';
import { changeEvent, cspRep, monitoringEvent, reviewEvent } from './compliance-fixtures';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const TERMS = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: '2028-02-03T10:00:00.000Z' } as const;
const SUBJECT = { applicationId: 'app-1', offeringId: 'off-gov', cspId: 'csp-one' };
const VULNS = { high: 0, moderate: 1, low: 3 };
const OPENED = '2025-05-16T00:00:00.000Z';
const ASSESSED = '2025-06-20T09:00:00.000Z';
const HIGH_DEADLINE = '2025-07-20T09:00:00.000Z';
const MODERATE_DEADLINE = '2025-09-18T09:00:00.000Z';
const ESCALATED = '2025-07-21T00:00:00.000Z';
const SUSPENDED = '2025-07-25T09:00:00.000Z';
const otherCsp: Actor = { ...cspRep, userId: 'u-csp2', organisationId: 'csp-two' };
const auditor: Actor = { userId: 'u-aud', name: 'Asma Auditor', role: 'auditor', jurisdiction: 'federal' };

function setup() {
  const projections = [accreditedListProjection, complianceProjection];
  const db = memoryDb(...projections);
  const log = new TestLog();
  const apply = (): void => project(db, projections, log.events.splice(0));
  registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  addOffering(log, 'csp-one', PUBLIC_CLOUD, T0);
  const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
  return { db, log, apply, app, queries: createComplianceQueries(db), list: createAccreditedListQueries(db) };
}

/** Monthly reports: February on time; March and April missed (a review opens), March then delivered late. */
function monitoring(log: TestLog): void {
  monitoringEvent(log, 'app-1', 'MonitoringStarted', { ...SUBJECT, firstPeriod: '2025-02', startedAt: GRANTED }, GRANTED);
  const report = (period: string, at: string, late: boolean) =>
    monitoringEvent(log, 'app-1', 'MonthlyReportSubmitted', { period, summary: 'Monthly scan', vulnerabilities: VULNS, submittedBy: cspRep.userId, submittedAt: at, late }, at, cspRep);
  report('2025-02', '2025-03-10T09:00:00.000Z', false);
  monitoringEvent(log, 'app-1', 'MonthlyReportMissed', { period: '2025-03', dueAt: '2025-04-16T00:00:00.000Z', consecutiveMisses: 1 }, '2025-04-16T00:00:00.000Z');
  monitoringEvent(log, 'app-1', 'MonthlyReportMissed', { period: '2025-04', dueAt: OPENED, consecutiveMisses: 2 }, OPENED);
  monitoringEvent(log, 'app-1', 'MonthlyReportsMissedTwice', { ...SUBJECT, periods: ['2025-03', '2025-04'] }, OPENED);
  report('2025-03', '2025-05-20T09:00:00.000Z', true);
}

/** The review the misses open, up to three findings under remediation, one of them with evidence to verify. */
function reviewToRemediation(log: TestLog): void {
  reviewEvent(log, 'rev-1', 'ReviewOpened', { ...SUBJECT, reviewId: 'rev-1', trigger: 'missed-reports', description: 'Two reports missed', openedBy: SYSTEM_ACTOR.userId, openedAt: OPENED }, SYSTEM_ACTOR, OPENED);
  reviewEvent(log, 'rev-1', 'ReviewEvidenceRequested', { request: 'Scan results', dueBy: '2025-06-17T09:00:00.000Z', requestedBy: reviewer.userId }, reviewer, '2025-05-18T09:00:00.000Z');
  reviewEvent(log, 'rev-1', 'ReviewEvidenceSubmitted', { summary: 'Scans attached', documents: ['scan.pdf'], submittedBy: cspRep.userId }, cspRep, '2025-06-01T09:00:00.000Z');
}

function assess(log: TestLog): void {
  reviewEvent(
    log,
    'rev-1',
    'ReviewAssessed',
    {
      summary: 'Three findings',
      findings: [
        { id: 'F1', title: 'Unpatched hypervisor', severity: 'high', deadline: HIGH_DEADLINE },
        { id: 'F2', title: 'Weak TLS ciphers', severity: 'moderate', deadline: MODERATE_DEADLINE },
        { id: 'F3', title: 'Banner discloses version', severity: 'low', deadline: '2025-12-17T09:00:00.000Z' },
      ],
      assessedBy: reviewer.userId,
      assessedByName: 'Rania Reviewer',
      assessedAt: ASSESSED,
    },
    reviewer,
    ASSESSED,
  );
}

describe('the compliance dashboard projection', () => {
  it('records each month as submitted, late or missed, with the run of misses and the review it opened', () => {
    const { log, apply, queries } = setup();
    monitoring(log);
    reviewToRemediation(log);
    apply();
    const [row] = queries.dashboard(reviewer);
    expect(row).toMatchObject({
      applicationId: 'app-1',
      offeringId: 'off-gov',
      offeringName: 'Sovereign Gov Cloud',
      cspId: 'csp-one',
      accreditationStatus: 'accredited',
      monitoring: {
        status: 'monitoring',
        firstPeriod: '2025-02',
        consecutiveMisses: 2,
        submitted: 1,
        late: 1,
        missed: 1,
        periods: [
          { period: '2025-04', outcome: 'missed', dueAt: OPENED, submittedAt: null, missChain: 2 },
          { period: '2025-03', outcome: 'late', dueAt: '2025-04-16T00:00:00.000Z', submittedAt: '2025-05-20T09:00:00.000Z', missChain: 1 },
          { period: '2025-02', outcome: 'submitted', dueAt: null, submittedAt: '2025-03-10T09:00:00.000Z', missChain: 0 },
        ],
      },
      openFindings: { high: 0, moderate: 0, low: 0 },
      lastReview: { reviewId: 'rev-1', trigger: 'missed-reports', status: 'evidence-submitted', openedAt: OPENED, closedAt: null },
      escalations: [],
      significantChanges: [],
    });
  });

  it('does not show an application that was never accredited and has no compliance history', () => {
    const { log, apply, queries } = setup();
    application(log, 'app-2').submit('csp-one', PUBLIC_CLOUD, T0);
    apply();
    expect(queries.dashboard(director).map((r) => r.applicationId)).toEqual(['app-1']);
  });

  it('counts open findings by severity, lists the overdue ones and the escalation, and agrees with the accredited list on a suspension', () => {
    const { log, apply, queries, list, app } = setup();
    reviewToRemediation(log);
    assess(log);
    reviewEvent(log, 'rev-1', 'ReviewFindingOverdue', { findingId: 'F1', severity: 'high', deadline: HIGH_DEADLINE }, SYSTEM_ACTOR, ESCALATED);
    reviewEvent(log, 'rev-1', 'ReviewEscalated', { reason: 'high-finding-overdue', findingIds: ['F1'], escalatedAt: ESCALATED }, SYSTEM_ACTOR, ESCALATED);
    apply();
    let [row] = queries.dashboard(director);
    expect(row?.openFindings).toEqual({ high: 1, moderate: 1, low: 1 });
    expect(row?.overdue).toEqual({
      findings: [{ reviewId: 'rev-1', findingId: 'F1', title: 'Unpatched hypervisor', severity: 'high', deadline: HIGH_DEADLINE }],
      evidence: [],
    });
    expect(row?.pending.findings.map((f) => [f.findingId, f.severity, f.overdue])).toEqual([
      ['F1', 'high', true],
      ['F2', 'moderate', false],
      ['F3', 'low', false],
    ]);
    expect(row?.escalations).toEqual([
      { reviewId: 'rev-1', reason: 'high-finding-overdue', findingIds: ['F1'], escalatedAt: ESCALATED, outcome: null, decidedAt: null },
    ]);

    reviewEvent(log, 'rev-1', 'ReviewSuspensionDecided', { applicationId: 'app-1', reasons: 'High finding overdue', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, SUSPENDED);
    app.suspend('High finding overdue', SUSPENDED);
    apply();
    [row] = queries.dashboard(director);
    expect(row?.lastReview?.status).toBe('suspended');
    expect(row?.escalations[0]).toMatchObject({ outcome: 'suspended', decidedAt: SUSPENDED });
    const listed = list.list().find((r) => r.offeringId === 'off-gov');
    expect(row?.accreditationStatus).toBe('suspended');
    expect(listed?.status).toBe(row?.accreditationStatus);
  });

  it('marks overdue evidence until the director extends its deadline', () => {
    const { log, apply, queries } = setup();
    reviewEvent(log, 'rev-1', 'ReviewOpened', { ...SUBJECT, reviewId: 'rev-1', trigger: 'complaint', description: 'A complaint', openedBy: reviewer.userId, openedAt: OPENED }, reviewer, OPENED);
    reviewEvent(log, 'rev-1', 'ReviewEvidenceRequested', { request: 'Logs', dueBy: '2025-06-15T00:00:00.000Z', requestedBy: reviewer.userId }, reviewer, OPENED);
    reviewEvent(log, 'rev-1', 'ReviewEvidenceOverdue', { dueBy: '2025-06-15T00:00:00.000Z' }, SYSTEM_ACTOR, '2025-06-15T00:00:00.000Z');
    reviewEvent(log, 'rev-1', 'ReviewEscalated', { reason: 'evidence-overdue', findingIds: [], escalatedAt: '2025-06-15T00:00:00.000Z' }, SYSTEM_ACTOR, '2025-06-15T00:00:00.000Z');
    apply();
    expect(queries.dashboard(auditor)[0]?.overdue.evidence).toEqual([{ reviewId: 'rev-1', dueBy: '2025-06-15T00:00:00.000Z' }]);
    reviewEvent(
      log,
      'rev-1',
      'ReviewDeadlineExtended',
      { previousDeadline: '2025-06-15T00:00:00.000Z', newDeadline: '2025-07-15T00:00:00.000Z', escalationResolved: true, reasons: 'Holidays', decidedBy: director.userId, decidedByName: 'Dawood Director' },
      director,
      '2025-06-16T00:00:00.000Z',
    );
    apply();
    const [row] = queries.dashboard(auditor);
    expect(row?.overdue.evidence).toEqual([]);
    expect(row?.escalations[0]).toMatchObject({ reason: 'evidence-overdue', outcome: 'extended', decidedAt: '2025-06-16T00:00:00.000Z' });
    expect(row?.lastReview?.status).toBe('evidence-requested');
    expect(row?.pending.evidence).toEqual([{ reviewId: 'rev-1', dueBy: '2025-07-15T00:00:00.000Z', overdue: false }]);
  });

  it('lists significant changes and flags the ones notified too late', () => {
    const { log, apply, queries } = setup();
    const change = { ...SUBJECT, kind: 'data-centre-location', description: 'Move to Lahore', plannedFor: '2025-06-10T00:00:00.000Z' } as const;
    changeEvent(log, 'chg-1', 'SignificantChangeRequested', { ...change, changeId: 'chg-1', requestedBy: cspRep.userId, requestedAt: '2025-06-01T00:00:00.000Z' }, cspRep, '2025-06-01T00:00:00.000Z');
    changeEvent(log, 'chg-1', 'SignificantChangeNotifiedLate', { applicationId: 'app-1', noticeDays: 9, requiredDays: 30 }, SYSTEM_ACTOR, '2025-06-01T00:00:00.000Z');
    changeEvent(log, 'chg-2', 'SignificantChangeRequested', { ...change, changeId: 'chg-2', kind: 'new-service', plannedFor: '2025-09-01T00:00:00.000Z', requestedBy: cspRep.userId, requestedAt: '2025-05-01T00:00:00.000Z' }, cspRep, '2025-05-01T00:00:00.000Z');
    changeEvent(log, 'chg-2', 'SignificantChangeApproved', { applicationId: 'app-1', reasons: 'Fine', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, '2025-05-20T00:00:00.000Z');
    apply();
    expect(queries.dashboard(reviewer)[0]?.significantChanges).toEqual([
      { changeId: 'chg-1', kind: 'data-centre-location', plannedFor: '2025-06-10T00:00:00.000Z', requestedAt: '2025-06-01T00:00:00.000Z', status: 'requested', notifiedLate: true, noticeDays: 9, requiredDays: 30 },
      { changeId: 'chg-2', kind: 'new-service', plannedFor: '2025-09-01T00:00:00.000Z', requestedAt: '2025-05-01T00:00:00.000Z', status: 'approved', notifiedLate: false, noticeDays: null, requiredDays: null },
    ]);
  });

  it('shows a provider only its own offerings, and nothing to other roles', () => {
    const { log, apply, queries } = setup();
    monitoring(log);
    apply();
    expect(queries.dashboard(cspRep).map((r) => r.offeringId)).toEqual(['off-gov']);
    expect(queries.dashboard(cspRep, { cspId: 'csp-two' })).toEqual([]);
    expect(queries.dashboard(otherCsp)).toEqual([]);
    expect(queries.dashboard(pse())).toEqual([]);
    expect(queries.dashboard({ ...director, role: 'admin' })).toEqual([]);
    expect(queries.dashboard(reviewer, { offeringId: 'off-pub' })).toEqual([]);
    expect(queries.dashboard(reviewer, { offeringId: 'off-gov' })).toHaveLength(1);
  });
});

describe('the compliance review queue', () => {
  it('gives reviewers the evidence request, then the assessment, then each remediation to verify, due by its deadline', () => {
    const { log, apply, queries } = setup();
    reviewEvent(log, 'rev-1', 'ReviewOpened', { ...SUBJECT, reviewId: 'rev-1', trigger: 'incident', description: 'Outage', openedBy: reviewer.userId, openedAt: OPENED }, reviewer, OPENED);
    apply();
    expect(queries.queue(reviewer).map((t) => t.kind)).toEqual(['request-evidence']);
    reviewEvent(log, 'rev-1', 'ReviewEvidenceRequested', { request: 'Logs', dueBy: '2025-06-15T00:00:00.000Z', requestedBy: reviewer.userId }, reviewer, OPENED);
    apply();
    expect(queries.queue(reviewer)).toEqual([]);
    reviewEvent(log, 'rev-1', 'ReviewEvidenceSubmitted', { summary: 'Logs attached', documents: ['logs.zip'], submittedBy: cspRep.userId }, cspRep, '2025-06-01T09:00:00.000Z');
    apply();
    expect(queries.queue(reviewer)).toEqual([
      { taskId: 'rev-1:assess:2', reviewId: 'rev-1', applicationId: 'app-1', offeringId: 'off-gov', cspId: 'csp-one', kind: 'assess', role: 'reviewer', findingId: null, reviewStatus: 'evidence-submitted', createdAt: '2025-06-01T09:00:00.000Z', dueAt: null },
    ]);
    assess(log);
    reviewEvent(log, 'rev-1', 'ReviewRemediationSubmitted', { findingId: 'F2', description: 'Ciphers fixed', submittedBy: cspRep.userId }, cspRep, '2025-07-01T09:00:00.000Z');
    reviewEvent(log, 'rev-1', 'ReviewRemediationSubmitted', { findingId: 'F1', description: 'Patched', submittedBy: cspRep.userId }, cspRep, '2025-07-02T09:00:00.000Z');
    apply();
    expect(queries.queue(reviewer).map((t) => [t.kind, t.findingId, t.dueAt])).toEqual([
      ['verify-remediation', 'F1', HIGH_DEADLINE],
      ['verify-remediation', 'F2', MODERATE_DEADLINE],
    ]);
    expect(queries.queue(director)).toEqual([]);
  });

  it('gives an escalation to a director who took no part in the review, and closes the task on the decision', () => {
    const { log, apply, queries } = setup();
    reviewToRemediation(log);
    assess(log);
    reviewEvent(log, 'rev-1', 'ReviewFindingOverdue', { findingId: 'F1', severity: 'high', deadline: HIGH_DEADLINE }, SYSTEM_ACTOR, ESCALATED);
    reviewEvent(log, 'rev-1', 'ReviewEscalated', { reason: 'high-finding-overdue', findingIds: ['F1'], escalatedAt: ESCALATED }, SYSTEM_ACTOR, ESCALATED);
    apply();
    expect(queries.queue(director)).toEqual([expect.objectContaining({ kind: 'decide-escalation', role: 'director', reviewId: 'rev-1', createdAt: ESCALATED })]);
    expect(queries.queue({ ...director, userId: reviewer.userId })).toEqual([]);
    expect(queries.queue(reviewer)).toEqual([]);
    reviewEvent(log, 'rev-1', 'ReviewRevocationDecided', { applicationId: 'app-1', reasons: 'Unremediated', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, SUSPENDED);
    apply();
    expect(queries.queue(director)).toEqual([]);
    const [row] = queries.dashboard(director);
    expect(row?.lastReview).toMatchObject({ status: 'revoked', closedAt: SUSPENDED });
    expect(row?.openFindings).toEqual({ high: 0, moderate: 0, low: 0 });
  });
});
