import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mailBody as body, mailHeader as header, startSmtp, type TestSmtpServer } from '../support/smtp';
import { maildirChannel, smtpChannel } from '../../projections/mail/channels';
import { noticesProjection } from '../../projections/notices/notices';
import { director, pse, reviewer } from '../support/actors';
import { dispatcher, officerAccount } from './notice-fixtures';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

/** pse-moitt's officer with an address, and its NOC approved then reminded of its expiry. */
function world() {
  const db = memoryDb(noticesProjection);
  const log = new TestLog();
  officerAccount(log, 'officer.one', 'officer.one@moitt.gov.pk', REQUESTED_AT);
  const noc = log.nocCase({ nocId: 'NOC-7', requestedMonths: 3 }, pse(), REQUESTED_AT);
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: ['Quarterly report'] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  noc.at('2025-04-24T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 7 });
  project(db, [noticesProjection], log.events);
  return db;
}

describe('notices by email through a real SMTP server', () => {
  let smtp: TestSmtpServer;
  beforeEach(async () => {
    smtp = await startSmtp();
  });
  afterEach(async () => {
    await smtp.close();
  });

  it("bring the NOC decision and the expiry reminder to the entity officer's address", async () => {
    const db = world();
    const mailer = dispatcher(db, smtpChannel(smtp.url));
    expect(await mailer.dispatchOnce()).toEqual({ sent: 2, failed: 0 });
    await mailer.stop();
    expect(smtp.received.map((m) => m.to)).toEqual([['officer.one@moitt.gov.pk'], ['officer.one@moitt.gov.pk']]);
    const [decision, reminder] = smtp.received.map((m) => m.raw) as [string, string];
    expect(header(decision, 'Subject')).toBe('NOC NOC-7: decision');
    expect(body(decision)).toBe('NOC NOC-7 is approved, valid from 2025-02-01 until 2025-05-01. Conditions: Quarterly report.');
    expect(header(reminder, 'Subject')).toBe('NOC NOC-7: expiry reminder');
    expect(body(reminder)).toBe('NOC NOC-7 expires on 2025-05-01, in 7 days. Complete the migration or request an extension before then.');
    expect(header(decision, 'From')).toBe('Cloud Office <office@example.gov.pk>');
    expect(header(decision, 'Message-ID')).toMatch(/^<notice\.[0-9a-f]{40}@example\.gov\.pk>$/);
  });

  it('retry a mail the server refused, and deliver it once', async () => {
    const db = world();
    const mailer = dispatcher(db, smtpChannel(smtp.url));
    smtp.refuse.next = 1;
    expect(await mailer.dispatchOnce()).toEqual({ sent: 1, failed: 1 });
    expect(db.prepare("SELECT state, attempts, last_error FROM notice_mail WHERE state = 'retrying'").all()).toEqual([
      { state: 'retrying', attempts: 1, last_error: expect.stringContaining('Mailbox busy') },
    ]);
    expect(await mailer.dispatchOnce()).toEqual({ sent: 1, failed: 0 });
    expect(await mailer.dispatchOnce()).toEqual({ sent: 0, failed: 0 });
    await mailer.stop();
    const subjects = smtp.received.map((m) => header(m.raw, 'Subject')).sort();
    expect(subjects).toEqual(['NOC NOC-7: decision', 'NOC NOC-7: expiry reminder']);
  });

  it('are not sent again by a dispatcher restarted after sending them', async () => {
    const db = world();
    const first = dispatcher(db, smtpChannel(smtp.url));
    await first.dispatchOnce();
    await first.stop();
    const restarted = dispatcher(db, smtpChannel(smtp.url));
    expect(await restarted.dispatchOnce()).toEqual({ sent: 0, failed: 0 });
    expect(restarted.pendingCount()).toBe(0);
    await restarted.stop();
    expect(smtp.received).toHaveLength(2);
  });

  it('go again with the same Message-ID when a crash came between handing the mail over and recording it', async () => {
    const db = world();
    const first = dispatcher(db, smtpChannel(smtp.url));
    await first.dispatchOnce();
    await first.stop();
    // What a crash right after the server accepted the mail leaves: the row still says `sending`.
    db.prepare("UPDATE notice_mail SET state = 'sending' WHERE id = (SELECT id FROM notice_mail WHERE state = 'sent' ORDER BY id LIMIT 1)").run();
    const restarted = dispatcher(db, smtpChannel(smtp.url));
    expect(await restarted.dispatchOnce()).toEqual({ sent: 1, failed: 0 });
    await restarted.stop();
    const ids = smtp.received.map((m) => header(m.raw, 'Message-ID'));
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
  });
});

describe('notices without SMTP_URL', () => {
  it('are written as files into the maildir, once each, even when sent again after a crash', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'maildir-'));
    try {
      const db = world();
      const mailer = dispatcher(db, maildirChannel(folder));
      expect(await mailer.dispatchOnce()).toEqual({ sent: 2, failed: 0 });
      db.prepare("UPDATE notice_mail SET state = 'sending'").run();
      expect(await mailer.dispatchOnce()).toEqual({ sent: 2, failed: 0 });
      await mailer.stop();
      const files = readdirSync(join(folder, 'new'));
      expect(files).toHaveLength(2);
      expect(files.every((f) => /^\d+\.M[0-9a-f]{24}\.[^/:]+$/.test(f))).toBe(true);
      expect(readdirSync(join(folder, 'tmp'))).toEqual([]);
      const subjects = files.map((f) => header(readFileSync(join(folder, 'new', f), 'utf8'), 'Subject')).sort();
      expect(subjects).toEqual(['NOC NOC-7: decision', 'NOC NOC-7: expiry reminder']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
