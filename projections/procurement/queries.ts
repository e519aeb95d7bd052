import type Database from 'better-sqlite3';
import { checkProcurement } from '../../domain/procurement/check';
import { NOC_DEVIATIONS_BEARING } from '../../domain/procurement/noc-coverage';
import type { NocFacts, OfferingFacts, ProcurementInput, ProcurementQuery } from '../../domain/procurement/facts';
import type { ProcurementAnswer } from '../../domain/procurement/answer';
import type { AnswerDetail } from '../../domain/procurement/public-answer';
import { toMillis } from '../../domain/shared/time';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { createAccreditedListQueries, type AccreditedListQueries } from '../accreditation/queries';
import type { ReadModelDb } from '../db';
import { ProcurementCheckIndex, type CheckIndexOptions } from './check-index';

/**
 * The procurement check answered from the procurement-facts read model (SPEC §3.4: the hottest read,
 * never a workflow). The facts are read as they stood at the instant asked about. These SQL
 * functions are the reference the in-memory index is held equal to.
 */

const NAMING = JSON.stringify(NOC_DEVIATIONS_BEARING.namingTheOffering);
const UNNAMED = JSON.stringify(NOC_DEVIATIONS_BEARING.namingNoOffering);

interface Statements {
  offering: Database.Statement<[string, number], { facts: string | null }>;
  nocs: Database.Statement<[{ pse: string; at: number; offering: string; naming: string; unnamed: string }], { facts: string }>;
  pse: Database.Statement<[string], { jurisdiction: Jurisdiction }>;
}

const prepared = new WeakMap<ReadModelDb, Statements>();

function statementsFor(db: ReadModelDb): Statements {
  let s = prepared.get(db);
  if (!s) {
    s = {
      offering: db.prepare(
        'SELECT facts FROM pf_offering_versions WHERE offering_id = ? AND from_ms <= ? ORDER BY from_ms DESC, seq DESC LIMIT 1',
      ),
      // Each of the entity's NOCs as it stood at the instant, if it can bear on the question at all: one
      // naming another offering, or exempting from something no cloud procurement needs (on-premises
      // hosting, an own data centre), would only be listed as not applicable, so it is left out.
      nocs: db.prepare(`
        SELECT facts FROM pf_noc_versions
        WHERE pse_id = @pse AND to_ms > @at AND from_ms <= @at
          AND ((offering_id = @offering AND json_extract(facts, '$.deviation') IN (SELECT value FROM json_each(@naming)))
            OR (offering_id IS NULL AND json_extract(facts, '$.deviation') IN (SELECT value FROM json_each(@unnamed))))
        ORDER BY noc_id, seq`),
      pse: db.prepare('SELECT jurisdiction FROM pf_pses WHERE pse_id = ?'),
    };
    prepared.set(db, s);
  }
  return s;
}

function pseFacts(pseId: string, jurisdiction: Jurisdiction | undefined): ProcurementInput['pse'] {
  return jurisdiction === undefined ? { pseId } : { pseId, jurisdiction };
}

/** The check's input as the read model had it at `at`. */
export function procurementInput(db: ReadModelDb, query: Pick<ProcurementQuery, 'pse' | 'offering' | 'dataClass'>, at: string): ProcurementInput {
  const s = statementsFor(db);
  const atMs = toMillis(at);
  const version = s.offering.get(query.offering, atMs);
  const input: ProcurementInput = {
    // The hosting rules are national: the jurisdiction, from the register, is carried but decides nothing,
    // and an entity the register does not hold is given none rather than a guessed one.
    pse: pseFacts(query.pse, s.pse.get(query.pse)?.jurisdiction),
    dataClass: query.dataClass,
    offeringId: query.offering,
    nocs: s.nocs.all({ pse: query.pse, at: atMs, offering: query.offering, naming: NAMING, unnamed: UNNAMED }).map((row) => JSON.parse(row.facts) as NocFacts),
  };
  if (version?.facts) input.offering = JSON.parse(version.facts) as OfferingFacts;
  return input;
}

/** "May PSE `pse` put `dataClass` data on `offering` at `at` (default: now)?" with every reason. */
export function procurementCheck(db: ReadModelDb, query: ProcurementQuery, now: string): ProcurementAnswer {
  const at = query.at ?? now;
  return checkProcurement(procurementInput(db, query, at), at);
}

/** Everything the public endpoints and pages read: the accredited list, its change log, the check. */
export interface PublicQueries extends AccreditedListQueries {
  procurementCheck(query: ProcurementQuery, now: string): ProcurementAnswer;
  /**
   * The check's answer as the API sends it (`publicAnswer` or `entityAnswer` of `procurementCheck`'s),
   * serialised; absent where answers are not cached, and the caller serialises them itself.
   */
  procurementCheckJson?(query: ProcurementQuery, now: string, detail: AnswerDetail): string;
}

/**
 * The check goes through an in-memory index (check-index.ts), which gives the same answers as
 * `procurementCheck` above at a cost independent of history. It is made on first use: the API may
 * start before the projector has created the tables.
 */
export function createPublicQueries(db: ReadModelDb, options: CheckIndexOptions = {}): PublicQueries {
  const list = createAccreditedListQueries(db);
  let index: ProcurementCheckIndex | undefined;
  const checks = (): ProcurementCheckIndex => (index ??= new ProcurementCheckIndex(db, options));
  return {
    list: () => list.list(),
    changes: (filter) => list.changes(filter),
    offering: (offeringId) => list.offering(offeringId),
    procurementCheck: (query, now) => checks().answer(query, now),
    procurementCheckJson: (query, now, detail) => checks().answerJson(query, now, detail),
  };
}
