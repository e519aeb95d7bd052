import type Database from 'better-sqlite3';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import { rebuildCache } from '../rebuild-cache';
import { NOC_STATUS_AFTER, asNocEvent, isNocEventType, nocIdOf, type NocRecordedEvent } from './noc-events';

/**
 * The NOC register: one row per NOC with where it stands (NocRegisterRow), and noc_history, the log
 * of its status changes. Instants are also kept as epoch milliseconds (`*_ms`) for filtering and
 * sorting: ISO strings with different offsets do not compare as text.
 */
export const NOC_REGISTER_TABLES = `
CREATE TABLE IF NOT EXISTS noc_register (
  noc_id TEXT PRIMARY KEY,
  pse_id TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  deviation TEXT NOT NULL,
  description TEXT NOT NULL,
  data_class TEXT NOT NULL,
  systems TEXT NOT NULL,
  offering_id TEXT,
  requested_months INTEGER NOT NULL,
  status TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  requested_at_ms INTEGER NOT NULL,
  reviewer_id TEXT,
  recommendation TEXT,
  recommended_by TEXT,
  decided_by TEXT,
  decided_at TEXT,
  valid_from TEXT,
  valid_until TEXT,
  valid_until_ms INTEGER,
  conditions TEXT NOT NULL,
  extensions_granted INTEGER NOT NULL,
  information_due_by TEXT,
  pending_extension_months INTEGER,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS noc_register_by_jurisdiction ON noc_register (jurisdiction, status);
CREATE INDEX IF NOT EXISTS noc_register_by_pse ON noc_register (pse_id, status);
CREATE INDEX IF NOT EXISTS noc_register_by_expiry ON noc_register (valid_until_ms);
CREATE INDEX IF NOT EXISTS noc_register_by_requested ON noc_register (requested_at_ms);
CREATE TABLE IF NOT EXISTS noc_history (
  noc_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  at TEXT NOT NULL,
  by_user_id TEXT NOT NULL,
  by_role TEXT NOT NULL,
  by_name TEXT,
  event_type TEXT NOT NULL,
  PRIMARY KEY (noc_id, revision)
) WITHOUT ROWID;
`;

type Run = Database.Statement<[Record<string, unknown>]>;

/** One UPDATE per event type; each also stamps the status, the event's instant and the stream revision. */
const update = (db: ReadModelDb, set: string): Run =>
  db.prepare(`UPDATE noc_register SET ${set}${set ? ', ' : ''}status = @status, updated_at = @at, revision = @revision WHERE noc_id = @nocId`);

const statements = statementCache((db) => ({
  insert: db.prepare(`
    INSERT INTO noc_register (
      noc_id, pse_id, jurisdiction, deviation, description, data_class, systems, offering_id, requested_months,
      status, requested_by, requested_at, requested_at_ms, conditions, extensions_granted, updated_at, revision
    ) VALUES (
      @nocId, @pseId, @jurisdiction, @deviation, @description, @dataClass, @systems, @offeringId, @requestedMonths,
      @status, @requestedBy, @requestedAt, @requestedAtMs, '[]', 0, @at, @revision
    )`) as Run,
  status: db.prepare('SELECT status FROM noc_register WHERE noc_id = ?') as Database.Statement<[string], { status: string }>,
  history: db.prepare(`
    INSERT INTO noc_history (noc_id, revision, from_status, to_status, at, by_user_id, by_role, by_name, event_type)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`) as Database.Statement<unknown[]>,
  touch: update(db, ''),
  reviewStarted: update(db, 'reviewer_id = @reviewerId'),
  informationRequested: update(db, 'information_due_by = @dueBy'),
  informationClosed: update(db, 'information_due_by = NULL'),
  recommended: update(db, 'recommendation = @recommendation, recommended_by = @recommendedBy'),
  approved: update(
    db,
    `decided_by = @decidedBy, decided_at = @at, valid_from = @validFrom, valid_until = @validUntil,
     valid_until_ms = @validUntilMs, conditions = @conditions`,
  ),
  rejected: update(db, 'decided_by = @decidedBy, decided_at = @at'),
  extensionRequested: update(db, 'pending_extension_months = @months'),
  extensionApproved: update(
    db,
    `valid_until = @validUntil, valid_until_ms = @validUntilMs, extensions_granted = extensions_granted + 1,
     pending_extension_months = NULL`,
  ),
  extensionClosed: update(db, 'pending_extension_months = NULL'),
  withdrawn: update(db, 'pending_extension_months = NULL, information_due_by = NULL'),
}));

type Statements = ReturnType<typeof statements.get>;

