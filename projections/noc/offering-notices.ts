import type Database from 'better-sqlite3';
import type { AccreditationEventOf } from '../../domain/accreditation/events';
import type { PseEventOf } from '../../domain/pse/events';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache } from '../projection';

/**
 * What a suspension or a reinstatement means to the entities using the offering (SPEC §3.1: each one is
 * told). The notifications projection keeps, for that, which workloads are open on which offering and
 * which offering each application is about; one notice goes to each entity with a workload open on the
 * offering at the event. (Endings — revocation, expiry, withdrawal — reach them through the migration
 * period's own notices.) A notice's id is its event's id and the entity's, so a rebuild yields the same.
 */
export const OFFERING_NOTICE_TABLES = `
CREATE TABLE IF NOT EXISTS notice_pses (
  pse_id TEXT PRIMARY KEY,
  jurisdiction TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notice_workloads (
  pse_id TEXT NOT NULL,
  procurement_id TEXT NOT NULL,
  offering_id TEXT NOT NULL,
  open INTEGER NOT NULL,
  PRIMARY KEY (pse_id, procurement_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS notice_workloads_by_offering ON notice_workloads (offering_id, open);
CREATE TABLE IF NOT EXISTS notice_applications (
  application_id TEXT PRIMARY KEY,
  offering_id TEXT NOT NULL,
  offering_name TEXT NOT NULL
) WITHOUT ROWID;
`;

export const OFFERING_NOTICE_DROP = 'DROP TABLE IF EXISTS notice_pses; DROP TABLE IF EXISTS notice_workloads; DROP TABLE IF EXISTS notice_applications;';

export const OFFERING_NOTICE_EVENTS = new Set<string>([
  'PseRegistered',
  'PseJurisdictionChanged',
  'ProcurementRecorded',
  'ProcurementEnded',
  'AccreditationSubmitted',
  'AccreditationSuspended',
  'AccreditationReinstated',
]);

export type OfferingNoticeKind = 'offering-suspended' | 'offering-reinstated';

export interface OfferingNotice {
  pseId: string;
  jurisdiction: string;
  kind: OfferingNoticeKind;
  message: string;
}

/** The notice an entity with these workloads on the offering gets. Pure. */
export function offeringNoticeFor(
  event: AccreditationEventOf<'AccreditationSuspended' | 'AccreditationReinstated'>,
  offering: { offeringId: string; name: string },
  procurementIds: readonly string[],
): Pick<OfferingNotice, 'kind' | 'message'> {
  const label = `${offering.name} (${offering.offeringId})`;
  const yours = `your workloads on it (${procurementIds.join(', ')})`;
  if (event.type === 'AccreditationSuspended') {
    return {
      kind: 'offering-suspended',
      message: `The accreditation of ${label} is suspended: ${event.data.reasons} Nothing new may be procured on it until it is reinstated; ${yours} continue meanwhile.`,
    };
  }
  return {
    kind: 'offering-reinstated',
    message: `The accreditation of ${label} is reinstated: ${event.data.reasons} New procurements on it are allowed again; ${yours} continue.`,
  };
}

const statements = statementCache((db) => ({
  pse: db.prepare('INSERT OR REPLACE INTO notice_pses (pse_id, jurisdiction) VALUES (?, ?)') as Database.Statement<[string, string]>,
  recorded: db.prepare('INSERT OR REPLACE INTO notice_workloads (pse_id, procurement_id, offering_id, open) VALUES (?, ?, ?, 1)') as Database.Statement<
    [string, string, string]
  >,
  ended: db.prepare('UPDATE notice_workloads SET open = 0 WHERE pse_id = ? AND procurement_id = ?') as Database.Statement<[string, string]>,
  application: db.prepare('INSERT OR REPLACE INTO notice_applications (application_id, offering_id, offering_name) VALUES (?, ?, ?)') as Database.Statement<
    [string, string, string]
  >,
  offeringOf: db.prepare('SELECT offering_id, offering_name FROM notice_applications WHERE application_id = ?') as Database.Statement<
    [string],
    { offering_id: string; offering_name: string }
  >,
  usersOf: db.prepare(`
    SELECT w.pse_id, p.jurisdiction, w.procurement_id FROM notice_workloads w JOIN notice_pses p ON p.pse_id = w.pse_id
    WHERE w.offering_id = ? AND w.open = 1 ORDER BY w.pse_id, w.procurement_id`) as Database.Statement<
    [string],
    { pse_id: string; jurisdiction: string; procurement_id: string }
  >,
}));

export function resetOfferingNoticeStatements(db: ReadModelDb): void {
  statements.clear(db);
}

const suffix = (stream: string, prefix: string): string => stream.slice(prefix.length);

/**
 * Keeps the register of workloads and applications up to date and returns the notices an event gives;
 * the caller writes them to the outbox.
 */
export function applyOfferingEvent(db: ReadModelDb, decoded: DecodedEvent): OfferingNotice[] {
  const s = statements.get(db);
  switch (decoded.type) {
    case 'PseRegistered': {
      const d = decoded.data as PseEventOf<'PseRegistered'>['data'];
      s.pse.run(d.pseId, d.jurisdiction);
      return [];
    }
    case 'PseJurisdictionChanged': {
      // Notices from now on go to the entity in the jurisdiction it moved to.
      const d = decoded.data as PseEventOf<'PseJurisdictionChanged'>['data'];
      s.pse.run(suffix(decoded.stream, 'pse-'), d.jurisdiction);
      return [];
    }
    case 'ProcurementRecorded': {
      const d = decoded.data as PseEventOf<'ProcurementRecorded'>['data'];
      s.recorded.run(suffix(decoded.stream, 'pse-'), d.procurementId, d.offeringId);
      return [];
    }
    case 'ProcurementEnded': {
      const d = decoded.data as PseEventOf<'ProcurementEnded'>['data'];
      s.ended.run(suffix(decoded.stream, 'pse-'), d.procurementId);
      return [];
    }
    case 'AccreditationSubmitted': {
      const d = decoded.data as AccreditationEventOf<'AccreditationSubmitted'>['data'];
      s.application.run(d.applicationId, d.offering.offeringId, d.offering.name);
      return [];
    }
    case 'AccreditationSuspended':
    case 'AccreditationReinstated': {
      const offering = s.offeringOf.get(suffix(decoded.stream, 'accreditation-'));
      if (!offering) return [];
      const event = { type: decoded.type, data: decoded.data } as AccreditationEventOf<'AccreditationSuspended' | 'AccreditationReinstated'>;
      const users = new Map<string, { jurisdiction: string; procurements: string[] }>();
      for (const w of s.usersOf.all(offering.offering_id)) {
        const u = users.get(w.pse_id) ?? { jurisdiction: w.jurisdiction, procurements: [] };
        u.procurements.push(w.procurement_id);
        users.set(w.pse_id, u);
      }
      const about = { offeringId: offering.offering_id, name: offering.offering_name };
      return [...users].map(([pseId, u]) => ({ pseId, jurisdiction: u.jurisdiction, ...offeringNoticeFor(event, about, u.procurements) }));
    }
    default:
      return [];
  }
}
