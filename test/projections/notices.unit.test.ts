import type { RecordedEvent } from '../../eventstore/port';
import type { MailChannel, NoticeMail } from '../../projections/mail/channels';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import { noticesProjection } from '../../projections/notices/notices';
import { director, pse, reviewer } from '../support/actors';
import { ADMIN, dispatcher, notices, officerAccount } from './notice-fixtures';
import { SYSTEM_ACTOR, TestLog, dump, memoryDb, project } from './support';
import { GOV_CLOUD, application, registerCsp } from './accredited-fixtures';
import { monitoringEvent } from './compliance-fixtures';
import { PseScript } from './pse-script';

const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

function setup() {
  const db = memoryDb(noticesProjection);
  const log = new TestLog();
  const apply = (events: RecordedEvent[] = log.events): void => project(db, [noticesProjection], events);
  return { db, log, apply };
}

/** A NOC of pse-moitt approved from 2025-02-01 for three months, then reminded of its expiry. */
function remindedNoc(log: TestLog) {
  const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), REQUESTED_AT);
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
  return noc;
}

function recordingChannel(): MailChannel & { sent: NoticeMail[] } {
  const sent: NoticeMail[] = [];
  return { name: 'memory', sent, send: async (mail) => void sent.push(mail) };
}

describe('the notices projection', () => {
  it('gives the entity its NOC decision and reminder, and the staff the tasks the NOC enters, under ids from the events', () => {
    const { db, log, apply } = setup();
    remindedNoc(log);
    apply();
    const id = (type: string): string => (log.events.find((e) => e.type === type) as RecordedEvent).id;
    expect(notices(db).map((n) => [n.id, n.kind, n.audience_kind, n.subject])).toEqual([
      [`${id('NocRequested')}:task:review`, 'task-waiting', 'staff', 'Task waiting: NOC NOC-1'],
      [`${id('NocRecommended')}:task:decide`, 'task-waiting', 'staff', 'Task waiting: NOC NOC-1'],
      [id('NocApproved'), 'decision', 'pse', 'NOC NOC-1: decision'],
      [id('NocExpiryReminderDue'), 'expiry-reminder', 'pse', 'NOC NOC-1: expiry reminder'],
    ]);
    const reminder = notices(db).at(-1);
    expect(reminder?.body).toBe('NOC NOC-1 expires on 2025-05-01, in 30 days. Complete the migration or request an extension before then.');
  });

  it('recreates the same rows when rebuilt from the log', () => {
    const { db, log, apply } = setup();
    officerAccount(log, 'officer.one', 'one@moitt.gov.pk', REQUESTED_AT);
    remindedNoc(log);
    apply();
    const before = ['notices', 'notice_people', 'notice_cases'].map((t) => dump(db, t));
    noticesProjection.reset(db);
    noticesProjection.setup(db);
    apply();
    expect(['notices', 'notice_people', 'notice_cases'].map((t) => dump(db, t))).toEqual(before);
  });

  it('mails each notice to the people it is addressed to as they are when it is sent, once, even after a rebuild', async () => {
    const { db, log, apply } = setup();
    const officer = officerAccount(log, 'officer.one', 'one@moitt.gov.pk', REQUESTED_AT);
    officerAccount(log, 'officer.two', undefined, REQUESTED_AT);
    officerAccount(log, 'other.entity', 'x@other.gov.pk', REQUESTED_AT, 'pse-other');
    const rev = officerAccount(log, 'rev.one', 'rev@office.gov.pk', REQUESTED_AT);
    rev.run({ type: 'ChangeAssignment', actor: ADMIN, data: { assignment: { role: 'reviewer', jurisdiction: 'federal', organisationId: null }, grantId: 'g2' } }, REQUESTED_AT);
    remindedNoc(log);
    // The officer's address changes before anything is sent: the mail goes to the new one.
    officer.run({ type: 'ChangeEmail', actor: ADMIN, data: { email: 'first.officer@moitt.gov.pk' } }, '2025-04-02T00:00:00.000Z');
    apply();
    const channel = recordingChannel();
    await dispatcher(db, channel).dispatchOnce();
    expect(channel.sent.map((m) => [m.subject, m.to.map((r) => r.email)])).toEqual([
      ['Task waiting: NOC NOC-1', ['rev@office.gov.pk']],
      ['NOC NOC-1: decision', ['first.officer@moitt.gov.pk']],
      ['NOC NOC-1: expiry reminder', ['first.officer@moitt.gov.pk']],
    ]);
    noticesProjection.reset(db);
    noticesProjection.setup(db);
    apply();
    await dispatcher(db, channel).dispatchOnce();
    expect(channel.sent).toHaveLength(3);
  });

  it('are mailed, when the office starts mailing with history, only for events from the first start on', async () => {
    const { db, log, apply } = setup();
    officerAccount(log, 'officer.one', 'one@moitt.gov.pk', REQUESTED_AT);
    const noc = remindedNoc(log);
    apply();
    const channel = recordingChannel();
    const first = new MailDispatcher({ db, channel, from: 'office@example.gov.pk', fromFirstStart: true });
    expect(await first.dispatchOnce()).toEqual({ sent: 0, failed: 0 });
    // Later: the next reminder happens after the first start; a restarted dispatcher keeps the same start.
    const later = new Date(Date.now() + 60_000).toISOString();
    apply(noc.at(later).act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 7 }));
    const restarted = new MailDispatcher({ db, channel, from: 'office@example.gov.pk', fromFirstStart: true });
    expect(await restarted.dispatchOnce()).toEqual({ sent: 1, failed: 0 });
    expect(channel.sent.map((m) => m.text)).toEqual(['NOC NOC-1 expires on 2025-05-01, in 7 days. Complete the migration or request an extension before then.']);
  });

  it('tells the provider of its accreditation decisions and suspension, and each entity using the offering of the suspension', () => {
    const { db, log, apply } = setup();
    const acc = application(log, 'APP-1').submit('csp-one', GOV_CLOUD, '2025-01-02T00:00:00.000Z');
    acc.grant({ baseline: 'intermediate', highestDataClass: 'restricted', validFrom: '2025-01-10T00:00:00.000Z', validUntil: '2028-01-10T00:00:00.000Z' }, '2025-01-10T00:00:00.000Z');
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal').record('p-1', 'allowed', '2025-02-01T00:00:00.000Z', GOV_CLOUD.offeringId);
    new PseScript(log, 'pse-fbr', 'Finance', 'federal').record('p-9', 'allowed', '2025-02-06T00:00:00.000Z', GOV_CLOUD.offeringId).end('p-9', '2025-02-07T00:00:00.000Z');
    acc.suspend('Overdue high finding', '2025-03-01T00:00:00.000Z');
    apply();
    expect(notices(db).map((n) => [n.kind, n.audience_kind, n.organisation_id, n.subject])).toEqual([
      ['task-waiting', 'staff', null, 'Task waiting: accreditation APP-1'],
      ['decision', 'csp', 'csp-one', `Accreditation APP-1 (${GOV_CLOUD.offeringId}): accredited`],
      ['suspended', 'csp', 'csp-one', `Accreditation APP-1 (${GOV_CLOUD.offeringId}): suspended`],
      ['suspended', 'pse', 'pse-moitt', `Offering ${GOV_CLOUD.offeringId} suspended`],
    ]);
    expect(notices(db).at(-1)?.body).toContain('your workloads on it (p-1) continue meanwhile');
  });

  it('tells the provider a monthly report is due before its deadline, and mails it to the contact its register entry names', async () => {
    const { db, log, apply } = setup();
    registerCsp(log, 'csp-one', 'Nimbus', '2025-01-02T00:00:00.000Z');
    officerAccount(log, 'csp.officer', 'ops@nimbus.pk', '2025-01-02T00:00:00.000Z', 'csp-one').run(
      { type: 'ChangeAssignment', actor: ADMIN, data: { assignment: { role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one' }, grantId: 'g-csp' } },
      '2025-01-02T00:00:00.000Z',
    );
    const subject = { applicationId: 'APP-1', offeringId: GOV_CLOUD.offeringId, cspId: 'csp-one' };
    monitoringEvent(log, 'APP-1', 'MonitoringStarted', { ...subject, firstPeriod: '2025-02', startedAt: '2025-01-10T00:00:00.000Z' }, '2025-01-10T00:00:00.000Z');
    monitoringEvent(log, 'APP-1', 'MonthlyReportDue', { period: '2025-02', dueAt: '2025-03-16T00:00:00.000Z' }, '2025-03-09T00:00:00.000Z');
    monitoringEvent(log, 'APP-1', 'MonthlyReportMissed', { period: '2025-02', dueAt: '2025-03-16T00:00:00.000Z', consecutiveMisses: 1 }, '2025-03-16T00:00:00.000Z');
    apply();
    expect(notices(db).map((n) => [n.kind, n.audience_kind, n.organisation_id, n.subject])).toEqual([
      ['report-due', 'csp', 'csp-one', `Monthly report due: ${GOV_CLOUD.offeringId}, 2025-02`],
      ['report-missed', 'csp', 'csp-one', `Monthly report missed: ${GOV_CLOUD.offeringId}, 2025-02`],
    ]);
    expect(notices(db)[0]?.body).toBe(
      `The continuous-monitoring report of offering ${GOV_CLOUD.offeringId} for 2025-02 is due by the end of 2025-03-15. Submit it from the provider home before then: a report not submitted by then is recorded as missed, and missed reports in a row open a compliance review.`,
    );
    const channel = recordingChannel();
    await dispatcher(db, channel).dispatchOnce();
    expect(channel.sent.map((m) => [m.subject, m.to.map((r) => r.email)])).toEqual([
      [`Monthly report due: ${GOV_CLOUD.offeringId}, 2025-02`, ['contact@example.pk', 'ops@nimbus.pk']],
      [`Monthly report missed: ${GOV_CLOUD.offeringId}, 2025-02`, ['contact@example.pk', 'ops@nimbus.pk']],
    ]);
  });
});
