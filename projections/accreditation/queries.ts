import type Database from 'better-sqlite3';
import type { Offering } from '../../domain/csp/events';
import type { Baseline, DataClass, Role } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';
import type { ChangeKind, ListedStatus, PublicAccreditationStatus } from './accredited-list';

/** One offering on the public accredited list, with the facts a buyer needs to judge it. */
export interface AccreditedListRow {
  offeringId: string;
  offeringName: string;
  cspId: string;
  /** Null only when the CSP's registration has not been projected (the CSP register lags behind). */
  cspName: string | null;
  deploymentModel: Offering['deploymentModel'];
  serviceModels: Offering['serviceModels'];
  dataCentres: Offering['dataCentres'];
  applicationId: string;
  status: ListedStatus;
  baseline: Baseline;
  highestDataClass: DataClass;
  /** When the current accreditation was granted. */
  accreditedSince: string;
  validFrom: string;
  validUntil: string;
  conditions: string[];
  updatedAt: string;
}

/** One entry of the accredited list's change log: a change of an offering's public status, a renewal, or a change of the offering. */
export interface AccreditationChangeRow {
  /** The id of the event the entry records: stable, so a feed reader sees each entry once. */
  eventId: string;
  kind: ChangeKind;
  offeringId: string;
  offeringName: string;
  applicationId: string;
  /** Null when the change is a grant. */
  from: ListedStatus | null;
  to: PublicAccreditationStatus;
  at: string;
  reasons: string;
  /** For a revocation: until when existing users may keep using the offering. */
  transitionUntil: string | null;
  /** For a grant or a renewal: until when the accreditation is valid. */
  validUntil: string | null;
  /** Who decided, as the public may know them: a name and a role, not an account id. */
  decidedBy: { name: string | null; role: Role };
}

export interface ChangesFilter {
  offeringId?: string;
  limit: number;
  offset: number;
}

/**
 * An offering's public record: what it is, who provides it, the accreditation it holds (none once it
 * ended) and every entry of the change log about it, newest first.
 */
export interface OfferingRecord
  extends Pick<AccreditedListRow, 'offeringId' | 'offeringName' | 'cspId' | 'cspName' | 'deploymentModel' | 'serviceModels' | 'dataCentres'> {
  status: PublicAccreditationStatus;
  /** The provider retired the offering: it is off the list whatever its accreditation says. */
  retired: boolean;
  accreditation: Pick<
    AccreditedListRow,
    'applicationId' | 'baseline' | 'highestDataClass' | 'accreditedSince' | 'validFrom' | 'validUntil' | 'conditions'
  > | null;
  history: AccreditationChangeRow[];
}

export interface AccreditedListQueries {
  /** The whole list, by offering name. */
  list(): AccreditedListRow[];
  /** The change log, newest first. */
  changes(filter: ChangesFilter): AccreditationChangeRow[];
  /** An offering that is or was on the list; undefined for one that never was. */
  offering(offeringId: string): OfferingRecord | undefined;
}

interface ListDbRow {
  offering_id: string;
  offering_name: string | null;
  csp_id: string;
  csp_name: string | null;
  deployment_model: string | null;
  service_models: string | null;
  data_centres: string | null;
  snapshot: string;
  application_id: string;
  status: ListedStatus;
  baseline: Baseline;
  highest_data_class: DataClass;
  accredited_since: string;
  valid_from: string;
  valid_until: string;
  conditions: string;
  updated_at: string;
}

interface ChangeDbRow {
  event_id: string;
  kind: ChangeKind;
  offering_id: string;
  offering_name: string | null;
  snapshot: string;
  application_id: string;
  from_status: ListedStatus | null;
  to_status: PublicAccreditationStatus;
  at: string;
  reasons: string;
  transition_until: string | null;
  valid_until: string | null;
  by_name: string | null;
  by_role: Role;
}

/**
 * Offering facts come from the CSP register (al_offerings); the offering as submitted with the
 * application stands in when the register has not got it, so a row is never missing its name.
 */
const LIST_SQL = (byOffering: boolean): string => `
  SELECT l.*, o.retired, o.name AS offering_name, COALESCE(o.csp_id, a.csp_id) AS csp_id, c.name AS csp_name,
    o.deployment_model, o.service_models, o.data_centres, a.offering AS snapshot
  FROM accredited_list l
  JOIN al_applications a ON a.application_id = l.application_id
  LEFT JOIN al_offerings o ON o.offering_id = l.offering_id
  LEFT JOIN al_csps c ON c.csp_id = COALESCE(o.csp_id, a.csp_id)
  ${byOffering ? 'WHERE l.offering_id = ?' : 'WHERE o.retired IS NOT 1'}
  ORDER BY COALESCE(o.name, json_extract(a.offering, '$.name')), l.offering_id`;

const CHANGES_SQL = (byOffering: boolean): string => `
  SELECT ch.*, o.name AS offering_name, a.offering AS snapshot
  FROM accreditation_changes ch
  JOIN al_applications a ON a.application_id = ch.application_id
  LEFT JOIN al_offerings o ON o.offering_id = ch.offering_id
  ${byOffering ? 'WHERE ch.offering_id = ?' : ''}
  ORDER BY ch.at_ms DESC, ch.application_id, ch.revision DESC
  LIMIT ? OFFSET ?`;

