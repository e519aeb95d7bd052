import fc from 'fast-check';
import type { ProcurementAnswer } from '../../domain/procurement';
import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import { createAccreditedListQueries } from '../../projections/accreditation/queries';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { EXPIRING_WITHIN_DAYS, createAdoptionQueries } from '../../projections/adoption/queries';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { procurementCheck } from '../../projections/procurement/queries';
import { DATA_CLASSES, NOW, OFFERINGS, PSES, instantsOf, iso, planArb, write } from './model-histories';
import { modelAt, modelBuckets, modelCheck, modelList, modelNocFigures, type ModelBucket, type ModelState } from './reference-model';
import { TestLog, memoryDb, project } from './support';

/**
 * Model-based tests: random histories — offerings, accreditations granted, suspended, reinstated,
 * renewed, revoked, withdrawn and expired with migration periods, entities' NOCs approved, revoked,
 * withdrawn and expired, procurements recorded (when the check lets them) and ended, time moving on —
 * and at random instants, and at the instants events happen, the accredited list, the procurement
 * check and the adoption figures agree with the reference model (reference-model.ts), a fold over the
 * events alone. Seeded and reproducible: FC_SEED and FC_RUNS override the seed and the number of
 * histories (1,500 by default, about 15 s); a failure prints the seed and path, and FC_PATH with
 * FC_VERBOSE=1 replays it printing its history. The histories re-accredit offerings after an ending and
 * end them again, and extend NOCs, so figures as of an instant before a later notice, flag or extension
 * are checked against the log up to that instant.
 */
const SEED = process.env.FC_SEED === undefined ? 20251206 : Number(process.env.FC_SEED);
const RUNS = process.env.FC_RUNS === undefined ? 1500 : Number(process.env.FC_RUNS);
const PATH = process.env.FC_PATH;

/** A label for what a check answered and why, to show the histories reach every kind of answer. */
function outcomeOf(answer: ProcurementAnswer): string {
  const codes = answer.reasons.map((r) => r.code);
  if (answer.query.dataClass === 'restricted') {
    const rule = codes.filter((c) => ['DATA_CLASS_ABOVE_ACCREDITED', 'BASELINE_TOO_LOW', 'NOT_GOVERNMENT_CLOUD', 'DATA_CENTRE_OUTSIDE_PAKISTAN'].includes(c));
    return `restricted:${answer.decision}:${rule.join('+')}`;
  }
  const standing = codes.find((c) => c.startsWith('ACCREDITATION_') || c === 'OFFERING_NOT_ACCREDITED' || c === 'UNKNOWN_OFFERING');
  return `check:${answer.decision}:${standing ?? ''}`;
}

const byKey = (r: { pseId: string; procurementId: string }): string => `${r.pseId}/${r.procurementId}`;

/**
 * What a figure as of `t` must not take from later events, to show the histories reach it: a workload
 * noticed by `t` whose offering ends again later while it is still open, and a NOC in force at `t`
 * whose validity a later extension moves.
 */
function laterChangesAt(state: ModelState, whole: ModelState, t: number): string[] {
  const labels: string[] = [];
  const openAt = (w: { recordedAt: number; endedAt?: number }, at: number): boolean => w.recordedAt <= at && (w.endedAt === undefined || at < w.endedAt);
  for (const w of whole.workloads.values()) {
    const endings = whole.endings.filter((e) => e.offeringId === w.offeringId && openAt(w, e.at));
    if (endings.some((e) => e.at <= t) && endings.some((e) => e.at > t)) labels.push('later:notice-after-a-notice');
  }
  for (const n of state.nocs.values()) {
    const end = whole.nocs.get(n.nocId)?.validUntil;
    if (n.validFrom !== undefined && n.validFrom <= t && n.validUntil !== undefined && t < n.validUntil && end !== n.validUntil) labels.push('later:extension');
  }
  return labels;
}

