import { canSeeNoc } from '../../domain/noc';
import type { Actor } from '../../domain/shared/actor';
import { createNocQueries, visibilityScope } from '../../projections/noc/queries';
import { nocNotificationsProjection } from '../../projections/noc/notifications';
import { nocQueueProjection } from '../../projections/noc/queue';
import { nocRegisterProjection } from '../../projections/noc/register';
import { director, officer, pse, reviewer } from '../support/actors';
import { TestLog, memoryDb, project } from './support';

const staff = (userId: string, role: Actor['role'], jurisdiction: Actor['jurisdiction'] = 'federal', organisationId?: string): Actor => ({
  userId,
  name: `Person ${userId}`,
  role,
  jurisdiction,
  ...(organisationId === undefined ? {} : { organisationId }),
});

const moitt = pse('pse-moitt', 'federal', 'u-pse');
const otherFederal = pse('pse-fbr', 'federal', 'u-fbr');
const punjab = pse('pse-pb', 'punjab', 'u-pb-pse');
const sindh = pse('pse-sd', 'sindh', 'u-sd-pse');
const pb1 = officer('punjab', 'u-pb-1');
const pb2 = officer('punjab', 'u-pb-2');
const sd1 = officer('sindh', 'u-sd-1');
const auditor = staff('u-aud', 'auditor');
const securityReviewer = staff('u-sec', 'security-reviewer');
const admin = staff('u-admin', 'admin');
const csp = staff('u-csp', 'csp', 'federal', 'csp-nimbus');

/**
 * Six NOCs across three jurisdictions and four entities, each somewhere in its process:
 *   FED-ACTIVE   moitt  federal  active (approved, valid 2025-02-01 → 2025-05-01), restricted
 *   FED-WAIT     moitt  federal  awaiting-pse (due 2025-03-13)
 *   FED-ASKED    moitt  federal  awaiting-pse (due 2025-03-08), asked earlier than FED-WAIT, answer due first
 *   FBR-NEW      fbr    federal  requested, public data
 *   PB-DECIDE    pb     punjab   awaiting-decision, recommended by u-pb-1
 *   SD-NEW       sd     sindh    requested
 */
function world() {
  const db = memoryDb(nocRegisterProjection, nocQueueProjection, nocNotificationsProjection);
  const log = new TestLog();

  const active = log.nocCase({ nocId: 'FED-ACTIVE', requestedMonths: 3 }, moitt, '2025-01-02T09:00:00.000Z');
  active.later(1).act('StartReview', reviewer, {});
  active.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
  active.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });

  const waiting = log.nocCase({ nocId: 'FED-WAIT' }, moitt, '2025-02-01T09:00:00.000Z');
  waiting.later(1).act('StartReview', reviewer, {});
  waiting.at('2025-02-11T09:00:00.000Z').act('RequestInformation', reviewer, { questions: 'Backups?' });

  const asked = log.nocCase({ nocId: 'FED-ASKED' }, moitt, '2025-02-02T09:00:00.000Z');
  asked.later(1).act('StartReview', reviewer, {});
  asked.at('2025-02-06T09:00:00.000Z').act('RequestInformation', reviewer, { questions: 'Owner?' });

  log.nocCase({ nocId: 'FBR-NEW', dataClass: 'public' }, otherFederal, '2025-02-03T09:00:00.000Z');

  const pbCase = log.nocCase({ nocId: 'PB-DECIDE' }, punjab, '2025-02-04T09:00:00.000Z');
  pbCase.later(1).act('StartReview', pb1, {});
  pbCase.later(1).act('Recommend', pb1, { recommendation: 'approve', reasons: 'Fine', conditions: [] });

  log.nocCase({ nocId: 'SD-NEW' }, sindh, '2025-02-05T09:00:00.000Z');

  project(db, [nocRegisterProjection, nocQueueProjection, nocNotificationsProjection], log.events);
  return { db, queries: createNocQueries(db) };
}

const ALL = ['FED-ACTIVE', 'FED-WAIT', 'FED-ASKED', 'FBR-NEW', 'PB-DECIDE', 'SD-NEW'];

