/**
 * Read models with a growing history for bench/audit-history.bench.ts: the notice mail outbox (notices
 * mailed long ago beside a few pending) and the compliance dashboard (providers' offerings with their
 * past periods and closed reviews). Each comes with its request path as it was before, for the table.
 */
import type { Actor } from '../domain/shared/actor';
import { COMPLIANCE_TABLES } from '../projections/compliance/compliance';
import { createComplianceQueries } from '../projections/compliance/queries';
import { openReadModelDb, type ReadModelDb } from '../projections/db';
import { DUE_NOTICES, MAIL_TABLES } from '../projections/mail/outbox';
import { NOTIFICATION_DELIVERY_TABLES } from '../projections/noc/deliveries';
import { NOTICE_TABLES } from '../projections/notices/notices';

const PENDING = 10;
const CSPS = 20;
const OFFERINGS_EACH = 5;

/** The dispatcher's poll before the pending table: an anti-join over every notice. */
const DUE_NOTICES_BEFORE = `
SELECT n.id, n.subject, n.body, n.audience, n.organisation_id, n.case_stream, n.created_at, n.created_at_ms, m.state, m.recipients, m.attempts,
       EXISTS (SELECT 1 FROM notification_deliveries d WHERE d.id = n.id AND d.delivered_at IS NOT NULL) AS told_before
FROM notices n LEFT JOIN notice_mail m ON m.id = n.id
WHERE m.id IS NULL OR m.state = 'sending' OR (m.state = 'retrying' AND m.next_attempt_at_ms <= ?)
ORDER BY n.created_at_ms, n.id LIMIT ?`;

/** `mailed` notices already sent and PENDING new ones; the two polls, which must find the same rows. */
export function outboxWithHistory(mailed: number): { before: () => number; now: () => number; close: () => void } {
  const db: ReadModelDb = openReadModelDb(':memory:');
  db.exec(NOTICE_TABLES);
  db.exec(NOTIFICATION_DELIVERY_TABLES);
  db.exec(MAIL_TABLES);
  const insert = db.prepare(
    `INSERT INTO notices (id, kind, subject, body, audience, audience_kind, organisation_id, jurisdiction, case_stream, event_type, created_at, created_at_ms)
     VALUES (?, 'noc', 'Subject', 'Body', '{"kind":"staff"}', 'staff', NULL, 'federal', 'noc-bench', 'NocApproved', '2025-01-01T00:00:00.000Z', ?)`,
  );
  const sent = db.prepare(`INSERT INTO notice_mail (id, state, recipients, message_id, channel, attempts, sent_at) VALUES (?, 'sent', '[]', ?, 'maildir', 1, '2025-01-01T00:00:00.000Z')`);
  db.transaction(() => {
    for (let i = 0; i < mailed + PENDING; i++) {
      const id = `notice-${String(i).padStart(9, '0')}`;
      insert.run(id, i);
      if (i < mailed) sent.run(id, `<${id}@bench>`);
    }
    db.exec('DELETE FROM notice_mail_pending WHERE id IN (SELECT id FROM notice_mail)');
  })();
  const before = db.prepare(DUE_NOTICES_BEFORE);
  const now = db.prepare(DUE_NOTICES);
  const count = (rows: unknown[]): number => {
    if (rows.length !== PENDING) throw new Error(`the poll found ${rows.length} due notices, ${PENDING} are pending`);
    return rows.length;
  };
  return { before: () => count(before.all(Date.now(), 50)), now: () => count(now.all(Date.now(), 50)), close: () => db.close() };
}

/**
 * CSPS providers with OFFERINGS_EACH offerings each, every offering with `months` monthly periods and a
 * closed review a year, but the first provider's, whose offerings have `ownMonths` (its own record, which
 * its dashboard returns whole); the two reads of that provider's dashboard, which must give the same rows.
 */
export function dashboardWithHistory(months: number, ownMonths = months): { before: () => number; now: () => number; close: () => void } {
  const db: ReadModelDb = openReadModelDb(':memory:');
  db.exec(COMPLIANCE_TABLES);
  const app = db.prepare(`INSERT INTO cmp_applications (application_id, offering_id, csp_id, offering_name, accreditation_status, tracked, monitoring_status, first_period, consecutive_misses, updated_at)
    VALUES (?, ?, ?, 'Offering', 'granted', 1, 'monitored', '2000-01', 0, '2025-01-01T00:00:00.000Z')`);
  const period = db.prepare(`INSERT INTO cmp_periods (application_id, period, outcome, due_at, submitted_at, miss_chain) VALUES (?, ?, 'submitted', NULL, NULL, 0)`);
  const review = db.prepare(`INSERT INTO cmp_reviews (review_id, application_id, state, evidence_overdue, opened_at, closed_at, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)`);
  const closed = JSON.stringify({ status: 'closed-compliant', trigger: 'anniversary', findings: [] });
  db.transaction(() => {
    for (let c = 0; c < CSPS; c++) {
      for (let o = 0; o < OFFERINGS_EACH; o++) {
        const id = `app-${c}-${o}`;
        app.run(id, `off-${c}-${o}`, `csp-${c}`);
        for (let m = 0; m < (c === 0 ? ownMonths : months); m++) {
          const label = `${2000 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
          period.run(id, label);
          if (m % 12 === 0) review.run(`rev-${id}-${m}`, id, closed, `${label}-01T00:00:00.000Z`, `${label}-20T00:00:00.000Z`, `${label}-20T00:00:00.000Z`);
        }
      }
    }
  })();
  const provider: Actor = { userId: 'u-csp-0', name: 'Provider', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-0' };
  const queries = createComplianceQueries(db);
  // The reads as they were: every table whole, grouped in memory, then this provider's offerings.
  const whole = ['cmp_periods', 'cmp_reviews', 'cmp_escalations', 'cmp_changes'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY application_id`));
  const apps = db.prepare(`SELECT * FROM cmp_applications WHERE tracked = 1 AND (@cspId IS NULL OR csp_id = @cspId) ORDER BY updated_at DESC, application_id`);
  const before = (): number => {
    const listed = apps.all({ cspId: 'csp-0' }) as { application_id: string }[];
    const grouped = whole.map((s) => {
      const map = new Map<string, unknown[]>();
      for (const row of s.all() as { application_id: string; state?: string }[]) {
        if (row.state !== undefined) JSON.parse(row.state);
        const list = map.get(row.application_id);
        if (list) list.push(row);
        else map.set(row.application_id, [row]);
      }
      return map;
    });
    return listed.filter((a) => grouped.every((g) => g.has(a.application_id) || g.size === 0)).length;
  };
  const now = (): number => {
    const rows = queries.dashboard(provider);
    if (rows.length !== OFFERINGS_EACH || rows.some((r) => r.monitoring.periods.length !== ownMonths)) throw new Error('the dashboard lost rows');
    return rows.length;
  };
  return { before, now, close: () => db.close() };
}