describe('the read models agree with a reference model of the office’s rules', () => {
  it('gives, at any instant, the accredited list, the procurement check and the adoption figures the model gives from the events alone', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(planArb, (plan) => {
        const log = new TestLog();
        write(plan, log);
        const events = log.events;
        // The writer keeps the log in time order, as the store does: a prefix is the log up to an instant.
        expect(events.every((e, i) => i === 0 || (events[i - 1] as { recordedAt: string }).recordedAt <= e.recordedAt)).toBe(true);
        // Replaying one counterexample (FC_PATH) with FC_VERBOSE prints its history.
        if (PATH !== undefined && process.env.FC_VERBOSE) console.log(events.map((e) => `${e.recordedAt} ${e.stream} ${e.type} ${JSON.stringify(e.data).slice(0, 200)}`).join('\n'));

        const facts = memoryDb(procurementFactsProjection);
        project(facts, [procurementFactsProjection], events);
        const adoption = memoryDb(adoptionProjection);
        project(adoption, [adoptionProjection], events);
        const adoptionQueries = createAdoptionQueries(adoption);
        // The accredited list answers for now: it is fed the log up to each instant, in order.
        const list = memoryDb(accreditedListProjection);
        const listQueries = createAccreditedListQueries(list);
        let fed = 0;

        if (events.some((e) => e.type === 'NocExtensionApproved')) seen.add('noc:extended');
        const whole = modelAt(events, Number.POSITIVE_INFINITY);
        for (const t of instantsOf(plan, log)) {
          const upTo = events.findIndex((e) => Date.parse(e.recordedAt) > t);
          const end = upTo === -1 ? events.length : upTo;
          project(list, [accreditedListProjection], events.slice(fed, end));
          fed = end;
          const state = modelAt(events, t);
          const when = iso(t);
          for (const r of modelList(state)) seen.add(`list:${r.status}`);
          for (const label of laterChangesAt(state, whole, t)) seen.add(label);

          // (1) The accredited list: which offerings, under which grant, with which status.
          expect({ at: when, list: listQueries.list().map((r) => ({ offeringId: r.offeringId, applicationId: r.applicationId, status: r.status })) }).toEqual({
            at: when,
            list: modelList(state),
          });

          // (2) The procurement check, for every entity, offering and data class modelled.
          for (const pseId of PSES) {
            for (const offeringId of OFFERINGS) {
              for (const dataClass of DATA_CLASSES) {
                const answer = procurementCheck(facts, { pse: pseId, offering: offeringId, dataClass, at: when }, NOW);
                const query = { at: when, pseId, offeringId, dataClass };
                expect({ ...query, decision: answer.decision }).toEqual({ ...query, decision: modelCheck(state, pseId, offeringId, t, dataClass) });
                seen.add(outcomeOf(answer));
              }
            }
          }

          // (3) The adoption figures: each open workload in the model's bucket, and the totals its counts.
          const expected = modelBuckets(state, t);
          expect({ at: when, buckets: [...adoptionQueries.buckets(when)].sort((x, y) => byKey(x).localeCompare(byKey(y))) }).toEqual({ at: when, buckets: expected });
          for (const r of expected) seen.add(`bucket:${r.bucket}`);
          const count = (b: ModelBucket): number => expected.filter((r) => r.bucket === b).length;
          const { totals } = adoptionQueries.figures(when);
          const nocs = modelNocFigures(state, t, EXPIRING_WITHIN_DAYS);
          expect({
            at: when,
            totals: [totals.workloadsOnAccredited, totals.workloadsUnderNoc, totals.workloadsInTransition, totals.workloadsNonCompliant],
            nocs: [totals.activeNocs, totals.nocsExpiringWithin30Days],
          }).toEqual({ at: when, totals: [count('accredited'), count('noc'), count('migrating'), count('non-compliant')], nocs: [nocs.active, nocs.expiring] });
          if (nocs.expiring > 0) seen.add('noc:expiring');
        }
      }),
      { seed: SEED, numRuns: RUNS, ...(PATH === undefined ? {} : { path: PATH }) },
    );
    // The histories reach every outcome the properties are about, so agreement is not vacuous.
    if (process.env.FC_VERBOSE) console.log([...seen].sort().join('\n'));
    if (PATH === undefined && RUNS >= 500) {
      expect([...seen]).toEqual(
        expect.arrayContaining([
          ...['accredited', 'noc', 'migrating', 'non-compliant'].map((b) => `bucket:${b}`),
          'list:accredited',
          'list:suspended',
          'check:allowed:ACCREDITATION_IN_FORCE',
          ...['SUSPENDED', 'REVOKED', 'WITHDRAWN', 'EXPIRED_AT'].flatMap((s) => [`check:denied:ACCREDITATION_${s}`, `check:allowed-by-noc:ACCREDITATION_${s}`]),
          'check:denied:OFFERING_NOT_ACCREDITED',
          'check:allowed-by-noc:OFFERING_NOT_ACCREDITED',
          'check:denied:UNKNOWN_OFFERING',
          'check:allowed-by-noc:UNKNOWN_OFFERING',
          'noc:extended',
          'noc:expiring',
          'later:notice-after-a-notice',
          'later:extension',
          'restricted:allowed:',
          'restricted:allowed-by-noc:',
          'restricted:denied:BASELINE_TOO_LOW',
          'restricted:denied:DATA_CLASS_ABOVE_ACCREDITED',
          'restricted:denied:NOT_GOVERNMENT_CLOUD+DATA_CENTRE_OUTSIDE_PAKISTAN',
          'restricted:allowed-by-noc:BASELINE_TOO_LOW',
        ]),
      );
    }
  });
});
