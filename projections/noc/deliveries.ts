import type { ReadModelDb } from '../db';

/**
 * Which NOC notifications the earlier NOC outbox delivered, by notification id. The outbox is gone;
 * the table stays because the notice mail dispatcher reads it so that nothing already delivered is
 * mailed again, and the notifications list shows each notification's delivery time from it.
 *
 * It belongs to no projection: rebuilding the notifications recreates the same rows (their ids come
 * from event ids) and keeps this record, so nobody is told twice because a read model was rebuilt.
 */
export const NOTIFICATION_DELIVERY_TABLES = `
CREATE TABLE IF NOT EXISTS notification_deliveries (
  id TEXT PRIMARY KEY,
  delivered_at TEXT,
  channel TEXT,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  next_attempt_at_ms INTEGER
) WITHOUT ROWID;
`;

export function ensureNotificationDeliveryTables(db: ReadModelDb): void {
  db.exec(NOTIFICATION_DELIVERY_TABLES);
}
