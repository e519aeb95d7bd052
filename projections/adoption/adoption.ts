import type Database from 'better-sqlite3';
import type { TransitionEventOf } from '../../domain/compliance/transition-events';
import type { NocEvent } from '../../domain/noc/events';
import { PSE_EVENT_TYPES, type PseEvent, type PseEventOf } from '../../domain/pse/events';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';

/**
 * Adoption of the cloud by the public sector: the PSE register (name, ministry, jurisdiction, and each
 * correction or move of them with its instant), every
 * procurement the entities recorded, with what the procurement check said then, and, each time the
 * offering's accreditation ended, the migration notice and the non-compliance flag that transition
 * recorded; and each NOC's period in force (from its validity, each extension from when it was
 * approved, and the instant it was revoked or withdrawn). Every row keeps its instants and nothing is
 * overwritten by a later event, so the figures (queries.ts) as of a past instant are those a replay of
 * the log up to it gives.
 */
export const ADOPTION_TABLES = `
CREATE TABLE IF NOT EXISTS adoption_pses (
  pse_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  ministry TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  registered_at TEXT NOT NULL
) WITHOUT ROWID;
-- The entity's name, ministry and jurisdiction from each instant they took effect (registration, each
-- correction or move), whole each time: the figures as of an instant group by the entry as it stood then.
CREATE TABLE IF NOT EXISTS adoption_pse_details (
  pse_id TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  name TEXT NOT NULL,
  ministry TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  PRIMARY KEY (pse_id, from_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS adoption_procurements (
  pse_id TEXT NOT NULL,
  procurement_id TEXT NOT NULL,
  offering_id TEXT NOT NULL,
  data_class TEXT NOT NULL,
  system TEXT NOT NULL,
  decision TEXT NOT NULL,
  noc_id TEXT,
  recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  recorded_at_ms INTEGER NOT NULL,
  ended_at TEXT,
  ended_at_ms INTEGER,
  PRIMARY KEY (pse_id, procurement_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS adoption_procurements_by_offering ON adoption_procurements (pse_id, offering_id, recorded_at_ms);
-- Every mark a transition put on a procurement, each with its instant: an offering re-accredited after
-- an ending and ended again notices (and may flag) a workload open through both twice.
-- 'notice': the entity was told to migrate by migrate_by; 'flag': still open at that deadline.
CREATE TABLE IF NOT EXISTS adoption_transition_marks (
  pse_id TEXT NOT NULL,
  procurement_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('notice', 'flag')),
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  migrate_by TEXT NOT NULL,
  migrate_by_ms INTEGER NOT NULL,
  PRIMARY KEY (pse_id, procurement_id, kind, at_ms)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS adoption_nocs (
  noc_id TEXT PRIMARY KEY,
  pse_id TEXT NOT NULL,
  jurisdiction TEXT NOT NULL,
  -- Set once approved, as approved: extensions are kept apart, each from when it was approved.
  valid_from_ms INTEGER,
  valid_until_ms INTEGER,
  -- When it was revoked or withdrawn: from then on it allows nothing.
  ended_at_ms INTEGER
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS adoption_noc_extensions (
  noc_id TEXT NOT NULL,
  approved_at_ms INTEGER NOT NULL,
  valid_until_ms INTEGER NOT NULL,
  PRIMARY KEY (noc_id, approved_at_ms)
) WITHOUT ROWID;
`;

const PSE_STREAM_PREFIX = 'pse-';
const NOC_STREAM_PREFIX = 'noc-';
const PSE_TYPES = new Set<string>(PSE_EVENT_TYPES);
/** The revocation transition's events about single procurements (stream `transition-<applicationId>`). */
const TRANSITION_TYPES = new Set<string>(['PseTransitionNoticeIssued', 'ProcurementFlaggedNonCompliant']);
/** The NOC events that set when a NOC is in force. */
const NOC_TYPES = new Set<string>(['NocRequested', 'NocApproved', 'NocExtensionApproved', 'NocRevoked', 'NocWithdrawn']);

