import type { AccreditationFacts, NocFacts, OfferingFacts } from '../../domain/procurement/facts';
import { toMillis } from '../../domain/shared/time';
import type { DecodedEvent } from '../../eventstore/registry';
import {
  asAccreditationEvent,
  asCspEvent,
  catalogue,
  isAccreditationEventType,
  isCspEventType,
  type AccreditationRecordedEvent,
} from '../accreditation/catalogue';
import type { PseEventOf } from '../../domain/pse/events';
import type { ReadModelDb } from '../db';
import { NOC_STATUS_AFTER, asNocEvent, isNocEventType, nocIdOf, type NocRecordedEvent } from '../noc/noc-events';
import { statementCache, type Projection } from '../projection';
import { rebuildCache } from '../rebuild-cache';

/**
 * The facts the procurement check reads (domain/procurement/facts.ts), kept as versions: each change
 * to an offering's facts or a NOC's facts appends the facts as they stand from the event's instant
 * on. The check at instant T reads the last version from before T, so "was it allowed on 1 March?"
 * is answered from what was true on 1 March — a suspension since then does not change that answer.
 *
 * The offering's accreditation is the one its latest granted application holds, whatever its status
 * now (a revoked one still carries its transition period; an expired one still says when it ran out).
 */
export const PROCUREMENT_CATALOGUE = catalogue('pf');

/** The end of the period of a NOC's latest facts: later than any instant anyone asks about. */
export const NOC_OPEN_END = Number.MAX_SAFE_INTEGER;

export const PROCUREMENT_FACTS_TABLES = `
CREATE TABLE IF NOT EXISTS pf_accreditations (
  offering_id TEXT PRIMARY KEY,
  application_id TEXT NOT NULL,
  facts TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pf_offering_versions (
  seq INTEGER PRIMARY KEY,
  offering_id TEXT NOT NULL,
  from_ms INTEGER NOT NULL,
  -- NULL: not on the register from then on (retired).
  facts TEXT
);
CREATE INDEX IF NOT EXISTS pf_offering_versions_by_time ON pf_offering_versions (offering_id, from_ms, seq);
-- Each version holds over [from_ms, to_ms): the check reads, per entity, the versions whose period
-- contains the instant, which for questions about now are only the latest ones (to_ms = NOC_OPEN_END).
CREATE TABLE IF NOT EXISTS pf_noc_versions (
  seq INTEGER PRIMARY KEY,
  noc_id TEXT NOT NULL,
  pse_id TEXT NOT NULL,
  offering_id TEXT,
  from_ms INTEGER NOT NULL,
  to_ms INTEGER NOT NULL,
  facts TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS pf_noc_versions_by_pse ON pf_noc_versions (pse_id, to_ms);
CREATE INDEX IF NOT EXISTS pf_noc_versions_by_noc ON pf_noc_versions (noc_id, seq);
CREATE TABLE IF NOT EXISTS pf_pses (pse_id TEXT PRIMARY KEY, jurisdiction TEXT NOT NULL) WITHOUT ROWID;
`;

const statements = statementCache((db) => ({
  accreditation: db.prepare('SELECT application_id, facts FROM pf_accreditations WHERE offering_id = ?'),
  setAccreditation: db.prepare(`
    INSERT INTO pf_accreditations (offering_id, application_id, facts) VALUES (?, ?, ?)
    ON CONFLICT (offering_id) DO UPDATE SET application_id = excluded.application_id, facts = excluded.facts`),
  lastOffering: db.prepare('SELECT facts FROM pf_offering_versions WHERE offering_id = ? ORDER BY seq DESC LIMIT 1'),
  addOffering: db.prepare('INSERT INTO pf_offering_versions (offering_id, from_ms, facts) VALUES (?, ?, ?)'),
  lastNoc: db.prepare('SELECT seq, facts FROM pf_noc_versions WHERE noc_id = ? ORDER BY seq DESC LIMIT 1'),
  closeNoc: db.prepare('UPDATE pf_noc_versions SET to_ms = ? WHERE seq = ?'),
  addNoc: db.prepare(
    `INSERT INTO pf_noc_versions (noc_id, pse_id, offering_id, from_ms, to_ms, facts) VALUES (?, ?, ?, ?, ${NOC_OPEN_END}, ?)`,
  ),
  maxNocSeq: db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM pf_noc_versions'),
  writeNoc: db.prepare('INSERT INTO pf_noc_versions (seq, noc_id, pse_id, offering_id, from_ms, to_ms, facts) VALUES (?, ?, ?, ?, ?, ?, ?)'),
  pse: db.prepare(
    'INSERT INTO pf_pses (pse_id, jurisdiction) VALUES (?, ?) ON CONFLICT (pse_id) DO UPDATE SET jurisdiction = excluded.jurisdiction',
  ),
}));

