import { nocNotificationsProjection } from '../../projections/noc/notifications';
import { director, pse, reviewer } from '../support/actors';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

describe('the record of notifications the NOC outbox delivered', () => {
  it('survives a rebuild of the notifications projection, which yields the same notification ids', () => {
    // Given a decision notification the earlier outbox delivered
    const db = memoryDb(nocNotificationsProjection);
    const log = new TestLog();
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), '2025-01-06T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
    project(db, [nocNotificationsProjection], log.events);
    const ids = () => (db.prepare('SELECT id FROM noc_notifications ORDER BY id').all() as { id: string }[]).map((r) => r.id);
    const before = ids();
    expect(before).toHaveLength(2);
    db.prepare("INSERT INTO notification_deliveries (id, delivered_at, channel, attempts) VALUES (?, '2025-03-01T00:00:00.000Z', 'log-file', 1)").run(before[0]);

    // When the projection is thrown away and projected again
    nocNotificationsProjection.reset(db);
    nocNotificationsProjection.setup(db);
    project(db, [nocNotificationsProjection], log.events);

    // Then the notifications have the same ids and the delivery is still recorded against the first
    expect(ids()).toEqual(before);
    const delivered = db
      .prepare('SELECT n.id FROM noc_notifications n JOIN notification_deliveries d ON d.id = n.id WHERE d.delivered_at IS NOT NULL')
      .all() as { id: string }[];
    expect(delivered.map((r) => r.id)).toEqual([before[0]]);
  });
});