function pseIdOf(event: { stream: string }): string {
  if (!event.stream.startsWith(PSE_STREAM_PREFIX)) throw new Error(`${event.stream} is not a PSE stream`);
  return event.stream.slice(PSE_STREAM_PREFIX.length);
}

const statements = statementCache((db) => ({
  pse: db.prepare(`
    INSERT INTO adoption_pses (pse_id, name, ministry, jurisdiction, registered_at) VALUES (@pseId, @name, @ministry, @jurisdiction, @registeredAt)
    ON CONFLICT (pse_id) DO UPDATE SET name = excluded.name, ministry = excluded.ministry, jurisdiction = excluded.jurisdiction`),
  corrected: db.prepare('UPDATE adoption_pses SET name = @name, ministry = @ministry WHERE pse_id = @pseId'),
  moved: db.prepare('UPDATE adoption_pses SET jurisdiction = @jurisdiction WHERE pse_id = @pseId'),
  // The entry as it now stands, from the event's instant; two changes in one millisecond leave the later.
  details: db.prepare(`
    INSERT OR REPLACE INTO adoption_pse_details (pse_id, from_ms, name, ministry, jurisdiction)
    SELECT pse_id, @fromMs, name, ministry, jurisdiction FROM adoption_pses WHERE pse_id = @pseId`),
  recorded: db.prepare(`
    INSERT OR REPLACE INTO adoption_procurements
      (pse_id, procurement_id, offering_id, data_class, system, decision, noc_id, recorded_by, recorded_at, recorded_at_ms, ended_at, ended_at_ms)
    VALUES (@pseId, @procurementId, @offeringId, @dataClass, @system, @decision, @nocId, @recordedBy, @recordedAt, @recordedAtMs, NULL, NULL)`),
  ended: db.prepare('UPDATE adoption_procurements SET ended_at = ?, ended_at_ms = ? WHERE pse_id = ? AND procurement_id = ?'),
  // A workload recorded after the notices went out is flagged without one: the deadline comes with the flag.
  marked: db.prepare(`
    INSERT OR REPLACE INTO adoption_transition_marks (pse_id, procurement_id, kind, at, at_ms, migrate_by, migrate_by_ms)
    VALUES (@pseId, @procurementId, @kind, @at, @atMs, @migrateBy, @migrateByMs)`),
  // Positional, as they run for most NOC events: binding by name looks each parameter up per run.
  nocRequested: db.prepare('INSERT OR REPLACE INTO adoption_nocs (noc_id, pse_id, jurisdiction) VALUES (?, ?, ?)') as Database.Statement<[string, string, string]>,
  nocValid: db.prepare('UPDATE adoption_nocs SET valid_from_ms = ?, valid_until_ms = ? WHERE noc_id = ?') as Database.Statement<[number, number, string]>,
  nocExtended: db.prepare('INSERT OR REPLACE INTO adoption_noc_extensions (noc_id, approved_at_ms, valid_until_ms) VALUES (?, ?, ?)') as Database.Statement<
    [string, number, number]
  >,
  nocEnded: db.prepare('UPDATE adoption_nocs SET ended_at_ms = ? WHERE noc_id = ? AND ended_at_ms IS NULL') as Database.Statement<[number, string]>,
}));

/** A transition event names the procurement in its data; its instant is when the engine recorded it. */
function applyTransition(db: ReadModelDb, decoded: DecodedEvent): void {
  const data = decoded.data as TransitionEventOf<'PseTransitionNoticeIssued' | 'ProcurementFlaggedNonCompliant'>['data'];
  const at = decoded.metadata.occurredAt;
  statements.get(db).marked.run({
    pseId: data.pseId,
    procurementId: data.procurementId,
    kind: decoded.type === 'PseTransitionNoticeIssued' ? 'notice' : 'flag',
    at,
    atMs: toMillis(at),
    migrateBy: data.migrateBy,
    migrateByMs: toMillis(data.migrateBy),
  });
}