/** The statement and the parameters beyond the common ones that an event's row update needs. */
function rowUpdate(s: Statements, event: NocRecordedEvent): [Run, Record<string, unknown>] {
  switch (event.type) {
    case 'NocRequested':
      throw new Error('NocRequested inserts the row');
    case 'NocReviewStarted':
      return [s.reviewStarted, { reviewerId: event.data.reviewerId }];
    case 'NocInformationRequested':
      return [s.informationRequested, { dueBy: event.data.dueBy }];
    case 'NocInformationProvided':
    case 'NocLapsed':
      return [s.informationClosed, {}];
    case 'NocRecommended':
      return [s.recommended, { recommendation: event.data.recommendation, recommendedBy: event.data.recommendedBy }];
    case 'NocApproved':
      return [
        s.approved,
        {
          decidedBy: event.data.decidedBy,
          validFrom: event.data.validFrom,
          validUntil: event.data.validUntil,
          validUntilMs: toMillis(event.data.validUntil),
          conditions: JSON.stringify(event.data.conditions),
        },
      ];
    case 'NocRejected':
      return [s.rejected, { decidedBy: event.data.decidedBy }];
    case 'NocExpiryReminderDue':
      return [s.touch, {}];
    case 'NocExtensionRequested':
      return [s.extensionRequested, { months: event.data.months }];
    case 'NocExtensionApproved':
      return [s.extensionApproved, { validUntil: event.data.validUntil, validUntilMs: toMillis(event.data.validUntil) }];
    case 'NocExtensionRejected':
    case 'NocExpired':
    case 'NocRevoked':
      return [s.extensionClosed, {}];
    case 'NocWithdrawn':
      return [s.withdrawn, {}];
  }
}

function recordHistory(s: Statements, event: NocRecordedEvent, nocId: string, from: string | null, to: string): void {
  const { actor, occurredAt } = event.metadata;
  // Positional, as it runs for every status change of every NOC.
  s.history.run(nocId, event.revision, from, to, occurredAt, actor.userId, actor.role, actor.name ?? null, event.type);
}

const COLUMNS = [
  'noc_id', 'pse_id', 'jurisdiction', 'deviation', 'description', 'data_class', 'systems', 'offering_id', 'requested_months', 'status',
  'requested_by', 'requested_at', 'requested_at_ms', 'reviewer_id', 'recommendation', 'recommended_by', 'decided_by', 'decided_at',
  'valid_from', 'valid_until', 'valid_until_ms', 'conditions', 'extensions_granted', 'information_due_by', 'pending_extension_months',
  'updated_at', 'revision',
] as const;

/** A register row by column name, as a rebuild holds it in memory. */
type RegisterRow = Record<(typeof COLUMNS)[number], unknown>;

