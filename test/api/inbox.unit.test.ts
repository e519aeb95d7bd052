import pino from 'pino';
import { buildApi } from '../../api/server';
import { createInbox } from '../../api/inbox';
import type { Identity } from '../../identity';
import { noticesProjection } from '../../projections/notices/notices';
import { createInboxQueries } from '../../projections/notices/inbox';
import { officerAccount } from '../projections/notice-fixtures';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from '../projections/support';
import { director, pse, reviewer } from '../support/actors';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { matrixWorld } from './matrix-world';

const PASSWORD = 'a long enough secret';

describe('the inbox', () => {
  let identity: Identity;
  afterEach(() => identity.close());

  it("shows an entity officer their entity's notices newest first, and keeps what they marked read", async () => {
    identity = await createTestIdentity();
    const db = memoryDb(noticesProjection);
    const log = new TestLog();
    officerAccount(log, 'officer.one', 'one@moitt.gov.pk', '2025-01-06T09:00:00.000Z');
    const noc = log.nocCase({ nocId: 'NOC-3', requestedMonths: 3 }, pse(), '2025-01-06T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
    project(db, [noticesProjection], log.events);

    const world = await matrixWorld();
    const app = buildApi({ ...world.deps, identity, inbox: createInbox(createInboxQueries(db), identity), logger: pino({ level: 'silent' }) });
    const session = await seedEnrolledAccount(identity, { username: 'moitt.officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', password: PASSWORD });
    const other = await seedEnrolledAccount(identity, { username: 'other.officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-other', password: PASSWORD });
    const get = async (token: string) => (await app.inject({ method: 'GET', url: '/api/inbox', headers: { authorization: `Bearer ${token}` } })).json();

    const first = await get(session.token);
    expect(first.unread).toBe(2);
    expect(first.items.map((n: { subject: string; read: boolean }) => [n.subject, n.read])).toEqual([
      ['NOC NOC-3: expiry reminder', false],
      ['NOC NOC-3: decision', false],
    ]);
    expect((await get(other.token)).items).toEqual([]);

    const marked = await app.inject({ method: 'POST', url: '/api/inbox/read', headers: { authorization: `Bearer ${session.token}` }, payload: { ids: [first.items[1].id] } });
    expect(marked.json()).toEqual({ marked: 1 });
    expect((await get(session.token)).unread).toBe(1);
    const all = await app.inject({ method: 'POST', url: '/api/inbox/read', headers: { authorization: `Bearer ${session.token}` }, payload: {} });
    expect(all.json()).toEqual({ marked: 1 });
    expect((await get(session.token)).unread).toBe(0);
    await app.close();
  });
});
