import { CSP_EVENT_TYPES, type CspEvent } from '../../domain/csp/events';
import { ACCREDITATION_EVENT_TYPES, type AccreditationEvent } from '../../domain/accreditation/events';
import type { Offering } from '../../domain/csp/events';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache } from '../projection';

/**
 * What the public read models need to know about CSPs, their offerings and which accreditation
 * application concerns which offering. Both the accredited list and the procurement facts keep such
 * tables, each its own copy under its own prefix: a projection owns its tables, so either can be reset
 * and rebuilt without the other.
 *
 * An offering id names one offering across the register (SPEC §3.1; the CSP process reserves the id in
 * the stream `offering-<id>` before adding it). The tables hold to that even for a history written before
 * the reservation existed: the first CSP to add an id owns it, another CSP's events about the same id
 * change nothing, and an application by another CSP is never credited to the owner's offering.
 */
export type CspRecordedEvent = DecodedEvent & CspEvent;
export type AccreditationRecordedEvent = DecodedEvent & AccreditationEvent;

const CSP_TYPES = new Set<string>(CSP_EVENT_TYPES);
const ACCREDITATION_TYPES = new Set<string>(ACCREDITATION_EVENT_TYPES);

export const isCspEventType = (type: string): boolean => CSP_TYPES.has(type);
export const isAccreditationEventType = (type: string): boolean => ACCREDITATION_TYPES.has(type);

/** The registry validated the data against its type's schema, so the unions are sound. */
export function asCspEvent(event: DecodedEvent): CspRecordedEvent | undefined {
  return isCspEventType(event.type) ? (event as CspRecordedEvent) : undefined;
}
export function asAccreditationEvent(event: DecodedEvent): AccreditationRecordedEvent | undefined {
  return isAccreditationEventType(event.type) ? (event as AccreditationRecordedEvent) : undefined;
}

const ACCREDITATION_STREAM = 'accreditation-';

/** An application's events live in the stream `accreditation-<applicationId>` (SPEC §4). */
export function applicationIdOf(event: { stream: string }): string {
  if (!event.stream.startsWith(ACCREDITATION_STREAM)) throw new Error(`${event.stream} is not an accreditation stream`);
  return event.stream.slice(ACCREDITATION_STREAM.length);
}

export interface OfferingRow {
  offeringId: string;
  cspId: string;
  cspName: string | null;
  name: string;
  deploymentModel: Offering['deploymentModel'];
  serviceModels: Offering['serviceModels'];
  dataCentres: Offering['dataCentres'];
  retired: boolean;
}

export interface ApplicationRow {
  applicationId: string;
  offeringId: string;
  cspId: string;
  /** The offering as submitted: what is shown when the CSP register has not (yet) got it. */
  offering: Offering;
}

interface RawOffering {
  offering_id: string;
  csp_id: string;
  csp_name: string | null;
  name: string;
  deployment_model: Offering['deploymentModel'];
  service_models: string;
  data_centres: string;
  retired: number;
}

export interface Catalogue {
  tables: string;
  drop: string;
  /** Applies a CSP event; returns the offerings whose facts changed. */
  applyCsp(db: ReadModelDb, event: CspRecordedEvent): string[];
  /** Records which offering an application is about (from its submission). */
  recordApplication(db: ReadModelDb, applicationId: string, offering: Offering, cspId: string): void;
  application(db: ReadModelDb, applicationId: string): ApplicationRow | undefined;
  /**
   * The application an accreditation event belongs to; a submission is recorded and answers undefined
   * (nothing else to do with it). A stream that does not open with its submission is corrupt: it throws
   * rather than guess.
   */
  applicationOf(db: ReadModelDb, event: AccreditationRecordedEvent): ApplicationRow | undefined;
  offering(db: ReadModelDb, offeringId: string): OfferingRow | undefined;
  /** Whether the application is by the CSP that owns its offering (or the register does not know the offering). */
  byOwner(db: ReadModelDb, application: ApplicationRow): boolean;
  cspRegistered(db: ReadModelDb, cspId: string): boolean;
  clear(db: ReadModelDb): void;
}

