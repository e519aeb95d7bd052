import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import type { ReadModelDb } from './db';
import type { NocNotificationRow } from './noc/read-model';

/**
 * The notifications outbox. The notifications projection writes rows (noc_notifications); this
 * dispatcher hands each undelivered one to a channel and records the delivery in
 * notification_deliveries. That table belongs to the dispatcher, not to the projection: rebuilding
 * the projection recreates the same rows (their ids come from event ids) and keeps what was sent,
 * so nobody is told twice because a read model was rebuilt.
 *
 * Delivery is at least once: a crash between a channel's success and the record of it sends that
 * notification again on the next run. Channels should be idempotent on the notification id.
 */
export const OUTBOX_TABLES = `
CREATE TABLE IF NOT EXISTS notification_deliveries (
  id TEXT PRIMARY KEY,
  delivered_at TEXT,
  channel TEXT,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  next_attempt_at_ms INTEGER
) WITHOUT ROWID;
`;

export function ensureOutboxTables(db: ReadModelDb): void {
  db.exec(OUTBOX_TABLES);
}

export interface NotificationChannel {
  readonly name: string;
  /** Resolves once the notification is handed over; rejects to have it retried later. */
  deliver(notification: NocNotificationRow): Promise<void>;
}

/**
 * The default channel: one structured log line per notification, and one JSON line appended to
 * `<dataDir>/notifications.jsonl`, which a mail or SMS gateway can tail.
 */
export function logFileChannel(options: { logger: Logger; dataDir: string }): NotificationChannel {
  const file = join(options.dataDir, 'notifications.jsonl');
  let ready: Promise<unknown> | undefined;
  return {
    name: 'log-file',
    async deliver(n) {
      ready ??= mkdir(options.dataDir, { recursive: true });
      await ready;
      const record = { id: n.id, nocId: n.nocId, pseId: n.pseId, kind: n.kind, message: n.message, createdAt: n.createdAt };
      await appendFile(file, `${JSON.stringify({ ...record, sentAt: new Date().toISOString() })}\n`, 'utf8');
      options.logger.info({ notification: record }, 'notification sent');
    },
  };
}

export interface OutboxDispatcherOptions {
  db: ReadModelDb;
  channel: NotificationChannel;
  logger?: Logger;
  /** How often to look for new rows when the last look found none. */
  pollMs?: number;
  batchSize?: number;
  /** A failed delivery waits retryBaseMs × 2^(attempts − 1), at most retryMaxMs, before the next try. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface DispatchResult {
  delivered: number;
  failed: number;
}

interface PendingRow {
  id: string;
  noc_id: string;
  pse_id: string;
  kind: NocNotificationRow['kind'];
  message: string;
  created_at: string;
  attempts: number | null;
}

export class OutboxDispatcher {
  private readonly db: ReadModelDb;
  private readonly channel: NotificationChannel;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private running: Promise<void> | undefined;
  private stopRequested = false;
  private wakeUp: (() => void) | undefined;

  constructor(options: OutboxDispatcherOptions) {
    this.db = options.db;
    this.channel = options.channel;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 100;
    this.retryBaseMs = options.retryBaseMs ?? 5000;
    this.retryMaxMs = options.retryMaxMs ?? 300_000;
    ensureOutboxTables(this.db);
  }

  start(): void {
    if (this.running) return;
    this.stopRequested = false;
    this.running = this.loop();
  }

  /** Stops after the delivery in progress, if any. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.wakeUp?.();
    await this.running;
    this.running = undefined;
  }

  /** Looks for undelivered rows now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Rows not delivered yet, including those waiting for a retry. */
  pendingCount(): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM noc_notifications n LEFT JOIN notification_deliveries d ON d.id = n.id
         WHERE d.delivered_at IS NULL`,
      )
      .get() as { n: number };
    return row.n;
  }

  /** Delivers up to one batch of due rows, oldest first. */
  async dispatchOnce(): Promise<DispatchResult> {
    const nowMs = Date.now();
    const rows = this.db
      .prepare(
        `SELECT n.id, n.noc_id, n.pse_id, n.kind, n.message, n.created_at, d.attempts
         FROM noc_notifications n LEFT JOIN notification_deliveries d ON d.id = n.id
         WHERE d.delivered_at IS NULL AND (d.next_attempt_at_ms IS NULL OR d.next_attempt_at_ms <= ?)
         ORDER BY n.created_at_ms, n.id LIMIT ?`,
      )
      .all(nowMs, this.batchSize) as PendingRow[];
    const result: DispatchResult = { delivered: 0, failed: 0 };
    for (const row of rows) {
      if (this.stopRequested) break;
      const notification: NocNotificationRow = {
        id: row.id,
        nocId: row.noc_id,
        pseId: row.pse_id,
        kind: row.kind,
        message: row.message,
        createdAt: row.created_at,
        deliveredAt: null,
      };
      const attempts = (row.attempts ?? 0) + 1;
      try {
        await this.channel.deliver(notification);
      } catch (err) {
        result.failed += 1;
        const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1));
        this.recordFailure(row.id, attempts, err instanceof Error ? err.message : String(err), Date.now() + delay);
        this.logger.warn({ err, notificationId: row.id, attempts, retryInMs: delay }, 'notification delivery failed');
        continue;
      }
      this.recordDelivery(row.id, attempts);
      result.delivered += 1;
    }
    return result;
  }

  private recordDelivery(id: string, attempts: number): void {
    this.db
      .prepare(
        `INSERT INTO notification_deliveries (id, delivered_at, channel, attempts, last_error, next_attempt_at_ms)
         VALUES (?, ?, ?, ?, NULL, NULL)
         ON CONFLICT(id) DO UPDATE SET delivered_at = excluded.delivered_at, channel = excluded.channel,
           attempts = excluded.attempts, last_error = NULL, next_attempt_at_ms = NULL`,
      )
      .run(id, new Date().toISOString(), this.channel.name, attempts);
  }

  private recordFailure(id: string, attempts: number, error: string, nextAttemptAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO notification_deliveries (id, delivered_at, channel, attempts, last_error, next_attempt_at_ms)
         VALUES (?, NULL, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET channel = excluded.channel, attempts = excluded.attempts,
           last_error = excluded.last_error, next_attempt_at_ms = excluded.next_attempt_at_ms`,
      )
      .run(id, this.channel.name, attempts, error, nextAttemptAtMs);
  }

  private async loop(): Promise<void> {
    while (!this.stopRequested) {
      let result: DispatchResult = { delivered: 0, failed: 0 };
      try {
        result = await this.dispatchOnce();
      } catch (err) {
        // The read-model database being busy or the table missing (projector not set up yet) passes.
        this.logger.error({ err }, 'notification outbox pass failed');
      }
      if (this.stopRequested) break;
      if (result.delivered + result.failed < this.batchSize) await this.sleep();
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.wakeUp = done;
    });
  }
}
