import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maildirChannel } from '../../projections/mail/channels';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import { DUE_NOTICES, PENDING_COUNT } from '../../projections/mail/outbox';
import { noticesProjection } from '../../projections/notices/notices';
import type { ReadModelDb } from '../../projections/db';
import { director, pse, reviewer } from '../support/actors';
import { dispatcher, officerAccount } from './notice-fixtures';
import { TestLog, memoryDb, project } from './support';

const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

/** NOCs decided for pse-moitt, whose officer has an address: each decision is a notice to mail. */
function world(nocs: number) {
  const db = memoryDb(noticesProjection);
  const log = new TestLog();
  officerAccount(log, 'officer.one', 'officer.one@moitt.gov.pk', REQUESTED_AT);
  for (let i = 0; i < nocs; i++) {
    const noc = log.nocCase({ nocId: `NOC-${i}`, requestedMonths: 3 }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  }
  project(db, [noticesProjection], log.events);
  return { db, log };
}

function plan(db: ReadModelDb, sql: string, ...params: unknown[]): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
}

describe('the notice mail outbox', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mail-outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('finds due notices through the pending table and the index of unsent mail, scanning neither the notices nor the mail sent', () => {
    const { db } = world(1);
    dispatcher(db, maildirChannel(dir));
    const due = plan(db, DUE_NOTICES, Date.now(), 50);
    expect(due.some((d) => /SCAN p\b/.test(d))).toBe(true);
    expect(due.some((d) => /notice_mail_unsent/.test(d))).toBe(true);
    // Scanning the partial index reads only mail still to go; a scan of anything else grows with history.
    const grows = (d: string) => /^SCAN (n|m|u|notices|notice_mail)\b/.test(d) && !d.includes('notice_mail_unsent');
    expect(due.filter(grows)).toEqual([]);
    const count = plan(db, PENDING_COUNT);
    expect(count.some((d) => /notice_mail_unsent/.test(d))).toBe(true);
    expect(count.some((d) => /SCAN p\b/.test(d))).toBe(true);
    expect(count.filter(grows)).toEqual([]);
  });

  it('empties the pending table as it mails, and a rebuild of the notices does not make a mailed notice pending again', async () => {
    const { db, log } = world(3);
    const mailer = dispatcher(db, maildirChannel(dir));
    const notices = (db.prepare('SELECT COUNT(*) AS n FROM notices').get() as { n: number }).n;
    expect(notices).toBeGreaterThanOrEqual(3);
    expect(mailer.pendingCount()).toBe(notices);
    const first = await mailer.dispatchOnce();
    expect(first).toEqual({ sent: 3, failed: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM notice_mail_pending').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM notice_mail').get()).toEqual({ n: notices });
    noticesProjection.reset?.(db);
    noticesProjection.setup(db);
    project(db, [noticesProjection], log.events);
    expect(db.prepare('SELECT COUNT(*) AS n FROM notices').get()).toEqual({ n: notices });
    expect(mailer.pendingCount()).toBe(0);
    expect(await mailer.dispatchOnce()).toEqual({ sent: 0, failed: 0 });
    await mailer.stop();
  });

  it('takes up, when it starts, the notices of a read model written before the pending table', async () => {
    const { db } = world(2);
    db.exec('DROP TRIGGER notice_mail_pending_on_insert; DROP TABLE notice_mail_pending;');
    const notices = (db.prepare('SELECT COUNT(*) AS n FROM notices').get() as { n: number }).n;
    const mailer = dispatcher(db, maildirChannel(dir));
    expect(mailer.pendingCount()).toBe(notices);
    expect(await mailer.dispatchOnce()).toEqual({ sent: 2, failed: 0 });
    expect(mailer.pendingCount()).toBe(0);
    await mailer.stop();
  });
});

describe('the notice mail dispatcher at work', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mail-loop-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const waitUntil = async (done: () => boolean): Promise<void> => {
    while (!done()) await new Promise((r) => setTimeout(r, 10));
  };

  it('goes straight on after a full batch, even one recorded without a mail, and mails a notice it is woken for, without waiting for its poll', async () => {
    const { db, log } = world(3);
    // Mailing began after these NOCs were decided: their notices are recorded as before-mail, none mailed.
    db.exec(`CREATE TABLE IF NOT EXISTS notice_mail_since (id INTEGER PRIMARY KEY CHECK (id = 1), since_ms INTEGER NOT NULL)`);
    db.prepare('INSERT INTO notice_mail_since (id, since_ms) VALUES (1, ?)').run(Date.parse('2025-06-01T00:00:00.000Z'));
    const sent: string[] = [];
    const channel = { name: 'memory', send: async (mail: { noticeId: string }) => void sent.push(mail.noticeId) };
    // A poll an hour long: had it waited for the poll between batches or for new notices, this test would time out.
    const mailer = new MailDispatcher({ db, channel, from: 'office@example.gov.pk', fromFirstStart: true, batchSize: 1, pollMs: 3_600_000 });
    const notices = (db.prepare('SELECT COUNT(*) AS n FROM notices').get() as { n: number }).n;
    expect(notices).toBeGreaterThan(1);
    mailer.start();
    await waitUntil(() => mailer.pendingCount() === 0);
    expect(db.prepare("SELECT COUNT(*) AS n FROM notice_mail WHERE state = 'before-mail'").get()).toEqual({ n: notices });
    expect(sent).toEqual([]);

    const before = log.events.length;
    const noc = log.nocCase({ nocId: 'NOC-later', requestedMonths: 3 }, pse(), '2025-07-01T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-08-01T00:00:00.000Z' });
    project(db, [noticesProjection], log.events.slice(before));
    mailer.wake();
    await waitUntil(() => mailer.pendingCount() === 0);
    expect(sent.length).toBeGreaterThan(0);
    await mailer.stop();
  });
});
