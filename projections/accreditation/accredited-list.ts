import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import type { ReadModelDb } from '../db';
import { statementCache, type Projection } from '../projection';
import {
  asAccreditationEvent,
  asCspEvent,
  catalogue,
  isAccreditationEventType,
  isCspEventType,
  type AccreditationRecordedEvent,
  type CspRecordedEvent,
} from './catalogue';

/**
 * The public accredited list (SPEC §4): one row per offering whose accreditation is `accredited` or
 * `suspended`, and accreditation_changes, the log of every change of that public status. An offering
 * leaves the list when its accreditation expires, is revoked or is withdrawn.
 *
 * The row belongs to the application that last granted the offering an accreditation: a newer grant
 * (a re-application at a higher baseline) takes the row over, and what later happens to the older
 * application no longer moves the offering.
 */
export const ACCREDITED_LIST_CATALOGUE = catalogue('al');

export const ACCREDITED_LIST_TABLES = `
CREATE TABLE IF NOT EXISTS accredited_list (
  offering_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  status TEXT NOT NULL,
  baseline TEXT NOT NULL,
  highest_data_class TEXT NOT NULL,
  accredited_since TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  valid_until_ms INTEGER NOT NULL,
  conditions TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accreditation_changes (
  event_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  application_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  offering_id TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  transition_until TEXT,
  valid_until TEXT,
  by_user_id TEXT NOT NULL,
  by_name TEXT,
  by_role TEXT NOT NULL,
  event_type TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS accreditation_changes_by_time ON accreditation_changes (at_ms);
CREATE INDEX IF NOT EXISTS accreditation_changes_by_offering ON accreditation_changes (offering_id, at_ms);
`;

/** The public statuses: held ones keep a row; the others are how an accreditation ends. */
export const LISTED_STATUSES = ['accredited', 'suspended'] as const;
export const ENDED_STATUSES = ['expired', 'revoked', 'withdrawn'] as const;
export type ListedStatus = (typeof LISTED_STATUSES)[number];
export type PublicAccreditationStatus = ListedStatus | (typeof ENDED_STATUSES)[number];

/**
 * What an entry of the change log records. A renewal (a new validity) and a change of the listed
 * offering itself (its deployment, data centres, name) keep the status but change what the list says.
 */
