import fc from 'fast-check';
import { generateNocHistories } from '../../bench/fixtures';
import type { Actor } from '../../domain/shared/actor';
import type { EventToAppend, ExpectedRevision } from '../../eventstore/port';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp } from '../projections/accredited-fixtures';
import { changeEvent, cspRep, monitoringEvent, reviewEvent } from '../projections/compliance-fixtures';
import { planArb, write, type Plan } from '../projections/model-histories';
import { AccountScript } from '../projections/notice-fixtures';
import { SYSTEM_ACTOR, TestLog } from '../projections/support';
import { director, reviewer } from './actors';

/**
 * An office's event log with data for every read model, as appends in the order the office would make
 * them: NOC histories through the real NOC decider (bench/fixtures.ts), accreditations, entities'
 * procurements, NOCs on offerings and migration periods from the model-based tests' histories, a
 * compliance review with evidence files, monthly monitoring and significant changes, and the accounts
 * the notices are addressed to. The NOC histories start at `nocEpoch`: dated after the projector's first
 * start, their notices are mailed rather than kept as from before mail.
 */
export interface Append {
  stream: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
}

export interface OfficeMixOptions {
  /** About how many NOC events (the bulk of the log). */
  nocEvents: number;
  seed: number;
  nocEpoch: string;
}

const SUBJECT = { applicationId: 'app-kills', offeringId: GOV_CLOUD.offeringId, cspId: 'csp-kills' };
const file = (digit: string, filename: string) => ({ sha256: digit.repeat(64), filename, size: 1024, contentType: 'application/pdf' });

/** The richest of a few seeded plans of the model-based tests: the same seed, the same plan. */
function richPlan(seed: number): Plan {
  const plans = fc.sample(planArb, { seed, numRuns: 40 });
  const size = (p: Plan): number => p.accreditations.flat().length + p.nocs.length + p.procurements.length;
  return plans.reduce((best, p) => (size(p) > size(best) ? p : best));
}

/**
 * A second provider: one offering accredited and under compliance review, monitoring and a
 * significant change; another whose application waits for screening.
 */
function compliance(log: TestLog): void {
  const at = (day: number): string => new Date(Date.UTC(2026, 0, 5 + day, 9)).toISOString();
  registerCsp(log, SUBJECT.cspId, 'Kills Cloud Pvt Ltd', at(-20));
  addOffering(log, SUBJECT.cspId, GOV_CLOUD, at(-20));
  addOffering(log, SUBJECT.cspId, PUBLIC_CLOUD, at(-20));
  application(log, SUBJECT.applicationId)
    .submit(SUBJECT.cspId, GOV_CLOUD, at(-15))
    .grant({ baseline: 'intermediate', highestDataClass: 'restricted', validFrom: at(0), validUntil: '2099-01-05T09:00:00.000Z' }, at(0));
  application(log, 'app-kills-waiting').submit(SUBJECT.cspId, PUBLIC_CLOUD, at(1));
  monitoringEvent(log, SUBJECT.applicationId, 'MonitoringStarted', { ...SUBJECT, firstPeriod: '2026-01', startedAt: at(0) }, at(0));
  monitoringEvent(
    log,
    SUBJECT.applicationId,
    'MonthlyReportSubmitted',
    { period: '2026-01', summary: 'Monthly scan', vulnerabilities: { high: 0, moderate: 1, low: 2 }, submittedBy: cspRep.userId, submittedAt: at(30), late: false },
    at(30),
    cspRep,
  );
  monitoringEvent(log, SUBJECT.applicationId, 'MonthlyReportMissed', { period: '2026-02', dueAt: at(70), consecutiveMisses: 1 }, at(70));
  const opened = at(71);
  reviewEvent(log, 'rev-kills', 'ReviewOpened', { ...SUBJECT, reviewId: 'rev-kills', trigger: 'incident', description: 'Outage', openedBy: reviewer.userId, openedAt: opened }, reviewer, opened);
  reviewEvent(log, 'rev-kills', 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: at(101), requestedBy: reviewer.userId }, reviewer, at(72));
  reviewEvent(log, 'rev-kills', 'ReviewEvidenceSubmitted', { summary: 'The report', documents: [], files: [file('a', 'incident.pdf'), file('b', 'logs.pdf')], submittedBy: cspRep.userId }, cspRep, at(80));
  reviewEvent(
    log,
    'rev-kills',
    'ReviewAssessed',
    {
      summary: 'Two findings',
      findings: [
        { id: 'F1', title: 'Unpatched hypervisor', severity: 'high', deadline: at(110) },
        { id: 'F2', title: 'Weak TLS ciphers', severity: 'moderate', deadline: at(170) },
      ],
      assessedBy: reviewer.userId,
      assessedByName: 'Rania Reviewer',
      assessedAt: at(85),
    },
    reviewer,
    at(85),
  );
  reviewEvent(log, 'rev-kills', 'ReviewFindingOverdue', { findingId: 'F1', severity: 'high', deadline: at(110) }, SYSTEM_ACTOR, at(110));
  reviewEvent(log, 'rev-kills', 'ReviewEscalated', { reason: 'high-finding-overdue', findingIds: ['F1'], escalatedAt: at(110) }, SYSTEM_ACTOR, at(110));
  const change = { ...SUBJECT, kind: 'data-centre-location', description: 'Move to Lahore', plannedFor: at(100) } as const;
  changeEvent(log, 'chg-kills', 'SignificantChangeRequested', { ...change, changeId: 'chg-kills', requestedBy: cspRep.userId, requestedAt: at(90) }, cspRep, at(90));
  changeEvent(log, 'chg-kills', 'SignificantChangeNotifiedLate', { applicationId: SUBJECT.applicationId, noticeDays: 10, requiredDays: 30 }, SYSTEM_ACTOR, at(90));
  changeEvent(log, 'chg-kills', 'SignificantChangeApproved', { applicationId: SUBJECT.applicationId, reasons: 'Fine', decidedBy: director.userId, decidedByName: 'Dawood Director' }, director, at(95));
}

