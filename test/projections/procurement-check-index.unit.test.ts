import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { publicAnswer, entityAnswer, type ProcurementAnswer, type ProcurementQuery } from '../../domain/procurement';
import type { AccreditationFacts, NocFacts, OfferingFacts } from '../../domain/procurement/facts';
import { NOC_FACT_DEVIATIONS, NOC_FACT_STATUSES, ACCREDITATION_STATUSES } from '../../domain/procurement/facts';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DATA_CLASSES, JURISDICTIONS, type DataClass } from '../../domain/shared/vocabulary';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { ProcurementCheckIndex } from '../../projections/procurement/check-index';
import { NOC_OPEN_END, procurementFactsProjection } from '../../projections/procurement/facts';
import { procurementCheck, procurementInput } from '../../projections/procurement/queries';
import { director, pse, reviewer } from '../support/actors';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, registerCsp, registerPse } from './accredited-fixtures';
import { TestLog, memoryDb, project } from './support';

/**
 * The in-memory index must answer exactly as the SQL reference does, for any history and any
 * instant, and must follow the read model as the projector changes it.
 */

const DAY = 86_400_000;
const BASE = Date.parse('2025-01-01T00:00:00.000Z');
const NOW = '2026-06-01T00:00:00.000Z';
const iso = (ms: number): string => new Date(ms).toISOString();
/** A coarse grid of instants, so that versions, validity ends and questions often fall on the same one. */
const instant = fc.integer({ min: 0, max: 16 }).map((k) => BASE + k * 30 * DAY);
const askedAt = fc.tuple(instant, fc.constantFrom(-1, 0, 1, 7 * DAY)).map(([t, d]) => t + d);
const PSES = ['pse-a', 'pse-b'];
const OFFERINGS = ['off-1', 'off-2', 'off-3'];

const accreditation: fc.Arbitrary<AccreditationFacts> = fc
  .record({
    status: fc.constantFrom(...ACCREDITATION_STATUSES),
    baseline: fc.constantFrom('baseline', 'intermediate', 'enhanced', 'highest' as const),
    highestDataClass: fc.constantFrom(...DATA_CLASSES),
    validFrom: instant,
    length: fc.integer({ min: 1, max: 12 }),
    transitionUntil: fc.option(instant, { nil: undefined }),
    conditions: fc.array(fc.constantFrom('Quarterly report', 'Annual audit'), { maxLength: 2 }),
  })
  .map(({ length, validFrom, transitionUntil, ...rest }) => ({
    ...rest,
    validFrom: iso(validFrom),
    validUntil: iso(validFrom + length * 30 * DAY),
    ...(transitionUntil === undefined ? {} : { transitionUntil: iso(transitionUntil) }),
  }));

const offeringFacts = (offeringId: string): fc.Arbitrary<OfferingFacts> =>
  fc
    .record({
      cspRegistered: fc.boolean(),
      deploymentModel: fc.constantFrom('public', 'government' as const),
      abroad: fc.boolean(),
      accreditation: fc.option(accreditation, { nil: undefined }),
    })
    .map(({ abroad, accreditation: acc, ...rest }) => ({
      offeringId,
      cspId: 'csp-one',
      name: `Offering ${offeringId}`,
      ...rest,
      dataCentres: abroad ? [{ city: 'Dubai', country: 'AE' }] : [{ city: 'Lahore', country: 'PK' }],
      ...(acc === undefined ? {} : { accreditation: acc }),
    }));

/** One change the projection makes to the tables, as `apply` would make it. */
type Change =
  | { kind: 'noc'; noc: number; at: number; status: NocFacts['status']; valid: [number, number] | undefined }
  | { kind: 'offering'; offering: string; at: number; facts: OfferingFacts | null }
  | { kind: 'pse'; pseId: string; jurisdiction: (typeof JURISDICTIONS)[number] };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant('noc' as const),
    noc: fc.integer({ min: 0, max: 7 }),
    at: instant,
    status: fc.constantFrom(...NOC_FACT_STATUSES),
    valid: fc.option(fc.tuple(instant, fc.integer({ min: 1, max: 8 })).map(([from, n]): [number, number] => [from, from + n * 30 * DAY]), { nil: undefined }),
  }),
  fc.constantFrom(...OFFERINGS).chain((offering) =>
    fc.record({ kind: fc.constant('offering' as const), offering: fc.constant(offering), at: instant, facts: fc.option(offeringFacts(offering), { nil: null }) }),
  ),
  fc.record({ kind: fc.constant('pse' as const), pseId: fc.constantFrom(...PSES), jurisdiction: fc.constantFrom(...JURISDICTIONS) }),
);

