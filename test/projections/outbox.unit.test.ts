import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { nocNotificationsProjection } from '../../projections/noc/notifications';
import type { NocNotificationRow } from '../../projections/noc/read-model';
import { OutboxDispatcher, logFileChannel, type NotificationChannel } from '../../projections/outbox';
import { director, pse, reviewer } from '../support/actors';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

/** Records what it is given; fails the first `failures` deliveries of each notification. */
class RecordingChannel implements NotificationChannel {
  readonly name = 'recording';
  readonly delivered: NocNotificationRow[] = [];
  private readonly tries = new Map<string, number>();
  constructor(private readonly failures = 0) {}

  async deliver(n: NocNotificationRow): Promise<void> {
    const tried = (this.tries.get(n.id) ?? 0) + 1;
    this.tries.set(n.id, tried);
    if (tried <= this.failures) throw new Error('gateway unreachable');
    this.delivered.push(n);
  }
}

/** Two notifications: the approval, then a 30-day reminder. */
function withNotifications() {
  const db = memoryDb(nocNotificationsProjection);
  const log = new TestLog();
  const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), '2025-01-06T09:00:00.000Z');
  noc.later(1).act('StartReview', reviewer, {});
  noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
  noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
  noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
  project(db, [nocNotificationsProjection], log.events);
  return { db, log, noc };
}

const deliveries = (db: ReturnType<typeof memoryDb>) =>
  db.prepare('SELECT id, delivered_at, attempts, last_error FROM notification_deliveries ORDER BY id').all() as {
    id: string;
    delivered_at: string | null;
    attempts: number;
    last_error: string | null;
  }[];

describe('the notification outbox', () => {
  it('hands each undelivered notification to the channel once, oldest first, and records the delivery', async () => {
    const { db } = withNotifications();
    const channel = new RecordingChannel();
    const outbox = new OutboxDispatcher({ db, channel });
    expect(outbox.pendingCount()).toBe(2);

    expect(await outbox.dispatchOnce()).toEqual({ delivered: 2, failed: 0 });
    expect(channel.delivered.map((n) => n.kind)).toEqual(['decision', 'expiry-reminder']);
    expect(channel.delivered[0]).toMatchObject({ nocId: 'NOC-1', pseId: 'pse-moitt' });
    expect(deliveries(db).every((d) => d.delivered_at !== null && d.attempts === 1)).toBe(true);
    expect(outbox.pendingCount()).toBe(0);

    expect(await outbox.dispatchOnce()).toEqual({ delivered: 0, failed: 0 });
    expect(channel.delivered).toHaveLength(2);
  });

  it('keeps a notification whose delivery failed and tries it again after a pause', async () => {
    const { db } = withNotifications();
    const channel = new RecordingChannel(1);
    const outbox = new OutboxDispatcher({ db, channel, retryBaseMs: 60_000 });

    expect(await outbox.dispatchOnce()).toEqual({ delivered: 0, failed: 2 });
    expect(deliveries(db)).toEqual([
      expect.objectContaining({ delivered_at: null, attempts: 1, last_error: 'gateway unreachable' }),
      expect.objectContaining({ delivered_at: null, attempts: 1, last_error: 'gateway unreachable' }),
    ]);
    // Not due again yet.
    expect(await outbox.dispatchOnce()).toEqual({ delivered: 0, failed: 0 });

    db.prepare('UPDATE notification_deliveries SET next_attempt_at_ms = 0').run();
    expect(await outbox.dispatchOnce()).toEqual({ delivered: 2, failed: 0 });
    expect(deliveries(db).map((d) => [d.attempts, d.last_error, d.delivered_at !== null])).toEqual([
      [2, null, true],
      [2, null, true],
    ]);
  });

  it('does not send anything again when the notifications projection is rebuilt', async () => {
    const { db, log } = withNotifications();
    const channel = new RecordingChannel();
    const outbox = new OutboxDispatcher({ db, channel });
    await outbox.dispatchOnce();

    nocNotificationsProjection.reset(db);
    nocNotificationsProjection.setup(db);
    project(db, [nocNotificationsProjection], log.events);

    expect(outbox.pendingCount()).toBe(0);
    expect(await outbox.dispatchOnce()).toEqual({ delivered: 0, failed: 0 });
    expect(channel.delivered).toHaveLength(2);
  });

  it('delivers, while running, what the projection adds later', async () => {
    const { db, log, noc } = withNotifications();
    const channel = new RecordingChannel();
    const outbox = new OutboxDispatcher({ db, channel, pollMs: 10 });
    outbox.start();
    try {
      await waitUntil(() => channel.delivered.length === 2);
      const before = log.events.length;
      noc.at('2025-05-01T00:00:00.000Z').act('Expire', SYSTEM_ACTOR, {});
      project(db, [nocNotificationsProjection], log.events.slice(before));
      outbox.wake();
      await waitUntil(() => channel.delivered.length === 3);
      expect(channel.delivered[2]?.kind).toBe('expired');
    } finally {
      await outbox.stop();
    }
  });

  it('writes one log line and one JSON line in notifications.jsonl per notification with the default channel', async () => {
    const { db } = withNotifications();
    const dataDir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    try {
      const outbox = new OutboxDispatcher({ db, channel: logFileChannel({ logger: pino({ level: 'info' }, sink), dataDir: join(dataDir, 'nested') }) });
      await outbox.dispatchOnce();
      const written = readFileSync(join(dataDir, 'nested', 'notifications.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(written.map((w) => [w.nocId, w.pseId, w.kind])).toEqual([
        ['NOC-1', 'pse-moitt', 'decision'],
        ['NOC-1', 'pse-moitt', 'expiry-reminder'],
      ]);
      expect(written[0]).toHaveProperty('sentAt');
      const logged = lines.map((l) => JSON.parse(l) as { msg: string; notification: { id: string } });
      expect(logged.map((l) => l.msg)).toEqual(['notification sent', 'notification sent']);
      expect(logged.map((l) => l.notification.id)).toEqual(written.map((w) => w.id));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('Condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
