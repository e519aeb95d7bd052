import type { Actor } from '../../domain/shared/actor';
import type { MailChannel, NoticeMail } from '../../projections/mail/channels';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import { createInboxQueries } from '../../projections/notices/inbox';
import { noticesProjection } from '../../projections/notices/notices';
import { reaches, type Audience, type TaskHolder } from '../../projections/notices/recipients';
import { director, pse, reviewer } from '../support/actors';
import { ADMIN, officerAccount, type AccountScript } from './notice-fixtures';
import { TestLog, memoryDb, project } from './support';

const AT = '2025-01-06T09:00:00.000Z';
const SECOND_ADMIN: Actor = { ...ADMIN, userId: 'u-admin-2', name: 'Second admin' };

/** A staff account of the given role, with an address; its account id is `id-<username>`. */
function staffAccount(log: TestLog, username: string, role: 'reviewer' | 'director', email: string): AccountScript {
  const account = officerAccount(log, username, email, AT);
  account.run({ type: 'ChangeAssignment', actor: ADMIN, data: { assignment: { role, jurisdiction: 'federal', organisationId: null }, grantId: `g-${username}` } }, AT);
  // A director's role is privileged: a second administrator approves it.
  if (role === 'director') account.run({ type: 'ApproveGrant', actor: SECOND_ADMIN, data: { grantId: `g-${username}` } }, AT);
  return account;
}

const staff = (username: string, role: Actor['role']): Actor => ({ userId: `id-${username}`, name: username, role, jurisdiction: 'federal' });
const RANIA = staff('rania', 'reviewer');
const RASHID = staff('rashid', 'reviewer');
const DAWOOD = staff('dawood', 'director');

/**
 * Two NOCs requested (each a review task for every federal reviewer) and one recommended (a decision
 * task for the directors), with two reviewers and a director on the accounts.
 */
function world() {
  const db = memoryDb(noticesProjection);
  const log = new TestLog();
  staffAccount(log, 'rania', 'reviewer', 'rania@office.gov.pk');
  staffAccount(log, 'rashid', 'reviewer', 'rashid@office.gov.pk');
  staffAccount(log, 'dawood', 'director', 'dawood@office.gov.pk');
  log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), '2025-01-07T09:00:00.000Z');
  const second = log.nocCase({ nocId: 'NOC-2', requestedMonths: 3 }, pse(), '2025-01-08T09:00:00.000Z');
  second.later(1).act('StartReview', reviewer, {});
  second.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
  project(db, [noticesProjection], log.events);
  return db;
}

const subjectsOf = (notices: { subject: string; caseStream: string }[]): string[] => notices.map((n) => `${n.caseStream}: ${n.subject}`);

function recordingChannel(): MailChannel & { sent: NoticeMail[] } {
  const sent: NoticeMail[] = [];
  return { name: 'memory', sent, send: async (mail) => void sent.push(mail) };
}

describe('staff notices about a held task', () => {
  it('reach the holder alone in the inbox while someone eligible holds a task on the case, and everyone eligible otherwise', () => {
    const db = world();
    let holders: TaskHolder[] = [];
    const queries = createInboxQueries(db, () => holders);
    expect(subjectsOf(queries.forActor(RASHID))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2', 'noc-NOC-1: Task waiting: NOC NOC-1']);

    holders = [{ caseId: 'NOC-1', userId: RANIA.userId }];
    expect(subjectsOf(queries.forActor(RANIA))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2', 'noc-NOC-1: Task waiting: NOC NOC-1']);
    expect(subjectsOf(queries.forActor(RASHID))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2']);
    expect(queries.idsForActor(RASHID)).toHaveLength(1);

    // Reassigned by a director: the notice follows the task.
    holders = [{ caseId: 'NOC-1', userId: RASHID.userId }];
    expect(subjectsOf(queries.forActor(RANIA))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2']);
    expect(subjectsOf(queries.forActor(RASHID))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2', 'noc-NOC-1: Task waiting: NOC NOC-1']);
  });

  it('still reach everyone a notice addresses when the holder is not among them', () => {
    const db = world();
    // A reviewer still holds NOC-2's review task: the directors' decision task is not theirs to narrow.
    const queries = createInboxQueries(db, () => [{ caseId: 'NOC-2', userId: RANIA.userId }]);
    expect(subjectsOf(queries.forActor(DAWOOD))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2']);
    expect(subjectsOf(queries.forActor(director))).toEqual(['noc-NOC-2: Task waiting: NOC NOC-2']);
    // An entity's own notices are never narrowed by claims.
    expect(queries.forActor(pse())).toEqual(createInboxQueries(db).forActor(pse()));
  });

  it('are narrowed in SQL exactly as the recipients rule narrows them, for every reader and holder', () => {
    const db = world();
    const rows = db.prepare('SELECT id, audience, case_stream FROM notices').all() as { id: string; audience: string; case_stream: string }[];
    const people = [RANIA, RASHID, DAWOOD];
    const asPerson = (a: Actor) => ({ accountId: a.userId, role: a.role, jurisdiction: a.jurisdiction, organisationId: null });
    for (const holder of [undefined, ...people]) {
      for (const held of ['NOC-1', 'NOC-2']) {
        const holders = holder ? [{ caseId: held, userId: holder.userId }] : [];
        const queries = createInboxQueries(db, () => holders);
        for (const reader of people) {
          const expected = rows
            .filter((r) => reaches(JSON.parse(r.audience) as Audience, asPerson(reader), holder && r.case_stream === `noc-${held}` ? [asPerson(holder)] : []))
            .map((r) => r.id)
            .sort();
          expect([holder?.userId, held, reader.userId, [...queries.idsForActor(reader)].sort()]).toEqual([holder?.userId, held, reader.userId, expected]);
        }
      }
    }
  });

  it('are mailed to the holder alone, and to everyone eligible while nobody holds the task', async () => {
    const db = world();
    const channel = recordingChannel();
    const holders: TaskHolder[] = [{ caseId: 'NOC-1', userId: RANIA.userId }];
    await new MailDispatcher({ db, channel, from: 'office@example.gov.pk', retryBaseMs: 0, retryMaxMs: 0, holders: () => holders }).dispatchOnce();
    expect(channel.sent.map((m) => [m.subject, m.to.map((r) => r.email)])).toEqual([
      ['Task waiting: NOC NOC-1', ['rania@office.gov.pk']],
      ['Task waiting: NOC NOC-2', ['rania@office.gov.pk', 'rashid@office.gov.pk']],
      ['Task waiting: NOC NOC-2', ['dawood@office.gov.pk']],
    ]);
  });
});