/** A NOC's period in force; its expiry needs no event here: its validity end as of an instant already ends it. */
function applyNoc(db: ReadModelDb, decoded: DecodedEvent): void {
  const s = statements.get(db);
  const event = { type: decoded.type, data: decoded.data } as NocEvent;
  const nocId = decoded.stream.slice(NOC_STREAM_PREFIX.length);
  switch (event.type) {
    case 'NocRequested':
      s.nocRequested.run(nocId, event.data.pseId, event.data.jurisdiction);
      return;
    case 'NocApproved':
      s.nocValid.run(toMillis(event.data.validFrom), toMillis(event.data.validUntil), nocId);
      return;
    case 'NocExtensionApproved':
      s.nocExtended.run(nocId, toMillis(decoded.metadata.occurredAt), toMillis(event.data.validUntil));
      return;
    case 'NocRevoked':
    case 'NocWithdrawn':
      s.nocEnded.run(toMillis(decoded.metadata.occurredAt), nocId);
      return;
    default:
      return;
  }
}

function apply(db: ReadModelDb, decoded: DecodedEvent): void {
  if (TRANSITION_TYPES.has(decoded.type)) return applyTransition(db, decoded);
  if (NOC_TYPES.has(decoded.type)) return applyNoc(db, decoded);
  const event = { type: decoded.type, data: decoded.data } as PseEvent;
  const pseId = pseIdOf(decoded);
  const s = statements.get(db);
  switch (event.type) {
    case 'PseRegistered': {
      const d = event.data;
      s.pse.run({ pseId, name: d.name, ministry: d.ministry, jurisdiction: d.jurisdiction, registeredAt: d.registeredAt });
      s.details.run({ pseId, fromMs: toMillis(d.registeredAt) });
      return;
    }
    case 'PseDetailsCorrected':
      s.corrected.run({ pseId, name: event.data.name, ministry: event.data.ministry });
      s.details.run({ pseId, fromMs: toMillis(event.data.correctedAt) });
      return;
    case 'PseJurisdictionChanged':
      s.moved.run({ pseId, jurisdiction: event.data.jurisdiction });
      s.details.run({ pseId, fromMs: toMillis(event.data.changedAt) });
      return;
    case 'ProcurementRecorded': {
      const d: PseEventOf<'ProcurementRecorded'>['data'] = event.data;
      s.recorded.run({
        pseId,
        procurementId: d.procurementId,
        offeringId: d.offeringId,
        dataClass: d.dataClass,
        system: d.system,
        decision: d.check.decision,
        nocId: d.check.noc?.nocId ?? null,
        recordedBy: d.recordedBy,
        recordedAt: d.recordedAt,
        recordedAtMs: toMillis(d.recordedAt),
      });
      return;
    }
    case 'ProcurementEnded':
      s.ended.run(event.data.endedAt, toMillis(event.data.endedAt), pseId, event.data.procurementId);
      return;
  }
}

export const ADOPTION = 'adoption';

export const adoptionProjection: Projection = {
  name: ADOPTION,
  // 2: the revocation transition's notice and non-compliance columns. 3: NOCs' periods in force.
  // 4: every notice and flag, and every NOC extension, kept with its instant.
  // 5: an entity's name, ministry and jurisdiction kept from each instant they took effect (corrections, moves).
  version: 5,
  setup(db) {
    db.exec(ADOPTION_TABLES);
    statements.clear(db);
  },
  handles: (type) => PSE_TYPES.has(type) || TRANSITION_TYPES.has(type) || NOC_TYPES.has(type),
  apply,
  reset(db) {
    statements.clear(db);
    db.exec(`DROP TABLE IF EXISTS adoption_pses; DROP TABLE IF EXISTS adoption_pse_details; DROP TABLE IF EXISTS adoption_procurements; DROP TABLE IF EXISTS adoption_transition_marks;
      DROP TABLE IF EXISTS adoption_nocs; DROP TABLE IF EXISTS adoption_noc_extensions;`);
  },
};