function toListRow(row: ListDbRow): AccreditedListRow {
  const snapshot = JSON.parse(row.snapshot) as Offering;
  return {
    offeringId: row.offering_id,
    offeringName: row.offering_name ?? snapshot.name,
    cspId: row.csp_id,
    cspName: row.csp_name,
    deploymentModel: (row.deployment_model ?? snapshot.deploymentModel) as Offering['deploymentModel'],
    serviceModels: row.service_models === null ? snapshot.serviceModels : (JSON.parse(row.service_models) as Offering['serviceModels']),
    dataCentres: row.data_centres === null ? snapshot.dataCentres : (JSON.parse(row.data_centres) as Offering['dataCentres']),
    applicationId: row.application_id,
    status: row.status,
    baseline: row.baseline,
    highestDataClass: row.highest_data_class,
    accreditedSince: row.accredited_since,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    conditions: JSON.parse(row.conditions) as string[],
    updatedAt: row.updated_at,
  };
}

function toChangeRow(row: ChangeDbRow): AccreditationChangeRow {
  return {
    eventId: row.event_id,
    kind: row.kind,
    offeringId: row.offering_id,
    offeringName: row.offering_name ?? (JSON.parse(row.snapshot) as Offering).name,
    applicationId: row.application_id,
    from: row.from_status,
    to: row.to_status,
    at: row.at,
    reasons: row.reasons,
    transitionUntil: row.transition_until,
    validUntil: row.valid_until,
    decidedBy: { name: row.by_name, role: row.by_role },
  };
}

/** The offering as the register (or, failing it, the application that was last granted) describes it. */
const OFFERING_SQL = `
  SELECT COALESCE(o.name, json_extract(a.offering, '$.name')) AS offering_name, COALESCE(o.csp_id, a.csp_id) AS csp_id,
    c.name AS csp_name, o.deployment_model, o.service_models, o.data_centres, o.retired, a.offering AS snapshot
  FROM al_applications a
  LEFT JOIN al_offerings o ON o.offering_id = a.offering_id
  LEFT JOIN al_csps c ON c.csp_id = COALESCE(o.csp_id, a.csp_id)
  WHERE a.application_id = ?`;

interface OfferingDbRow {
  retired: number | null;
  offering_name: string;
  csp_id: string;
  csp_name: string | null;
  deployment_model: string | null;
  service_models: string | null;
  data_centres: string | null;
  snapshot: string;
}

function endedRecord(row: OfferingDbRow, offeringId: string, history: AccreditationChangeRow[]): OfferingRecord {
  const snapshot = JSON.parse(row.snapshot) as Offering;
  return {
    offeringId,
    offeringName: row.offering_name,
    cspId: row.csp_id,
    cspName: row.csp_name,
    deploymentModel: (row.deployment_model ?? snapshot.deploymentModel) as Offering['deploymentModel'],
    serviceModels: row.service_models === null ? snapshot.serviceModels : (JSON.parse(row.service_models) as Offering['serviceModels']),
    dataCentres: row.data_centres === null ? snapshot.dataCentres : (JSON.parse(row.data_centres) as Offering['dataCentres']),
    status: (history[0] as AccreditationChangeRow).to,
    retired: row.retired === 1,
    accreditation: null,
    history,
  };
}

function listedRecord(r: AccreditedListRow, retired: boolean, history: AccreditationChangeRow[]): OfferingRecord {
  const { offeringId, offeringName, cspId, cspName, deploymentModel, serviceModels, dataCentres, status } = r;
  const { applicationId, baseline, highestDataClass, accreditedSince, validFrom, validUntil, conditions } = r;
  return {
    offeringId,
    offeringName,
    cspId,
    cspName,
    deploymentModel,
    serviceModels,
    dataCentres,
    status,
    retired,
    accreditation: { applicationId, baseline, highestDataClass, accreditedSince, validFrom, validUntil, conditions },
    history,
  };
}

/** Read-only queries; statements are prepared on first use, so the projector may create the tables later. */
export function createAccreditedListQueries(db: ReadModelDb): AccreditedListQueries {
  let list: Database.Statement<[], ListDbRow> | undefined;
  let listed: Database.Statement<[string], ListDbRow & { retired: number | null }> | undefined;
  let all: Database.Statement<[number, number], ChangeDbRow> | undefined;
  let byOffering: Database.Statement<[string, number, number], ChangeDbRow> | undefined;
  let offering: Database.Statement<[string], OfferingDbRow> | undefined;
  const changes = (filter: ChangesFilter): AccreditationChangeRow[] => {
    if (filter.offeringId === undefined) {
      all ??= db.prepare(CHANGES_SQL(false));
      return all.all(filter.limit, filter.offset).map(toChangeRow);
    }
    byOffering ??= db.prepare(CHANGES_SQL(true));
    return byOffering.all(filter.offeringId, filter.limit, filter.offset).map(toChangeRow);
  };
  return {
    list() {
      list ??= db.prepare(LIST_SQL(false));
      return list.all().map(toListRow);
    },
    changes,
    offering(offeringId) {
      // LIMIT -1: every entry; an offering's own history is short.
      const history = changes({ offeringId, limit: -1, offset: 0 });
      listed ??= db.prepare(LIST_SQL(true));
      const row = listed.get(offeringId);
      if (row) return listedRecord(toListRow(row), row.retired === 1, history);
      const last = history[0];
      if (last === undefined) return undefined;
      offering ??= db.prepare(OFFERING_SQL);
      const facts = offering.get(last.applicationId);
      return facts === undefined ? undefined : endedRecord(facts, offeringId, history);
    },
  };
}