const rowStatements = statementCache((db) => ({
  row: db.prepare(`SELECT ${COLUMNS.join(', ')} FROM noc_register WHERE noc_id = ?`) as Database.Statement<[string], RegisterRow>,
  upsert: db.prepare(
    `INSERT INTO noc_register (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (noc_id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'noc_id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
  ) as Database.Statement<unknown[]>,
}));

// During a rebuild each NOC's row stays in memory and is written once per transaction, not updated per event.
const rows = rebuildCache<RegisterRow>((db, _nocId, row) => rowStatements.get(db).upsert.run(COLUMNS.map((c) => row[c])));

/** What rowUpdate's statement does to a row, done in place to the row the cache holds. */
function changeRow(next: RegisterRow, event: NocRecordedEvent, at: string): void {
  switch (event.type) {
    case 'NocRequested':
      throw new Error('NocRequested inserts the row');
    case 'NocReviewStarted':
      next.reviewer_id = event.data.reviewerId;
      break;
    case 'NocInformationRequested':
      next.information_due_by = event.data.dueBy;
      break;
    case 'NocInformationProvided':
    case 'NocLapsed':
      next.information_due_by = null;
      break;
    case 'NocRecommended':
      next.recommendation = event.data.recommendation;
      next.recommended_by = event.data.recommendedBy;
      break;
    case 'NocApproved':
      next.decided_by = event.data.decidedBy;
      next.decided_at = at;
      next.valid_from = event.data.validFrom;
      next.valid_until = event.data.validUntil;
      next.valid_until_ms = toMillis(event.data.validUntil);
      next.conditions = JSON.stringify(event.data.conditions);
      break;
    case 'NocRejected':
      next.decided_by = event.data.decidedBy;
      next.decided_at = at;
      break;
    case 'NocExpiryReminderDue':
      break;
    case 'NocExtensionRequested':
      next.pending_extension_months = event.data.months;
      break;
    case 'NocExtensionApproved':
      next.valid_until = event.data.validUntil;
      next.valid_until_ms = toMillis(event.data.validUntil);
      next.extensions_granted = (next.extensions_granted as number) + 1;
      next.pending_extension_months = null;
      break;
    case 'NocExtensionRejected':
    case 'NocExpired':
    case 'NocRevoked':
      next.pending_extension_months = null;
      break;
    case 'NocWithdrawn':
      next.pending_extension_months = null;
      next.information_due_by = null;
      break;
  }
}

function apply(db: ReadModelDb, decoded: DecodedEvent): void {
  const event = asNocEvent(decoded);
  const s = statements.get(db);
  const nocId = nocIdOf(event);
  const at = event.metadata.occurredAt;

  if (event.type === 'NocRequested') {
    const d = event.data;
    if (d.nocId !== nocId) throw new Error(`Stream ${event.stream} requests NOC ${d.nocId}`);
    const inserted = {
      nocId,
      pseId: d.pseId,
      jurisdiction: d.jurisdiction,
      deviation: d.deviation,
      description: d.description,
      dataClass: d.dataClass,
      systems: JSON.stringify(d.systems),
      offeringId: d.offeringId ?? null,
      requestedMonths: d.requestedMonths,
      status: 'requested',
      requestedBy: d.requestedBy,
      requestedAt: d.requestedAt,
      requestedAtMs: toMillis(d.requestedAt),
      at,
      revision: event.revision,
    };
    if (rows.enabled(db)) rows.put(db, nocId, requestedRow(inserted));
    else s.insert.run(inserted);
    recordHistory(s, event, nocId, null, 'requested');
    return;
  }

  if (rows.enabled(db)) {
    const row = rows.get(db, nocId, () => rowStatements.get(db).row.get(nocId));
    if (!row) throw new Error(`NOC ${nocId} has no register row: its stream does not start with NocRequested`);
    const current = row.status as string;
    const to = NOC_STATUS_AFTER[event.type] ?? current;
    changeRow(row, event, at);
    row.status = to;
    row.updated_at = at;
    row.revision = event.revision;
    rows.put(db, nocId, row);
    if (to !== current) recordHistory(s, event, nocId, current, to);
    return;
  }

  // A stream that does not open with its request is corrupt: stop rather than guess.
  const current = s.status.get(nocId);
  if (!current) throw new Error(`NOC ${nocId} has no register row: its stream does not start with NocRequested`);
  const to = NOC_STATUS_AFTER[event.type] ?? current.status;
  const [stmt, params] = rowUpdate(s, event);
  stmt.run({ ...params, nocId, status: to, at, revision: event.revision });
  if (to !== current.status) recordHistory(s, event, nocId, current.status, to);
}

/** The row the insert statement writes for a request, by column name. */
function requestedRow(p: Record<string, unknown>): RegisterRow {
  return {
    noc_id: p.nocId, pse_id: p.pseId, jurisdiction: p.jurisdiction, deviation: p.deviation, description: p.description, data_class: p.dataClass,
    systems: p.systems, offering_id: p.offeringId, requested_months: p.requestedMonths, status: p.status, requested_by: p.requestedBy,
    requested_at: p.requestedAt, requested_at_ms: p.requestedAtMs, reviewer_id: null, recommendation: null, recommended_by: null,
    decided_by: null, decided_at: null, valid_from: null, valid_until: null, valid_until_ms: null, conditions: '[]', extensions_granted: 0,
    information_due_by: null, pending_extension_months: null, updated_at: p.at, revision: p.revision,
  };
}

export const NOC_REGISTER = 'noc-register';

export const nocRegisterProjection: Projection = {
  name: NOC_REGISTER,
  version: 1,
  setup(db) {
    db.exec(NOC_REGISTER_TABLES);
    statements.clear(db);
    rowStatements.clear(db);
  },
  handles: isNocEventType,
  apply,
  // The register reads its rows back only by noc_id, its primary key.
  bulk: {
    begin: (db) => rows.enable(db),
    flush: (db) => rows.flush(db),
    deferredIndexes: ['noc_register_by_jurisdiction', 'noc_register_by_pse', 'noc_register_by_expiry', 'noc_register_by_requested'],
  },
  reset(db) {
    statements.clear(db);
    rowStatements.clear(db);
    rows.clear(db);
    db.exec('DROP TABLE IF EXISTS noc_register; DROP TABLE IF EXISTS noc_history;');
  },
};
