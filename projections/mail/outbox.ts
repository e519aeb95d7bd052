/**
 * The mail dispatcher's own tables, which a rebuild of the notices leaves alone. notice_mail records
 * what happened to each notice's mail; notice_mail_pending holds the notices nobody has looked at yet,
 * filled by a trigger as the notices projection inserts them (a rebuilt notice already in notice_mail
 * is not pending again). A poll reads the pending rows and the partial index of the mails still to go
 * (`sending`, `retrying`), so its cost follows what is waiting, not every notice ever sent.
 *
 * Run after the notices' own tables (projections/notices/notices.ts), by the dispatcher and by the
 * notices projection's setup: a rebuild drops the notices table and its trigger with it.
 */
/** The dispatcher's tables: what happened to each notice's mail, not anything derived from the log. */
export const MAIL_DISPATCHER_TABLES = ['notice_mail', 'notice_mail_since', 'notice_mail_pending'] as const;

export const MAIL_TABLES = `
CREATE TABLE IF NOT EXISTS notice_mail (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL CHECK (state IN ('sending', 'retrying', 'sent', 'no-recipient', 'already-told', 'before-mail')),
  recipients TEXT NOT NULL,
  message_id TEXT NOT NULL,
  channel TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  next_attempt_at_ms INTEGER,
  sent_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notice_mail_unsent ON notice_mail (next_attempt_at_ms) WHERE state IN ('sending', 'retrying');
CREATE TABLE IF NOT EXISTS notice_mail_since (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  since_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notice_mail_pending (
  id TEXT PRIMARY KEY,
  created_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS notice_mail_pending_on_insert AFTER INSERT ON notices
BEGIN
  INSERT OR IGNORE INTO notice_mail_pending (id, created_at_ms)
  SELECT NEW.id, NEW.created_at_ms WHERE NOT EXISTS (SELECT 1 FROM notice_mail WHERE id = NEW.id);
END;
`;

/**
 * Notices from before the pending table (or inserted while its trigger was absent) that have no mail
 * row: read once when the dispatcher starts, never on a poll.
 */
export const FILL_PENDING = `
INSERT OR IGNORE INTO notice_mail_pending (id, created_at_ms)
SELECT n.id, n.created_at_ms FROM notices n WHERE NOT EXISTS (SELECT 1 FROM notice_mail m WHERE m.id = n.id)
`;

/**
 * The due notices, oldest first: the pending ones, and the mails in flight or due for a retry. The
 * CROSS JOIN keeps the due rows the outer loop (SQLite does not reorder it): left to itself, the planner
 * would walk every notice in time order to save the sort of the few due ones.
 */
export const DUE_NOTICES = `
SELECT n.id, n.subject, n.body, n.audience, n.organisation_id, n.case_stream, n.created_at, n.created_at_ms, m.state, m.recipients, m.attempts,
       EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.id = n.id AND d.delivered_at IS NOT NULL) AS told_before
FROM (
  SELECT p.id FROM notice_mail_pending p
  UNION
  SELECT u.id FROM notice_mail u INDEXED BY notice_mail_unsent WHERE u.state IN ('sending', 'retrying') AND (u.state = 'sending' OR u.next_attempt_at_ms <= ?)
) due
CROSS JOIN notices n ON n.id = due.id
LEFT JOIN notice_mail m ON m.id = n.id
ORDER BY n.created_at_ms, n.id LIMIT ?
`;

/** Notices not mailed yet, including those waiting for a retry. */
export const PENDING_COUNT = `
SELECT (SELECT COUNT(*) FROM notice_mail_pending p CROSS JOIN notices n ON n.id = p.id)
     + (SELECT COUNT(*) FROM notice_mail u INDEXED BY notice_mail_unsent CROSS JOIN notices n ON n.id = u.id WHERE u.state IN ('sending', 'retrying')) AS n
`;
