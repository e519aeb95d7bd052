import { createInbox } from '../../api/inbox';
import type { Actor } from '../../domain/shared/actor';
import type { Identity } from '../../identity';
import { createInboxQueries } from '../../projections/notices/inbox';
import { noticesProjection } from '../../projections/notices/notices';
import { isAddressedTo, type Audience } from '../../projections/notices/recipients';
import { director, officer, pse, reviewer } from '../support/actors';
import { createTestIdentity, seedAccount } from '../support/identity';
import { memoryDb } from './support';

const securityReviewer: Actor = { userId: 'u-sec', name: 'Sana Security', role: 'security-reviewer', jurisdiction: 'federal' };
const admin: Actor = { userId: 'u-adm', name: 'Asad Admin', role: 'admin', jurisdiction: 'punjab' };
const provider: Actor = { userId: 'u-csp', name: 'Provider', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus' };

/** Notices to every kind of audience: organisations, staff by role and jurisdiction, four eyes, every jurisdiction. */
const AUDIENCES: Audience[] = [
  { kind: 'pse', organisationId: 'pse-moitt' },
  { kind: 'pse', organisationId: 'pse-other' },
  { kind: 'csp', organisationId: 'csp-nimbus' },
  { kind: 'staff', roles: ['reviewer'], jurisdiction: 'federal', excludedUserIds: [] },
  { kind: 'staff', roles: ['reviewer'], jurisdiction: 'federal', excludedUserIds: ['u-rev'] },
  { kind: 'staff', roles: ['reviewer', 'security-reviewer'], jurisdiction: 'federal', excludedUserIds: ['u-sec'] },
  { kind: 'staff', roles: ['director'], jurisdiction: 'federal', excludedUserIds: [] },
  { kind: 'staff', roles: ['provincial-officer'], jurisdiction: 'sindh', excludedUserIds: [] },
  { kind: 'staff', roles: ['provincial-officer'], jurisdiction: 'punjab', excludedUserIds: [] },
  { kind: 'staff', roles: ['admin'], jurisdiction: null, excludedUserIds: ['u-other-admin'] },
  { kind: 'staff', roles: ['admin'], jurisdiction: null, excludedUserIds: ['u-adm'] },
];

const PEOPLE: Actor[] = [pse(), pse('pse-other', 'federal', 'u-pse-2'), provider, reviewer, securityReviewer, director, officer('sindh', 'u-sindh'), officer('punjab', 'u-punjab'), admin];

describe('the inbox queries', () => {
  let identity: Identity;
  afterEach(() => identity.close());

  it('list exactly the notices the recipients rule addresses to each person, and count the unread ones as the list does', async () => {
    identity = await createTestIdentity();
    const db = memoryDb(noticesProjection);
    const insert = db.prepare(`INSERT INTO notices (id, kind, subject, body, audience, audience_kind, organisation_id, jurisdiction, case_stream, event_type, created_at, created_at_ms)
      VALUES (?, 'task-waiting', ?, 'body', ?, ?, ?, ?, 'noc-NOC-1', 'NocRequested', ?, ?)`);
    // Three rounds of every audience, a minute apart: enough rows that order and limit matter.
    const rows = [0, 1, 2].flatMap((round) =>
      AUDIENCES.map((audience, i) => {
        const ms = Date.parse('2025-03-01T00:00:00.000Z') + (round * AUDIENCES.length + i) * 60_000;
        const id = `n-${round}-${i}`;
        insert.run(id, `notice ${id}`, JSON.stringify(audience), audience.kind, audience.kind === 'staff' ? null : audience.organisationId, audience.kind === 'staff' ? audience.jurisdiction : null, new Date(ms).toISOString(), ms);
        return { id, audience, ms };
      }),
    );
    const queries = createInboxQueries(db);
    const inbox = createInbox(queries, identity);

    for (const someone of PEOPLE) {
      // What was read is kept per account: each person is a real account of the identity database.
      const account = await seedAccount(identity, { username: someone.userId, role: someone.role, jurisdiction: someone.jurisdiction, organisationId: someone.organisationId, password: 'a long enough secret' });
      const person: Actor = { ...someone, userId: account.id };
      const expected = rows
        .filter((r) => isAddressedTo(r.audience, { accountId: person.userId, role: person.role, jurisdiction: person.jurisdiction, organisationId: person.organisationId ?? null }))
        .sort((a, b) => b.ms - a.ms)
        .map((r) => r.id);
      expect([person.userId, queries.forActor(person).map((n) => n.id)]).toEqual([person.userId, expected]);
      expect(queries.idsForActor(person)).toEqual(expected);
      expect(queries.forActor(person, 2).map((n) => n.id)).toEqual(expected.slice(0, 2));

      // Some read, some not: the badge's count is the list's.
      identity.markNoticesRead(person.userId, expected.filter((_, i) => i % 2 === 0));
      const unread = inbox.list(person).filter((n) => !n.read).length;
      expect(unread).toBe(Math.floor(expected.length / 2));
      expect(inbox.unreadCount(person)).toBe(unread);
    }
    // Three rounds each: four eyes keeps the reviewer out of one reviewers' audience and the security reviewer out of the only one naming that role.
    expect(Object.fromEntries(PEOPLE.map((p) => [p.userId, queries.idsForActor(p).length]))).toEqual({
      'u-pse': 3,
      'u-pse-2': 3,
      'u-csp': 3,
      'u-rev': 6,
      'u-sec': 0,
      'u-dir': 3,
      'u-sindh': 3,
      'u-punjab': 3,
      'u-adm': 3,
    });
  });

  it('answer an empty inbox before the projector has created the notices table, and find the notices once it has', () => {
    const db = memoryDb();
    const queries = createInboxQueries(db);
    expect(queries.forActor(reviewer)).toEqual([]);
    expect(queries.idsForActor(pse())).toEqual([]);
    noticesProjection.setup(db);
    db.prepare(`INSERT INTO notices (id, kind, subject, body, audience, audience_kind, organisation_id, jurisdiction, case_stream, event_type, created_at, created_at_ms)
      VALUES ('n-1', 'decision', 'NOC NOC-1: decision', 'Approved', '{"kind":"pse","organisationId":"pse-moitt"}', 'pse', 'pse-moitt', NULL, 'noc-NOC-1', 'NocDecided', '2025-03-01T00:00:00.000Z', 1740787200000)`).run();
    expect(queries.idsForActor(pse())).toEqual(['n-1']);
  });
});
