import { registerProjectorMetrics } from '../../metrics/projector';
import { createProcessRegistry } from '../../metrics/registry';
import { eventId } from '../../eventstore/envelope';
import type { EventStore, EventToAppend } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { writeCheckpoint } from '../../projections/checkpoints';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { director, pse, reviewer } from '../support/actors';
import { MailDispatcher } from '../../projections/mail/dispatcher';
import type { MailChannel } from '../../projections/mail/channels';
import { noticesProjection } from '../../projections/notices/notices';
import { officerAccount } from '../projections/notice-fixtures';
import { TestLog, memoryDb, project } from '../projections/support';
import { parseExposition, valueOf } from '../support/prometheus';

const note = (stream: string, revision: number): EventToAppend => ({
  id: eventId(stream, revision),
  type: 'CaseNoteAdded',
  data: { text: `note ${revision}` },
  metadata: { schemaVersion: 1, actor: pse(), occurredAt: '2026-01-01T00:00:00.000Z', correlationId: 'c', causationId: 'c', policyVersion: 'p' },
});

describe('the projector metrics', () => {
  let store: EventStore;
  let db: ReadModelDb;
  beforeEach(async () => {
    store = await openSqliteEventStore({ path: ':memory:' });
    db = openReadModelDb(':memory:');
  });
  afterEach(async () => {
    await store.close();
    db.close();
  });

  it('report each read model events behind and the age of its oldest unapplied event, zero when caught up', async () => {
    await store.append('noc-N1', [note('noc-N1', 0), note('noc-N1', 1), note('noc-N1', 2)], 'no-stream');
    const [first, second] = await store.readAll();
    writeCheckpoint(db, 'caught-up', (await store.headPosition()), 1, '2026-01-01T00:00:00.000Z');
    writeCheckpoint(db, 'behind', first!.position, 1, '2026-01-01T00:00:00.000Z');
    writeCheckpoint(db, 'not-started', null, 1, '2026-01-01T00:00:00.000Z');
    const now = Date.parse(second!.recordedAt) + 42_000;
    const registry = createProcessRegistry('projector', { defaults: false });
    registerProjectorMetrics({ registry, store, db, outboxBacklog: () => 0, now: () => now });

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_projection_lag_events', { model: 'caught-up' })).toBe(0);
    expect(valueOf(samples, 'cloud_office_projection_lag_seconds', { model: 'caught-up' })).toBe(0);
    expect(valueOf(samples, 'cloud_office_projection_lag_events', { model: 'behind' })).toBe(2);
    expect(valueOf(samples, 'cloud_office_projection_lag_seconds', { model: 'behind' })).toBe(42);
    expect(valueOf(samples, 'cloud_office_projection_lag_events', { model: 'not-started' })).toBe(3);
    expect(valueOf(samples, 'cloud_office_projection_lag_seconds', { model: 'not-started' })).toBe((now - Date.parse(first!.recordedAt)) / 1000);
  });

  it('report the outbox backlog when scraped and count the mail passes sends and failures', async () => {
    let backlog = 5;
    const registry = createProcessRegistry('projector', { defaults: false });
    const { mailPass } = registerProjectorMetrics({ registry, store, db, outboxBacklog: () => backlog });
    mailPass({ sent: 2, failed: 1 });
    mailPass({ sent: 0, failed: 3 });
    backlog = 4;

    const samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_mail_outbox_backlog')).toBe(4);
    expect(valueOf(samples, 'cloud_office_mail_sent_total')).toBe(2);
    expect(valueOf(samples, 'cloud_office_mail_delivery_failures_total')).toBe(4);
  });

  it('count what the mail dispatcher reports: the failed attempts while the mail server is down, then the sends, and the backlog left', async () => {
    const notices = memoryDb(noticesProjection);
    const log = new TestLog();
    officerAccount(log, 'officer.one', 'one@moitt.gov.pk', '2025-01-06T09:00:00.000Z');
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), '2025-01-06T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    project(notices, [noticesProjection], log.events);
    let down = true;
    const channel: MailChannel = {
      name: 'memory',
      send: async () => {
        if (down) throw new Error('connection refused');
      },
    };
    const registry = createProcessRegistry('projector', { defaults: false });
    // The gauge asks the dispatcher at scrape time; the dispatcher reports each pass to the counters.
    const { mailPass } = registerProjectorMetrics({ registry, store, db: notices, outboxBacklog: () => outbox.pendingCount() });
    const outbox = new MailDispatcher({ db: notices, channel, from: 'office@example.gov.pk', retryBaseMs: 0, onPass: mailPass });

    const failedPass = await outbox.dispatchOnce();
    expect(failedPass.failed).toBeGreaterThan(0);
    let samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_mail_delivery_failures_total')).toBe(failedPass.failed);
    expect(valueOf(samples, 'cloud_office_mail_outbox_backlog')).toBe(outbox.pendingCount());
    expect(outbox.pendingCount()).toBeGreaterThanOrEqual(failedPass.failed);

    down = false;
    const sentPass = await outbox.dispatchOnce();
    expect(sentPass).toEqual({ sent: failedPass.failed, failed: 0 });
    samples = parseExposition(await registry.metrics());
    expect(valueOf(samples, 'cloud_office_mail_sent_total')).toBe(sentPass.sent);
    expect(valueOf(samples, 'cloud_office_mail_delivery_failures_total')).toBe(failedPass.failed);
    expect(valueOf(samples, 'cloud_office_mail_outbox_backlog')).toBe(0);
    notices.close();
  });
});