describe('the NOC queries', () => {
  const { db, queries } = world();
  const ids = (actor: Actor) => queries.list(actor, {}).map((r) => r.nocId).sort();

  it.each([
    ['a PSE officer: its own entity’s NOCs', moitt, ['FED-ACTIVE', 'FED-ASKED', 'FED-WAIT']],
    ['a provincial PSE officer: its own entity’s NOCs', punjab, ['PB-DECIDE']],
    ['a reviewer: every federal NOC', reviewer, ['FBR-NEW', 'FED-ACTIVE', 'FED-ASKED', 'FED-WAIT']],
    ['a federal director: every NOC of every province (oversight, read only)', director, [...ALL].sort()],
    ['a security reviewer: every federal NOC', securityReviewer, ['FBR-NEW', 'FED-ACTIVE', 'FED-ASKED', 'FED-WAIT']],
    ['a provincial officer: the NOCs of that province only', pb1, ['PB-DECIDE']],
    ['an auditor: everything', auditor, [...ALL].sort()],
    ['an administrator: nothing', admin, []],
    ['a provider: nothing', csp, []],
    ['a PSE officer without an organisation: nothing', staff('u-lost', 'pse'), []],
  ])('list for %s', (_who, actor, expected) => {
    expect(ids(actor)).toEqual(expected);
  });

  it("narrow to one jurisdiction on request, within what the caller may see: a federal director's Punjab view, an officer asking for another province", () => {
    expect(queries.list(director, { jurisdiction: 'punjab' }).map((r) => r.nocId)).toEqual(['PB-DECIDE']);
    expect(queries.get(director, 'PB-DECIDE')?.jurisdiction).toBe('punjab');
    expect(queries.list(pb1, { jurisdiction: 'sindh' })).toEqual([]);
    expect(queries.list(reviewer, { jurisdiction: 'punjab' })).toEqual([]);
  });

  it('agree with canSeeNoc for every actor and NOC, in list and get alike', () => {
    expect(visibilityScope(admin)).toBeNull();
    const everyone = [moitt, otherFederal, punjab, sindh, reviewer, director, securityReviewer, pb1, sd1, auditor, admin, csp];
    const rows = queries.list(auditor, {});
    for (const actor of everyone) {
      const visible = rows.filter((r) => canSeeNoc(actor, r)).map((r) => r.nocId).sort();
      expect({ actor: actor.userId, ids: ids(actor) }).toEqual({ actor: actor.userId, ids: visible });
      for (const r of rows) expect(queries.get(actor, r.nocId) !== undefined).toBe(canSeeNoc(actor, r));
    }
  });

  it('return nothing from get for an unknown NOC', () => {
    expect(queries.get(auditor, 'NOPE')).toBeUndefined();
  });

  it('list the newest requests first and page through them', () => {
    expect(queries.list(auditor, {}).map((r) => r.nocId)).toEqual(['SD-NEW', 'PB-DECIDE', 'FBR-NEW', 'FED-ASKED', 'FED-WAIT', 'FED-ACTIVE']);
    expect(queries.list(auditor, { limit: 2, offset: 2 }).map((r) => r.nocId)).toEqual(['FBR-NEW', 'FED-ASKED']);
    expect(queries.list(auditor, { limit: 2, offset: 6 })).toEqual([]);
  });

  it('filter by status, jurisdiction, entity and data class, combined with visibility', () => {
    expect(queries.list(auditor, { status: ['awaiting-pse', 'active'] }).map((r) => r.nocId).sort()).toEqual(['FED-ACTIVE', 'FED-ASKED', 'FED-WAIT']);
    expect(queries.list(auditor, { status: [] })).toEqual([]);
    expect(queries.list(auditor, { jurisdiction: 'punjab' }).map((r) => r.nocId)).toEqual(['PB-DECIDE']);
    expect(queries.list(reviewer, { jurisdiction: 'punjab' })).toEqual([]);
    expect(queries.list(auditor, { pseId: 'pse-fbr' }).map((r) => r.nocId)).toEqual(['FBR-NEW']);
    expect(queries.list(moitt, { pseId: 'pse-fbr' })).toEqual([]);
    expect(queries.list(auditor, { dataClass: 'public' }).map((r) => r.nocId)).toEqual(['FBR-NEW']);
  });

  it('filter NOCs expiring before an instant, whatever offset the instant is written with', () => {
    expect(queries.list(auditor, { expiringBefore: '2025-05-01T00:00:00.001Z' }).map((r) => r.nocId)).toEqual(['FED-ACTIVE']);
    expect(queries.list(auditor, { expiringBefore: '2025-05-01T00:00:00.000Z' })).toEqual([]);
    // 04:59:59 in Karachi (UTC+5) is 23:59:59 UTC the day before: before the expiry.
    expect(queries.list(auditor, { expiringBefore: '2025-05-01T04:59:59+05:00' })).toEqual([]);
    expect(queries.list(auditor, { expiringBefore: '2025-05-01T05:00:01+05:00' }).map((r) => r.nocId)).toEqual(['FED-ACTIVE']);
  });

  describe('queue', () => {
    it('gives reviewers the federal review tasks, oldest first', () => {
      expect(queries.queue(reviewer).map((t) => [t.nocId, t.kind])).toEqual([['FBR-NEW', 'review']]);
      expect(queries.queue(director)).toEqual([]);
    });

    it('gives a province’s decision to its officers, except the one who recommended', () => {
      expect(queries.queue(pb2).map((t) => [t.nocId, t.kind])).toEqual([['PB-DECIDE', 'decide']]);
      expect(queries.queue(pb1)).toEqual([]);
      expect(queries.queue(sd1).map((t) => [t.nocId, t.kind])).toEqual([['SD-NEW', 'review']]);
    });

    it('gives an entity its own information requests, the answer due first on top', () => {
      expect(queries.queue(moitt).map((t) => [t.nocId, t.kind, t.dueAt])).toEqual([
        ['FED-ASKED', 'answer-information', '2025-03-08T09:00:00.000Z'],
        ['FED-WAIT', 'answer-information', '2025-03-13T09:00:00.000Z'],
      ]);
      expect(queries.queue(pse('pse-moitt', 'federal', 'u-pse-colleague'))).toHaveLength(2);
      expect(queries.queue(otherFederal)).toEqual([]);
    });

    it('gives auditors, administrators and providers no tasks', () => {
      for (const actor of [auditor, admin, csp, securityReviewer]) expect(queries.queue(actor)).toEqual([]);
    });

    it('put tasks with a due date before those without, then the oldest first', () => {
      const { db: own, queries: q } = world();
      const insert = own.prepare(`INSERT INTO noc_tasks (task_id, noc_id, noc_pse_id, kind, jurisdiction, role, pse_id, excluded_user_ids,
        created_at, created_at_ms, due_at, due_at_ms) VALUES (?, ?, 'pse-x', 'review', 'federal', 'reviewer', NULL, '[]', ?, ?, ?, ?)`);
      const ms = (iso: string) => Date.parse(iso);
      insert.run('t-late-due', 'X-1', '2025-01-01T00:00:00.000Z', ms('2025-01-01T00:00:00.000Z'), '2025-06-01T00:00:00.000Z', ms('2025-06-01T00:00:00.000Z'));
      insert.run('t-soon-due', 'X-2', '2025-03-01T00:00:00.000Z', ms('2025-03-01T00:00:00.000Z'), '2025-04-01T00:00:00.000Z', ms('2025-04-01T00:00:00.000Z'));
      insert.run('t-old', 'X-3', '2024-12-01T00:00:00.000Z', ms('2024-12-01T00:00:00.000Z'), null, null);
      expect(q.queue(reviewer).map((t) => t.taskId)).toEqual(['t-soon-due', 't-late-due', 't-old', 'FBR-NEW:review:0']);
    });

    it('hide a task from the person who requested the NOC even if they hold the acting role', () => {
      const requesterAsReviewer = staff('u-fbr', 'reviewer');
      expect(queries.queue(requesterAsReviewer)).toEqual([]);
    });
  });

  it('show an entity its own notifications, newest first, with whether they were delivered', () => {
    const own = queries.notifications(moitt);
    expect(own.map((n) => [n.nocId, n.kind, n.deliveredAt])).toEqual([
      ['FED-WAIT', 'information-requested', null],
      ['FED-ASKED', 'information-requested', null],
      ['FED-ACTIVE', 'decision', null],
    ]);
    db.prepare("INSERT INTO notification_deliveries (id, delivered_at, channel, attempts) VALUES (?, '2025-03-01T00:00:00.000Z', 'test', 1)").run(
      (own[2] as { id: string }).id,
    );
    expect(queries.notifications(moitt)[2]?.deliveredAt).toBe('2025-03-01T00:00:00.000Z');
    expect(queries.notifications(otherFederal)).toEqual([]);
    expect(queries.notifications(pb1)).toEqual([]);
    expect(queries.notifications(auditor)).toHaveLength(3);
    expect(queries.notifications(admin)).toEqual([]);
  });

  it('show a NOC’s status history only to those who may see the NOC', () => {
    expect(queries.history(moitt, 'FED-ACTIVE').map((h) => h.to)).toEqual(['requested', 'under-review', 'awaiting-decision', 'active']);
    expect(queries.history(otherFederal, 'FED-ACTIVE')).toEqual([]);
    expect(queries.history(pb1, 'FED-ACTIVE')).toEqual([]);
    expect(queries.history(auditor, 'PB-DECIDE').map((h) => h.byUserId)).toEqual(['u-pb-pse', 'u-pb-1', 'u-pb-1']);
  });
});