/** Each of the eight NOCs keeps its entity, deviation, data class and offering (or none) for life. */
const nocIdentity = fc.array(
  fc.record({
    pseId: fc.constantFrom(...PSES),
    deviation: fc.constantFrom(...NOC_FACT_DEVIATIONS),
    dataClass: fc.constantFrom(...DATA_CLASSES),
    offeringId: fc.option(fc.constantFrom(...OFFERINGS), { nil: undefined }),
  }),
  { minLength: 8, maxLength: 8 },
);

function write(db: ReadModelDb, identities: readonly Omit<NocFacts, 'nocId' | 'status'>[], c: Change): void {
  if (c.kind === 'pse') {
    db.prepare('INSERT INTO pf_pses (pse_id, jurisdiction) VALUES (?, ?) ON CONFLICT (pse_id) DO UPDATE SET jurisdiction = excluded.jurisdiction').run(c.pseId, c.jurisdiction);
  } else if (c.kind === 'offering') {
    db.prepare('INSERT INTO pf_offering_versions (offering_id, from_ms, facts) VALUES (?, ?, ?)').run(c.offering, c.at, c.facts === null ? null : JSON.stringify(c.facts));
  } else {
    const identity = identities[c.noc] as Omit<NocFacts, 'nocId' | 'status'>;
    const nocId = `NOC-${c.noc}`;
    const facts: NocFacts = { nocId, ...identity, status: c.status };
    if (c.valid) Object.assign(facts, { validFrom: iso(c.valid[0]), validUntil: iso(c.valid[1]) });
    const last = db.prepare('SELECT seq FROM pf_noc_versions WHERE noc_id = ? ORDER BY seq DESC LIMIT 1').get(nocId) as { seq: number } | undefined;
    db.transaction(() => {
      if (last) db.prepare('UPDATE pf_noc_versions SET to_ms = ? WHERE seq = ?').run(c.at, last.seq);
      db.prepare('INSERT INTO pf_noc_versions (noc_id, pse_id, offering_id, from_ms, to_ms, facts) VALUES (?, ?, ?, ?, ?, ?)').run(
        nocId,
        facts.pseId,
        facts.offeringId ?? null,
        c.at,
        NOC_OPEN_END,
        JSON.stringify(facts),
      );
    })();
  }
}

const question = fc.record({
  pse: fc.constantFrom(...PSES, 'pse-unknown'),
  offering: fc.constantFrom(...OFFERINGS, 'off-unknown'),
  dataClass: fc.constantFrom(...DATA_CLASSES),
  at: fc.option(askedAt, { nil: undefined }),
});

/** The index against the SQL reference, answer, input and both serialised views alike. */
function expectSame(reader: ReadModelDb, index: ProcurementCheckIndex, q: { pse: string; offering: string; dataClass: DataClass; at: number | undefined }): void {
  const query: ProcurementQuery = { pse: q.pse, offering: q.offering, dataClass: q.dataClass, ...(q.at === undefined ? {} : { at: iso(q.at) }) };
  const reference: ProcurementAnswer = procurementCheck(reader, query, NOW);
  expect(index.answer(query, NOW)).toEqual(reference);
  expect(index.input(query, query.at ?? NOW)).toEqual(procurementInput(reader, query, query.at ?? NOW));
  expect(index.answerJson(query, NOW, 'public')).toBe(JSON.stringify(publicAnswer(reference)));
  expect(index.answerJson(query, NOW, 'entity')).toBe(JSON.stringify(entityAnswer(reference)));
}

const history = fc.record({
  identities: nocIdentity,
  rounds: fc.array(fc.record({ changes: fc.array(change, { maxLength: 12 }), questions: fc.array(question, { minLength: 1, maxLength: 12 }) }), { minLength: 1, maxLength: 4 }),
});