export const CHANGE_KINDS = ['granted', 'renewed', 'suspended', 'reinstated', 'revoked', 'expired', 'withdrawn', 'changed'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

const statements = statementCache((db) => ({
  row: db.prepare('SELECT application_id, status FROM accredited_list WHERE offering_id = ?'),
  grant: db.prepare(`
    INSERT INTO accredited_list (offering_id, application_id, status, baseline, highest_data_class, accredited_since,
      valid_from, valid_until, valid_until_ms, conditions, updated_at)
    VALUES (@offeringId, @applicationId, 'accredited', @baseline, @highestDataClass, @at, @validFrom, @validUntil,
      @validUntilMs, @conditions, @at)
    ON CONFLICT (offering_id) DO UPDATE SET application_id = excluded.application_id, status = excluded.status,
      baseline = excluded.baseline, highest_data_class = excluded.highest_data_class,
      accredited_since = excluded.accredited_since, valid_from = excluded.valid_from, valid_until = excluded.valid_until,
      valid_until_ms = excluded.valid_until_ms, conditions = excluded.conditions, updated_at = excluded.updated_at`),
  renew: db.prepare('UPDATE accredited_list SET valid_until = ?, valid_until_ms = ?, updated_at = ? WHERE offering_id = ?'),
  status: db.prepare('UPDATE accredited_list SET status = ?, updated_at = ? WHERE offering_id = ?'),
  remove: db.prepare('DELETE FROM accredited_list WHERE offering_id = ?'),
  change: db.prepare(`
    INSERT INTO accreditation_changes (event_id, kind, application_id, revision, offering_id, from_status, to_status, at, at_ms,
      reasons, transition_until, valid_until, by_user_id, by_name, by_role, event_type)
    VALUES (@eventId, @kind, @applicationId, @revision, @offeringId, @from, @to, @at, @atMs, @reasons, @transitionUntil,
      @validUntil, @byUserId, @byName, @byRole, @eventType)`),
}));

const migration = (transitionUntil: string | undefined): { transitionUntil?: string } => (transitionUntil === undefined ? {} : { transitionUntil });

/** For each event that changes the public status: the status it leads to, and why, in the event's own words. */
function transitionOf(
  event: AccreditationRecordedEvent,
): { kind: ChangeKind; to: PublicAccreditationStatus; reasons: string; transitionUntil?: string } | undefined {
  switch (event.type) {
    case 'AccreditationGranted':
      return { kind: 'granted', to: 'accredited', reasons: event.data.reasons };
    case 'AccreditationSuspended':
      return { kind: 'suspended', to: 'suspended', reasons: event.data.reasons };
    case 'AccreditationReinstated':
      return { kind: 'reinstated', to: 'accredited', reasons: event.data.reasons };
    case 'AccreditationRevoked':
      return { kind: 'revoked', to: 'revoked', reasons: event.data.reasons, transitionUntil: event.data.transitionUntil };
    // A grant that ends by expiry or withdrawal gives its users a migration period too (absent on older events).
    case 'AccreditationWithdrawn':
      return { kind: 'withdrawn', to: 'withdrawn', reasons: event.data.reason, ...migration(event.data.transitionUntil) };
    case 'AccreditationExpired':
      return {
        kind: 'expired',
        to: 'expired',
        reasons: `The accreditation ran until ${event.data.validUntil} and was not renewed`,
        ...migration(event.data.transitionUntil),
      };
    default:
      return undefined;
  }
}

interface LogEntry {
  kind: ChangeKind;
  applicationId: string;
  offeringId: string;
  from: ListedStatus | null;
  to: PublicAccreditationStatus;
  reasons: string;
  transitionUntil?: string;
  validUntil?: string;
  byName?: string;
}

function logChange(db: ReadModelDb, event: AccreditationRecordedEvent | CspRecordedEvent, entry: LogEntry): void {
  const at = event.metadata.occurredAt;
  const { actor } = event.metadata;
  statements.get(db).change.run({
    eventId: event.id,
    kind: entry.kind,
    applicationId: entry.applicationId,
    revision: event.revision,
    offeringId: entry.offeringId,
    from: entry.from,
    to: entry.to,
    at,
    atMs: toMillis(at),
    reasons: entry.reasons,
    transitionUntil: entry.transitionUntil ?? null,
    validUntil: entry.validUntil ?? null,
    byUserId: actor.userId,
    byName: actor.name ?? entry.byName ?? null,
    byRole: actor.role,
    eventType: event.type,
  });
}

function applyAccreditation(db: ReadModelDb, event: AccreditationRecordedEvent): void {
  const application = ACCREDITED_LIST_CATALOGUE.applicationOf(db, event);
  // An application by a CSP that does not own the offering id is never listed under the owner's offering.
  if (!application || !ACCREDITED_LIST_CATALOGUE.byOwner(db, application)) return;
  const { applicationId } = application;
  const s = statements.get(db);
  const { offeringId } = application;
  const at = event.metadata.occurredAt;
  const current = s.row.get(offeringId) as { application_id: string; status: ListedStatus } | undefined;
  const owns = current?.application_id === applicationId;

  if (event.type === 'AccreditationRenewed') {
    if (!owns || current === undefined) return;
    s.renew.run(event.data.validUntil, toMillis(event.data.validUntil), at, offeringId);
    logChange(db, event, {
      kind: 'renewed',
      applicationId,
      offeringId,
      from: current.status,
      to: current.status,
      reasons: event.data.reasons,
      validUntil: event.data.validUntil,
    });
    return;
  }
  const transition = transitionOf(event);
  if (!transition) return;
  let from: ListedStatus | null;
  if (event.type === 'AccreditationGranted') {
    const d = event.data;
    s.grant.run({
      offeringId,
      applicationId,
      baseline: d.baseline,
      highestDataClass: d.highestDataClass,
      at,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      validUntilMs: toMillis(d.validUntil),
      conditions: JSON.stringify(d.conditions),
    });
    from = null;
  } else {
    // Only the application that holds the row moves it; an older, superseded one (or one that never
    // reached a grant and is withdrawn) changes nothing the public sees.
    if (!owns || current === undefined || current.status === transition.to) return;
    from = current.status;
    if ((ENDED_STATUSES as readonly string[]).includes(transition.to)) s.remove.run(offeringId);
    else s.status.run(transition.to, at, offeringId);
  }
  logChange(db, event, {
    ...transition,
    applicationId,
    offeringId,
    from,
    ...(event.type === 'AccreditationGranted' ? { validUntil: event.data.validUntil, byName: event.data.decidedByName } : {}),
  });
}

const CHANGED_FIELDS: Record<string, string> = {
  name: 'name',
  deploymentModel: 'deployment model',
  serviceModels: 'service models',
  dataCentres: 'data centres',
};

/** A listed offering changed by its provider or by an approved significant change: the list now says something else. */
function applyOfferingUpdate(db: ReadModelDb, event: CspRecordedEvent & { type: 'OfferingUpdated' }): void {
  const d = event.data;
  const current = statements.get(db).row.get(d.offeringId) as { application_id: string; status: ListedStatus } | undefined;
  if (current === undefined) return;
  const what = d.changed.map((field) => CHANGED_FIELDS[field] ?? field).join(', ');
  logChange(db, event, {
    kind: 'changed',
    applicationId: current.application_id,
    offeringId: d.offeringId,
    from: current.status,
    to: current.status,
    reasons: d.changeId === undefined ? `The provider changed its ${what}` : `Significant change ${d.changeId} took effect: ${what}`,
  });
}

function apply(db: ReadModelDb, event: DecodedEvent): void {
  const csp = asCspEvent(event);
  if (csp) {
    const moved = ACCREDITED_LIST_CATALOGUE.applyCsp(db, csp);
    if (csp.type === 'OfferingUpdated' && moved.length > 0) applyOfferingUpdate(db, csp);
    return;
  }
  const accreditation = asAccreditationEvent(event);
  if (accreditation) applyAccreditation(db, accreditation);
}

export const ACCREDITED_LIST = 'accredited-list';

export const accreditedListProjection: Projection = {
  name: ACCREDITED_LIST,
  // 2: an offering id belongs to the first CSP that added it; another CSP's events and applications about it are left out.
  // 3: the change log keeps renewals and changes of a listed offering too, each under its event's id and kind.
  version: 3,
  setup(db) {
    db.exec(ACCREDITED_LIST_CATALOGUE.tables + ACCREDITED_LIST_TABLES);
    statements.clear(db);
    ACCREDITED_LIST_CATALOGUE.clear(db);
  },
  handles: (type) => isCspEventType(type) || isAccreditationEventType(type),
  apply,
  reset(db) {
    statements.clear(db);
    ACCREDITED_LIST_CATALOGUE.clear(db);
    db.exec(`${ACCREDITED_LIST_CATALOGUE.drop} DROP TABLE IF EXISTS accredited_list; DROP TABLE IF EXISTS accreditation_changes;`);
  },
};