interface NocVersion {
  seq: number;
  facts: string;
}

/** A version row a rebuild has not written yet. */
interface PendingVersion {
  seq: number;
  nocId: string;
  pseId: string;
  offeringId: string | null;
  fromMs: number;
  toMs: number;
  facts: string;
}

/**
 * A NOC's versions as a rebuild holds them: the latest one's seq, facts (as written, and as the object
 * they were written from: plain strings, so JSON gives back an equal object with its keys in the same
 * order), the versions not written yet (oldest first), and the end of the period of the last version
 * written, when a newer one closed it.
 */
interface HeldNoc extends NocVersion {
  current: NocFacts;
  pending: PendingVersion[];
  close: { seq: number; toMs: number } | null;
}

function writeHeldNoc(db: ReadModelDb, _nocId: string, held: HeldNoc): void {
  const s = statements.get(db);
  if (held.close) s.closeNoc.run(held.close.toMs, held.close.seq);
  for (const v of held.pending) s.writeNoc.run(v.seq, v.nocId, v.pseId, v.offeringId, v.fromMs, v.toMs, v.facts);
  // The cache keeps this object: it now describes what the database holds.
  held.pending = [];
  held.close = null;
}

// During a rebuild each NOC's versions stay in memory and are written once per transaction: a version
// closed within it is written closed, not inserted open and updated.
const lastNocs = rebuildCache<HeldNoc>(writeHeldNoc);
/**
 * The seq the next version gets during a rebuild. The per-event path lets SQLite choose, which is the
 * largest seq plus one; only this projection writes the table, so counting from its largest seq gives
 * every version the seq the per-event path would.
 */
const nextNocSeq = new WeakMap<ReadModelDb, number>();

/** The offering's facts as they stand now in the tables; null when it is not (or no longer) on the register. */
function currentOfferingFacts(db: ReadModelDb, offeringId: string): OfferingFacts | null {
  const cat = PROCUREMENT_CATALOGUE;
  const s = statements.get(db);
  const registered = cat.offering(db, offeringId);
  if (registered?.retired) return null;
  const acc = s.accreditation.get(offeringId) as { application_id: string; facts: string } | undefined;
  // An offering the CSP register does not have is known only through an application's copy of it.
  const application = acc ? cat.application(db, acc.application_id) : undefined;
  const source = registered ?? application?.offering;
  const cspId = registered?.cspId ?? application?.cspId;
  if (!source || cspId === undefined) return null;
  const facts: OfferingFacts = {
    offeringId,
    cspId,
    cspRegistered: cat.cspRegistered(db, cspId),
    name: source.name,
    deploymentModel: source.deploymentModel,
    dataCentres: source.dataCentres.map((dc) => ({ city: dc.city, country: dc.country })),
  };
  if (acc) facts.accreditation = JSON.parse(acc.facts) as AccreditationFacts;
  return facts;
}

/** Appends a version when the facts differ from the last one. */
function recordOffering(db: ReadModelDb, offeringId: string, at: string): void {
  const s = statements.get(db);
  const facts = currentOfferingFacts(db, offeringId);
  const json = facts === null ? null : JSON.stringify(facts);
  const last = s.lastOffering.get(offeringId) as { facts: string | null } | undefined;
  if (last === undefined ? json === null : last.facts === json) return;
  s.addOffering.run(offeringId, toMillis(at), json);
}