describe('the procurement check index', () => {
  it('answers every question exactly as the SQL read does, over random histories and instants, as the read model grows', () => {
    fc.assert(
      fc.property(history, ({ identities, rounds }) => {
        const db = memoryDb(procurementFactsProjection);
        // One index for the whole history: each round's changes must reach it without a new one.
        const index = new ProcurementCheckIndex(db);
        for (const round of rounds) {
          for (const c of round.changes) write(db, identities, c);
          for (const q of round.questions) expectSame(db, index, q);
        }
        db.close();
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  });

  it('follows changes the projector commits on another connection, as the API process reads them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-index-'));
    try {
      const writer = openReadModelDb(join(dir, 'read-models.db'));
      procurementFactsProjection.setup(writer);
      const reader = openReadModelDb(join(dir, 'read-models.db'), { readonly: true });
      const index = new ProcurementCheckIndex(reader);
      fc.assert(
        fc.property(nocIdentity, fc.array(change, { maxLength: 10 }), fc.array(question, { minLength: 1, maxLength: 6 }), (identities, changes, questions) => {
          for (const c of changes) write(writer, identities, c);
          for (const q of questions) expectSame(reader, index, q);
        }),
        { numRuns: Number(process.env.PROPERTY_RUNS ?? 40) },
      );
      reader.close();
      writer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('asked once per event-loop turn, answers a turn from the snapshot it began with and sees another connection’s commit from the next turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'check-index-'));
    try {
      const writer = openReadModelDb(join(dir, 'read-models.db'));
      procurementFactsProjection.setup(writer);
      const reader = openReadModelDb(join(dir, 'read-models.db'), { readonly: true });
      const index = new ProcurementCheckIndex(reader, { commitsSeen: 'every-turn' });
      const query: ProcurementQuery = { pse: 'pse-a', offering: 'off-1', dataClass: 'public' };
      const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
      write(writer, [], { kind: 'pse', pseId: 'pse-a', jurisdiction: 'federal' });
      expect(index.input(query, NOW).pse).toEqual({ pseId: 'pse-a', jurisdiction: 'federal' });
      write(writer, [], { kind: 'pse', pseId: 'pse-a', jurisdiction: 'punjab' });
      expect(index.input(query, NOW).pse).toEqual({ pseId: 'pse-a', jurisdiction: 'federal' });
      await nextTurn();
      expect(index.input(query, NOW).pse).toEqual({ pseId: 'pse-a', jurisdiction: 'punjab' });
      expect(index.answer(query, NOW)).toEqual(procurementCheck(reader, query, NOW));
      reader.close();
      writer.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the procurement check index, given a history of events', () => {
  const T0 = '2025-01-06T09:00:00.000Z';
  const GRANTED = '2025-02-03T10:00:00.000Z';
  const RESTRICTED = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: '2026-02-03T10:00:00.000Z' } as const;

  function world() {
    const db = memoryDb(procurementFactsProjection);
    const log = new TestLog();
    const index = new ProcurementCheckIndex(db);
    registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
    registerPse(log, 'pse-moitt', 'federal', T0);
    addOffering(log, 'csp-one', GOV_CLOUD, T0);
    addOffering(log, 'csp-one', PUBLIC_CLOUD, T0);
    const apply = (): void => project(db, [procurementFactsProjection], log.events.splice(0));
    /** The index's answer, after holding it equal to the SQL read's. */
    const check = (offering: string, dataClass: DataClass, at?: string): ProcurementAnswer => {
      const query: ProcurementQuery = { pse: 'pse-moitt', offering, dataClass, ...(at === undefined ? {} : { at }) };
      const answer = index.answer(query, NOW);
      expect(answer).toEqual(procurementCheck(db, query, NOW));
      return answer;
    };
    /** A NOC for the public cloud, approved on `approvedAt` for six months. */
    const approvedNoc = (nocId: string, at: string) => {
      const noc = log.nocCase({ nocId, deviation: 'non-accredited-offering', offeringId: 'off-pub', dataClass: 'public' }, pse(), at);
      noc.later(1).act('StartReview', reviewer, {});
      noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Migration under way', conditions: [] });
      noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
      return noc;
    };
    return { log, apply, check, approvedNoc };
  }

  it('writes the instant asked about as toISOString does, whatever was asked before it, and refuses what is not an instant', () => {
    const { check } = world();
    const asked = ['2025-06-15T00:00:00Z', '2025-06-15T00:00:00Z', '2025-06-15T05:00:00+05:00', '2025-06-15T00:00:00.000Z', '2025-06-15T00:00:00Z', '2024-02-29T23:59:59.999Z'];
    for (const at of asked) expect(check('off-gov', 'restricted', at).evaluatedAt).toBe(new Date(at).toISOString());
    expect(() => check('off-gov', 'restricted', 'yesterday')).toThrow('Not an ISO instant');
  });

  it('given an accredited offering, when it is suspended, then the check denies from then on and still allows before it', () => {
    const { log, apply, check } = world();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    apply();
    expect(check('off-gov', 'restricted', '2025-05-01T00:00:00.000Z').decision).toBe('allowed');
    app.suspend('Breach', '2025-06-01T00:00:00.000Z');
    apply();
    expect(check('off-gov', 'restricted', '2025-05-01T00:00:00.000Z').decision).toBe('allowed');
    expect(check('off-gov', 'restricted', '2025-06-02T00:00:00.000Z').reasons.map((r) => r.code)).toContain('ACCREDITATION_SUSPENDED');
  });

  it('given an accredited offering, when it is revoked with a migration period, then the check denies and says when the period ends', () => {
    const { log, apply, check } = world();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    apply();
    check('off-gov', 'public');
    app.revoke('Breach', '2025-12-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z');
    apply();
    const during = check('off-gov', 'public', '2025-07-01T00:00:00.000Z');
    expect(during.reasons.find((r) => r.code === 'ACCREDITATION_REVOKED')?.message).toContain('must leave by 2025-12-01T00:00:00.000Z');
    expect(check('off-gov', 'public', '2025-12-01T00:00:00.000Z').reasons.find((r) => r.code === 'ACCREDITATION_REVOKED')?.message).toContain(
      'its migration period ended',
    );
  });

  it('given an accreditation, when it expires and is later granted again, then each instant gets the answer of its own facts', () => {
    const { log, apply, check } = world();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).expire(RESTRICTED.validUntil);
    apply();
    expect(check('off-gov', 'restricted').reasons.map((r) => r.code)).toContain('ACCREDITATION_EXPIRED_AT');
    application(log, 'app-2').submit('csp-one', GOV_CLOUD, '2026-03-01T00:00:00.000Z').grant({ ...RESTRICTED, validFrom: '2026-03-02T00:00:00.000Z', validUntil: '2029-03-02T00:00:00.000Z' }, '2026-03-02T00:00:00.000Z');
    apply();
    expect(check('off-gov', 'restricted').decision).toBe('allowed');
    expect(check('off-gov', 'restricted', '2026-02-10T00:00:00.000Z').decision).toBe('denied');
    expect(check('off-gov', 'restricted', '2025-03-01T00:00:00.000Z').decision).toBe('allowed');
  });

  it('given an accreditation, when it is renewed before its end, then the check allows past the old end', () => {
    const { log, apply, check } = world();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    apply();
    expect(check('off-gov', 'restricted', '2026-03-01T00:00:00.000Z').decision).toBe('denied');
    app.renew(RESTRICTED.validUntil, '2027-02-03T10:00:00.000Z', '2026-01-10T00:00:00.000Z');
    apply();
    expect(check('off-gov', 'restricted', '2026-03-01T00:00:00.000Z').decision).toBe('allowed');
  });

  it('given a NOC that expired and a second one that followed it, then past instants see the first and now sees the second', () => {
    const { apply, check, approvedNoc } = world();
    const first = approvedNoc('NOC-1', '2025-03-01T09:00:00.000Z');
    apply();
    const firstUntil = first.current.status === 'none' ? '' : (first.current.validUntil ?? '');
    expect(check('off-pub', 'public', '2025-04-01T00:00:00.000Z')).toMatchObject({ decision: 'allowed-by-noc', noc: { nocId: 'NOC-1' } });
    first.at(firstUntil).act('Expire', SYSTEM_ACTOR, {});
    approvedNoc('NOC-2', firstUntil);
    apply();
    expect(check('off-pub', 'public', '2025-04-01T00:00:00.000Z')).toMatchObject({ decision: 'allowed-by-noc', noc: { nocId: 'NOC-1' } });
    const later = new Date(Date.parse(firstUntil) + 30 * DAY).toISOString();
    const now = check('off-pub', 'public', later);
    expect(now).toMatchObject({ decision: 'allowed-by-noc', noc: { nocId: 'NOC-2' } });
    expect(check('off-pub', 'restricted', later).reasons).toContainEqual(expect.objectContaining({ code: 'NOC_EXPIRED', nocId: 'NOC-1' }));
    expect(check('off-pub', 'public', firstUntil).decision).toBe('denied');
  });

  it('given an approved NOC, when it is revoked, then the check stops allowing by it from the revocation on', () => {
    const { apply, check, approvedNoc } = world();
    const noc = approvedNoc('NOC-1', '2025-03-01T09:00:00.000Z');
    apply();
    expect(check('off-pub', 'public', '2025-06-01T00:00:00.000Z').decision).toBe('allowed-by-noc');
    noc.at('2025-05-01T00:00:00.000Z').act('Revoke', director, { reasons: 'Conditions not met' });
    apply();
    expect(check('off-pub', 'public', '2025-06-01T00:00:00.000Z').reasons).toContainEqual(expect.objectContaining({ code: 'NOC_NOT_IN_FORCE', nocId: 'NOC-1' }));
    expect(check('off-pub', 'public', '2025-04-01T00:00:00.000Z').decision).toBe('allowed-by-noc');
  });
});
