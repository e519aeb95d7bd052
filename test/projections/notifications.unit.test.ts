import type { RecordedEvent } from '../../eventstore/port';
import { nocNotificationsProjection, transitionNotificationFor } from '../../projections/noc/notifications';
import { director, officer, pse, reviewer } from '../support/actors';
import { TRANSITION_POLICY_VERSION, type TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { OpenProcurement, TransitionEvent } from '../../domain/compliance/transition-events';
import { evolveTransition } from '../../domain/compliance/transition-evolve';
import type { TransitionState } from '../../domain/compliance/transition-state';
import { CaseScript } from '../support/case-script';
import { SYSTEM_ACTOR, TestLog, dump, memoryDb, project } from './support';
import { GOV_CLOUD, application } from './accredited-fixtures';
import { PseScript } from './pse-script';

const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

interface NotificationRow {
  id: string;
  noc_id: string;
  pse_id: string;
  jurisdiction: string;
  kind: string;
  message: string;
  event_type: string;
  created_at: string;
}

function setup() {
  const db = memoryDb(nocNotificationsProjection);
  const log = new TestLog();
  const apply = (events: RecordedEvent[]): void => project(db, [nocNotificationsProjection], events);
  const rows = () => db.prepare('SELECT * FROM noc_notifications ORDER BY created_at, id').all() as NotificationRow[];
  return { db, log, apply, rows };
}

/** A NOC approved from 2025-02-01 for three months, by a reviewer and a director. */
function approvedNoc(log: TestLog, nocId = 'NOC-1') {
  const noc = log.nocCase({ nocId, requestedMonths: 3 }, pse(), REQUESTED_AT);
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: ['Quarterly report', 'No new data'] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  return noc;
}

describe('the NOC notifications projection', () => {
  it('tells the requesting entity of a decision, its validity and its conditions, under the event’s id', () => {
    const { log, apply, rows } = setup();
    approvedNoc(log);
    apply(log.events);
    const approved = log.events.find((e) => e.type === 'NocApproved') as RecordedEvent;
    expect(rows()).toEqual([
      {
        id: approved.id,
        noc_id: 'NOC-1',
        pse_id: 'pse-moitt',
        jurisdiction: 'federal',
        kind: 'decision',
        message: 'NOC NOC-1 is approved, valid from 2025-02-01 until 2025-05-01. Conditions: Quarterly report; No new data.',
        event_type: 'NocApproved',
        revision: 3,
        created_at: approved.metadata.occurredAt,
        created_at_ms: Date.parse(approved.metadata.occurredAt),
      },
    ]);
  });

  it('tells the entity what information is wanted and by when, and of a rejection with its reasons', () => {
    const { log, apply, rows } = setup();
    const asked = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    asked.later(1).act('StartReview', reviewer, {});
    asked.later(1).act('RequestInformation', reviewer, { questions: 'Where are the backups?' });
    const pbPse = pse('pse-pb', 'punjab', 'u-pb-pse');
    const refused = log.nocCase({ nocId: 'NOC-PB' }, pbPse, REQUESTED_AT);
    refused.later(1).act('StartReview', officer('punjab', 'u-pb-1'), {});
    refused.later(1).act('Recommend', officer('punjab', 'u-pb-1'), { recommendation: 'reject', reasons: 'An accredited cloud fits', conditions: [] });
    refused.later(2).act('Decide', officer('punjab', 'u-pb-2'), { decision: 'reject', reasons: 'An accredited cloud fits' });
    apply(log.events);
    expect(rows().map((r) => [r.noc_id, r.pse_id, r.jurisdiction, r.kind, r.message])).toEqual([
      [
        'NOC-1',
        'pse-moitt',
        'federal',
        'information-requested',
        'The Cloud Office needs more information on NOC NOC-1: Where are the backups? Please answer by 2025-02-07; without an answer the request lapses.',
      ],
      ['NOC-PB', 'pse-pb', 'punjab', 'decision', 'NOC NOC-PB is rejected: An accredited cloud fits'],
    ]);
  });

  it('reminds the entity before expiry, then tells it of the expiry', () => {
    const { log, apply, rows } = setup();
    const noc = approvedNoc(log);
    noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
    noc.at('2025-04-24T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 7 });
    noc.at('2025-05-01T00:00:00.000Z').act('Expire', SYSTEM_ACTOR, {});
    apply(log.events);
    expect(rows().slice(1).map((r) => [r.kind, r.created_at, r.message])).toEqual([
      [
        'expiry-reminder',
        '2025-04-01T00:00:00.000Z',
        'NOC NOC-1 expires on 2025-05-01, in 30 days. Complete the migration or request an extension before then.',
      ],
      [
        'expiry-reminder',
        '2025-04-24T00:00:00.000Z',
        'NOC NOC-1 expires on 2025-05-01, in 7 days. Complete the migration or request an extension before then.',
      ],
      ['expired', '2025-05-01T00:00:00.000Z', 'NOC NOC-1 expired on 2025-05-01; it no longer allows its deviation.'],
    ]);
  });

  it('tells the entity of a revocation with its reasons', () => {
    const { log, apply, rows } = setup();
    const noc = approvedNoc(log);
    noc.at('2025-03-01T00:00:00.000Z').act('Revoke', director, { reasons: 'Conditions not met' });
    apply(log.events);
    expect(rows().map((r) => [r.kind, r.message])).toEqual([
      ['decision', expect.stringContaining('approved')],
      ['revoked', 'NOC NOC-1 is revoked: Conditions not met'],
    ]);
  });

  it('tells the entity how its extension request was decided', () => {
    const { log, apply, rows } = setup();
    const granted = approvedNoc(log, 'NOC-1');
    granted.at('2025-03-01T00:00:00.000Z').act('RequestExtension', pse(), { months: 2, justification: 'Slipped' });
    granted.later(1).act('DecideExtension', director, { decision: 'approve', reasons: 'Fine' });
    const refused = approvedNoc(log, 'NOC-2');
    refused.at('2025-03-01T00:00:00.000Z').act('RequestExtension', pse(), { months: 2, justification: 'Slipped' });
    refused.later(1).act('DecideExtension', director, { decision: 'reject', reasons: 'Migrate on time.' });
    apply(log.events);
    expect(rows().filter((r) => r.event_type.startsWith('NocExtension')).map((r) => [r.noc_id, r.kind, r.message]).sort()).toEqual([
      ['NOC-1', 'decision', 'The extension of NOC NOC-1 is approved: it is now valid until 2025-07-01 instead of 2025-05-01.'],
      ['NOC-2', 'decision', 'The extension of NOC NOC-2 is refused: Migrate on time. The NOC stays valid until its current expiry.'],
    ]);
  });

  it('says nothing about steps the entity took itself or internal ones (request, review, recommendation, withdrawal)', () => {
    const { log, apply, rows } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Withdraw', pse(), { reason: 'Done' });
    apply(log.events);
    expect(rows()).toEqual([]);
  });

  it('yields the very same rows when projected again from scratch', () => {
    const { db, log, apply } = setup();
    const noc = approvedNoc(log);
    noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
    apply(log.events);
    const before = dump(db, 'noc_notifications');
    nocNotificationsProjection.reset(db);
    nocNotificationsProjection.setup(db);
    expect(dump(db, 'noc_notifications')).toEqual([]);
    apply(log.events);
    expect(dump(db, 'noc_notifications')).toEqual(before);
  });

  it('tells each entity on a revoked offering once to migrate, and once more when its deadline passed with workloads still there', () => {
    const { log, apply, rows } = setup();
    const open: OpenProcurement[] = [
      { pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' },
      { pseId: 'pse-moitt', procurementId: 'p-2', jurisdiction: 'federal' },
      { pseId: 'pse-pb-lands', procurementId: 'p-7', jurisdiction: 'punjab' },
    ];
    const stream = 'transition-APP-1';
    const subject = { applicationId: 'APP-1', offeringId: 'off-gov', cspId: 'csp-nimbus', endedAt: '2025-03-01T00:00:00.000Z', migrateBy: '2025-08-28T00:00:00.000Z', cause: 'revoked' as const };
    const transition = new CaseScript<TransitionState, TransitionCommand, TransitionEvent>({
      stream,
      correlationId: 'transition:APP-1',
      policyVersion: TRANSITION_POLICY_VERSION,
      initial: { status: 'none' },
      decide: (command, state, now) => decideTransition(command, state, { now }),
      evolve: evolveTransition,
    });
    log.append(transition.take({ type: 'StartRevocationTransition', actor: SYSTEM_ACTOR, data: { ...subject, open } }, subject.endedAt));
    log.append(transition.take({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen: open.slice(0, 2) } }, subject.migrateBy));
    apply(log.events);
    expect(rows().map((r) => [r.noc_id, r.pse_id, r.jurisdiction, r.kind, r.event_type])).toEqual([
      [stream, 'pse-moitt', 'federal', 'migration-notice', 'PseTransitionNoticeIssued'],
      [stream, 'pse-pb-lands', 'punjab', 'migration-notice', 'PseTransitionNoticeIssued'],
      [stream, 'pse-moitt', 'federal', 'non-compliant', 'ProcurementFlaggedNonCompliant'],
    ]);
    expect(rows()[0]?.message).toBe(
      'The accreditation of offering off-gov is revoked: nothing new may be procured on it. Migrate every workload you recorded on it (such as procurement p-1) by 2025-08-28, or request a NOC; after that date a workload still on it is non-compliant.',
    );
    expect(rows()[2]?.message).toContain('ended on 2025-08-28');
  });

  it('tells each entity using an offering once of its suspension, that nothing new may go on it and that its workloads continue, and again of the reinstatement', () => {
    const { log, apply, rows } = setup();
    const offeringId = GOV_CLOUD.offeringId;
    const acc = application(log, 'APP-1').submit('csp-one', GOV_CLOUD, '2025-01-02T00:00:00.000Z');
    acc.grant({ baseline: 'intermediate', highestDataClass: 'restricted', validFrom: '2025-01-10T00:00:00.000Z', validUntil: '2028-01-10T00:00:00.000Z' }, '2025-01-10T00:00:00.000Z');
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z', offeringId)
      .record('p-2', 'allowed', '2025-02-02T00:00:00.000Z', offeringId)
      .record('p-3', 'allowed', '2025-02-03T00:00:00.000Z', 'off-other');
    const lands = new PseScript(log, 'pse-pb-lands', 'Board of Revenue', 'punjab').record('p-7', 'allowed', '2025-02-05T00:00:00.000Z', offeringId);
    // An entity whose workload left before the suspension is not told.
    new PseScript(log, 'pse-fbr', 'Finance', 'federal').record('p-9', 'allowed', '2025-02-06T00:00:00.000Z', offeringId).end('p-9', '2025-02-07T00:00:00.000Z');
    acc.suspend('Overdue high finding', '2025-03-01T00:00:00.000Z');
    lands.end('p-7', '2025-03-15T00:00:00.000Z');
    acc.reinstate('Finding remediated and verified', '2025-04-01T00:00:00.000Z');
    apply(log.events);

    const suspended = log.events.find((e) => e.type === 'AccreditationSuspended') as RecordedEvent;
    expect(rows().map((r) => [r.id, r.noc_id, r.pse_id, r.jurisdiction, r.kind, r.event_type])).toEqual([
      [`${suspended.id}:pse-moitt`, 'accreditation-APP-1', 'pse-moitt', 'federal', 'offering-suspended', 'AccreditationSuspended'],
      [`${suspended.id}:pse-pb-lands`, 'accreditation-APP-1', 'pse-pb-lands', 'punjab', 'offering-suspended', 'AccreditationSuspended'],
      [expect.any(String), 'accreditation-APP-1', 'pse-moitt', 'federal', 'offering-reinstated', 'AccreditationReinstated'],
    ]);
    expect(rows()[0]?.message).toBe(
      `The accreditation of ${GOV_CLOUD.name} (${offeringId}) is suspended: Overdue high finding Nothing new may be procured on it until it is reinstated; your workloads on it (p-1, p-2) continue meanwhile.`,
    );
    expect(rows()[2]?.message).toContain('New procurements on it are allowed again');
  });

  it('tells the entities why they must move when the accreditation expired or was withdrawn', () => {
    const data = { pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' as const, offeringId: 'off-gov', migrateBy: '2025-08-28T00:00:00.000Z' };
    expect(transitionNotificationFor('PseTransitionNoticeIssued', { ...data, cause: 'expired' }).message).toMatch(/^The accreditation of offering off-gov has expired: nothing new may be procured on it\. Migrate/);
    expect(transitionNotificationFor('PseTransitionNoticeIssued', { ...data, cause: 'withdrawn' }).message).toMatch(/^The accreditation of offering off-gov was withdrawn by its provider: nothing new/);
  });
});