/** The accreditation facts after an event of the application that holds (or is about to hold) them. */
function nextAccreditation(event: AccreditationRecordedEvent, current: AccreditationFacts | undefined): AccreditationFacts | undefined {
  if (event.type === 'AccreditationGranted') {
    const d = event.data;
    return {
      status: 'accredited',
      baseline: d.baseline,
      highestDataClass: d.highestDataClass,
      validFrom: d.validFrom,
      validUntil: d.validUntil,
      conditions: d.conditions,
    };
  }
  if (current === undefined) return undefined;
  switch (event.type) {
    case 'AccreditationRenewed':
      return { ...current, validUntil: event.data.validUntil };
    case 'AccreditationSuspended':
      return { ...current, status: 'suspended' };
    case 'AccreditationReinstated':
      return { ...current, status: 'accredited' };
    case 'AccreditationRevoked':
      return { ...current, status: 'revoked', transitionUntil: event.data.transitionUntil };
    case 'AccreditationExpired':
      return withMigration({ ...current, status: 'expired' }, event.data.transitionUntil);
    case 'AccreditationWithdrawn':
      return withMigration({ ...current, status: 'withdrawn' }, event.data.transitionUntil);
    default:
      return current;
  }
}

/** Events recorded before expiry and withdrawal gave a migration period carry none. */
const withMigration = (facts: AccreditationFacts, transitionUntil: string | undefined): AccreditationFacts =>
  transitionUntil === undefined ? facts : { ...facts, transitionUntil };

function applyAccreditation(db: ReadModelDb, event: AccreditationRecordedEvent): void {
  const application = PROCUREMENT_CATALOGUE.applicationOf(db, event);
  // An application by a CSP that does not own the offering id never lends the owner's offering its accreditation.
  if (!application || !PROCUREMENT_CATALOGUE.byOwner(db, application)) return;
  const { applicationId } = application;
  const s = statements.get(db);
  const held = s.accreditation.get(application.offeringId) as { application_id: string; facts: string } | undefined;
  // A grant takes the offering over; anything else moves it only if this application holds it.
  if (event.type !== 'AccreditationGranted' && held?.application_id !== applicationId) return;
  const current = held ? (JSON.parse(held.facts) as AccreditationFacts) : undefined;
  const next = nextAccreditation(event, current);
  if (next === undefined || next === current) return;
  s.setAccreditation.run(application.offeringId, applicationId, JSON.stringify(next));
  recordOffering(db, application.offeringId, event.metadata.occurredAt);
}

function nextNoc(event: NocRecordedEvent, current: NocFacts | undefined, nocId: string): NocFacts {
  if (event.type === 'NocRequested') {
    const d = event.data;
    const facts: NocFacts = { nocId, pseId: d.pseId, status: 'requested', deviation: d.deviation, dataClass: d.dataClass };
    if (d.offeringId !== undefined) facts.offeringId = d.offeringId;
    return facts;
  }
  if (current === undefined) throw new Error(`NOC ${nocId} has no facts: its stream does not start with NocRequested`);
  const status = NOC_STATUS_AFTER[event.type] ?? current.status;
  switch (event.type) {
    case 'NocApproved':
      return { ...current, status, validFrom: event.data.validFrom, validUntil: event.data.validUntil };
    case 'NocExtensionApproved':
      return { ...current, status, validUntil: event.data.validUntil };
    default:
      return { ...current, status };
  }
}

function applyNoc(db: ReadModelDb, decoded: DecodedEvent): void {
  const event = asNocEvent(decoded);
  const nocId = nocIdOf(event);
  const s = statements.get(db);
  if (lastNocs.enabled(db)) return applyNocHeld(db, event, nocId);
  const last = s.lastNoc.get(nocId) as NocVersion | undefined;
  const next = nextNoc(event, last ? (JSON.parse(last.facts) as NocFacts) : undefined, nocId);
  const json = JSON.stringify(next);
  if (last?.facts === json) return;
  const from = toMillis(event.metadata.occurredAt);
  if (last) s.closeNoc.run(from, last.seq);
  s.addNoc.run(nocId, next.pseId, next.offeringId ?? null, from, json);
}