/** People with addresses: staff who hold the queues, and an officer of each entity of the NOC histories. */
function accounts(log: TestLog, at: string): void {
  const staff: [string, Actor['role']][] = [
    ['rania', 'reviewer'],
    ['dawood', 'director'],
  ];
  for (const [username, role] of staff) new AccountScript(log, username, `id-${username}`).create({ role, jurisdiction: 'federal', organisationId: null }, `${username}@office.example.gov.pk`, at);
  for (const j of ['federal', 'punjab', 'sindh'] as const) {
    for (let i = 0; i < 3; i++) {
      const username = `officer-${j}-${i}`;
      new AccountScript(log, username, `id-${username}`).create({ role: 'pse', jurisdiction: j, organisationId: `pse-${j}-${i}` }, `${username}@pse.example.gov.pk`, at);
    }
  }
}

/** Singles of the test log, at the revisions it gave them. */
function appendsOf(log: TestLog): Append[] {
  return log.events.map((e) => ({
    stream: e.stream,
    events: [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }],
    expected: e.revision === 0 ? 'no-stream' : e.revision - 1,
  }));
}

/**
 * The whole log as appends. The two sources touch different streams, organisations and offerings, so
 * interleaving them keeps each one's order and gives every stretch of the log both kinds.
 */
export function officeEventMix(options: OfficeMixOptions): Append[] {
  const log = new TestLog();
  accounts(log, '2025-01-02T09:00:00.000Z');
  write(richPlan(options.seed), log);
  compliance(log);
  const cases = appendsOf(log);
  const nocs: Append[] = [...generateNocHistories(options.nocEvents, { seed: options.seed, epoch: options.nocEpoch })].map((h) => ({
    stream: h.stream,
    events: h.events,
    expected: 'no-stream',
  }));
  const mixed: Append[] = [];
  const every = Math.max(1, Math.floor(nocs.length / Math.max(1, cases.length)));
  let c = 0;
  nocs.forEach((n, i) => {
    mixed.push(n);
    if (i % every === 0 && c < cases.length) mixed.push(cases[c++] as Append);
  });
  return [...mixed, ...cases.slice(c)];
}