export function catalogue(prefix: string): Catalogue {
  const csps = `${prefix}_csps`;
  const offerings = `${prefix}_offerings`;
  const applications = `${prefix}_applications`;
  const tables = `
CREATE TABLE IF NOT EXISTS ${csps} (csp_id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ${offerings} (
  offering_id TEXT PRIMARY KEY,
  csp_id TEXT NOT NULL,
  name TEXT NOT NULL,
  deployment_model TEXT NOT NULL,
  service_models TEXT NOT NULL,
  data_centres TEXT NOT NULL,
  retired INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${offerings}_by_csp ON ${offerings} (csp_id);
CREATE TABLE IF NOT EXISTS ${applications} (
  application_id TEXT PRIMARY KEY,
  offering_id TEXT NOT NULL,
  csp_id TEXT NOT NULL,
  offering TEXT NOT NULL
) WITHOUT ROWID;
`;
  const statements = statementCache((db) => ({
    csp: db.prepare(`INSERT INTO ${csps} (csp_id, name) VALUES (?, ?) ON CONFLICT (csp_id) DO UPDATE SET name = excluded.name`),
    cspExists: db.prepare(`SELECT 1 AS one FROM ${csps} WHERE csp_id = ?`),
    cspOfferings: db.prepare(`SELECT offering_id FROM ${offerings} WHERE csp_id = ?`),
    owner: db.prepare(`SELECT csp_id FROM ${offerings} WHERE offering_id = ?`),
    upsertOffering: db.prepare(`
      INSERT INTO ${offerings} (offering_id, csp_id, name, deployment_model, service_models, data_centres, retired)
      VALUES (@offeringId, @cspId, @name, @deploymentModel, @serviceModels, @dataCentres, 0)
      ON CONFLICT (offering_id) DO UPDATE SET csp_id = excluded.csp_id, name = excluded.name,
        deployment_model = excluded.deployment_model, service_models = excluded.service_models,
        data_centres = excluded.data_centres, retired = 0
      WHERE ${offerings}.csp_id = excluded.csp_id`),
    retire: db.prepare(`UPDATE ${offerings} SET retired = 1 WHERE offering_id = ? AND csp_id = ?`),
    offering: db.prepare(`
      SELECT o.*, c.name AS csp_name FROM ${offerings} o LEFT JOIN ${csps} c ON c.csp_id = o.csp_id WHERE o.offering_id = ?`),
    recordApplication: db.prepare(`
      INSERT INTO ${applications} (application_id, offering_id, csp_id, offering) VALUES (?, ?, ?, ?)
      ON CONFLICT (application_id) DO NOTHING`),
    application: db.prepare(`SELECT * FROM ${applications} WHERE application_id = ?`),
  }));

  const ownerOf = (db: ReadModelDb, offeringId: string): string | undefined =>
    (statements.get(db).owner.get(offeringId) as { csp_id: string } | undefined)?.csp_id;
  /** Whether the CSP of the event's stream may move the offering: it owns it, or nobody does yet. */
  const mayMove = (db: ReadModelDb, event: CspRecordedEvent, offeringId: string): boolean => {
    const owner = ownerOf(db, offeringId);
    return owner === undefined || owner === cspIdOf(event);
  };

  return {
    tables,
    drop: `DROP TABLE IF EXISTS ${csps}; DROP TABLE IF EXISTS ${offerings}; DROP TABLE IF EXISTS ${applications};`,
    applyCsp(db, event) {
      const s = statements.get(db);
      switch (event.type) {
        case 'CspRegistered':
          s.csp.run(event.data.cspId, event.data.name);
          return (s.cspOfferings.all(event.data.cspId) as { offering_id: string }[]).map((r) => r.offering_id);
        case 'OfferingAdded':
        case 'OfferingUpdated': {
          const d = event.data;
          if (!mayMove(db, event, d.offeringId)) return [];
          s.upsertOffering.run({
            offeringId: d.offeringId,
            cspId: cspIdOf(event),
            name: d.name,
            deploymentModel: d.deploymentModel,
            serviceModels: JSON.stringify(d.serviceModels),
            dataCentres: JSON.stringify(d.dataCentres),
          });
          return [d.offeringId];
        }
        case 'OfferingRetired':
          if (!mayMove(db, event, event.data.offeringId)) return [];
          s.retire.run(event.data.offeringId, cspIdOf(event));
          return [event.data.offeringId];
        case 'OfferingAccreditationHeld':
        case 'OfferingAccreditationReleased':
          // The register's own record of what the accreditation streams already say: no public fact changes.
          return [];
      }
    },
    recordApplication(db, applicationId, offering, cspId) {
      statements.get(db).recordApplication.run(applicationId, offering.offeringId, cspId, JSON.stringify(offering));
    },
    application(db, applicationId) {
      const row = statements.get(db).application.get(applicationId) as
        | { application_id: string; offering_id: string; csp_id: string; offering: string }
        | undefined;
      if (!row) return undefined;
      return { applicationId: row.application_id, offeringId: row.offering_id, cspId: row.csp_id, offering: JSON.parse(row.offering) as Offering };
    },
    applicationOf(db, event) {
      const applicationId = applicationIdOf(event);
      if (event.type === 'AccreditationSubmitted') {
        this.recordApplication(db, applicationId, event.data.offering, event.data.cspId);
        return undefined;
      }
      const application = this.application(db, applicationId);
      if (!application) throw new Error(`Accreditation ${applicationId} has no submission: its stream does not start with AccreditationSubmitted`);
      return application;
    },
    offering(db, offeringId) {
      const row = statements.get(db).offering.get(offeringId) as RawOffering | undefined;
      if (!row) return undefined;
      return {
        offeringId: row.offering_id,
        cspId: row.csp_id,
        cspName: row.csp_name,
        name: row.name,
        deploymentModel: row.deployment_model,
        serviceModels: JSON.parse(row.service_models) as Offering['serviceModels'],
        dataCentres: JSON.parse(row.data_centres) as Offering['dataCentres'],
        retired: row.retired === 1,
      };
    },
    byOwner(db, application) {
      const owner = ownerOf(db, application.offeringId);
      return owner === undefined || owner === application.cspId;
    },
    cspRegistered(db, cspId) {
      return statements.get(db).cspExists.get(cspId) !== undefined;
    },
    clear(db) {
      statements.clear(db);
    },
  };
}

const CSP_STREAM = 'csp-';

/** A CSP's events live in the stream `csp-<cspId>`; offering events name the offering, not the CSP. */
function cspIdOf(event: { stream: string }): string {
  if (!event.stream.startsWith(CSP_STREAM)) throw new Error(`${event.stream} is not a CSP stream`);
  return event.stream.slice(CSP_STREAM.length);
}