/**
 * applyNoc on versions held in memory (a rebuild): the same versions, written by writeHeldNoc. The held
 * object is the cache's own, so it is changed in place rather than copied per event.
 */
function applyNocHeld(db: ReadModelDb, event: NocRecordedEvent, nocId: string): void {
  const s = statements.get(db);
  const held = lastNocs.get(db, nocId, () => {
    const row = s.lastNoc.get(nocId) as NocVersion | undefined;
    return row && { ...row, current: JSON.parse(row.facts) as NocFacts, pending: [], close: null };
  });
  const next = nextNoc(event, held?.current, nocId);
  const json = JSON.stringify(next);
  if (held?.facts === json) return;
  const from = toMillis(event.metadata.occurredAt);
  const seq = nextNocSeq.get(db) ?? 1;
  nextNocSeq.set(db, seq + 1);
  const version: PendingVersion = { seq, nocId, pseId: next.pseId, offeringId: next.offeringId ?? null, fromMs: from, toMs: NOC_OPEN_END, facts: json };
  if (!held) {
    lastNocs.put(db, nocId, { seq, facts: json, current: next, pending: [version], close: null });
    return;
  }
  const latest = held.pending.at(-1);
  if (latest && latest.seq === held.seq) latest.toMs = from;
  else held.close = { seq: held.seq, toMs: from };
  held.pending.push(version);
  held.seq = seq;
  held.facts = json;
  held.current = next;
  lastNocs.put(db, nocId, held);
}

function apply(db: ReadModelDb, event: DecodedEvent): void {
  if (event.type === 'PseRegistered') {
    // The register is where an entity's jurisdiction comes from.
    const data = event.data as PseEventOf<'PseRegistered'>['data'];
    statements.get(db).pse.run(data.pseId, data.jurisdiction);
    return;
  }
  if (event.type === 'PseJurisdictionChanged') {
    const data = event.data as PseEventOf<'PseJurisdictionChanged'>['data'];
    statements.get(db).pse.run(event.stream.slice('pse-'.length), data.jurisdiction);
    return;
  }
  if (isNocEventType(event.type)) {
    applyNoc(db, event);
    return;
  }
  const csp = asCspEvent(event);
  if (csp) {
    for (const offeringId of PROCUREMENT_CATALOGUE.applyCsp(db, csp)) recordOffering(db, offeringId, csp.metadata.occurredAt);
    return;
  }
  const accreditation = asAccreditationEvent(event);
  if (accreditation) applyAccreditation(db, accreditation);
}

export const PROCUREMENT_FACTS = 'procurement-facts';

export const procurementFactsProjection: Projection = {
  name: PROCUREMENT_FACTS,
  // 2: an offering id belongs to the first CSP that added it; another CSP's events and applications about it are left out.
  // 3: entities' jurisdictions come from the PSE register, no longer from their NOC requests.
  version: 3,
  setup(db) {
    db.exec(PROCUREMENT_CATALOGUE.tables + PROCUREMENT_FACTS_TABLES);
    statements.clear(db);
    PROCUREMENT_CATALOGUE.clear(db);
  },
  handles: (type) => type === 'PseRegistered' || type === 'PseJurisdictionChanged' || isNocEventType(type) || isCspEventType(type) || isAccreditationEventType(type),
  apply,
  // pf_noc_versions_by_noc stays: lastNoc reads it when a NOC is not in memory.
  bulk: {
    begin(db) {
      lastNocs.enable(db);
      nextNocSeq.set(db, (statements.get(db).maxNocSeq.get() as { seq: number }).seq + 1);
    },
    flush: (db) => lastNocs.flush(db),
    deferredIndexes: ['pf_noc_versions_by_pse'],
  },
  reset(db) {
    lastNocs.clear(db);
    nextNocSeq.delete(db);
    statements.clear(db);
    PROCUREMENT_CATALOGUE.clear(db);
    db.exec(
      `${PROCUREMENT_CATALOGUE.drop} DROP TABLE IF EXISTS pf_accreditations; DROP TABLE IF EXISTS pf_offering_versions;
       DROP TABLE IF EXISTS pf_noc_versions; DROP TABLE IF EXISTS pf_pses;`,
    );
  },
};
