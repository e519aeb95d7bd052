import fc from 'fast-check';
import { TRANSITION_POLICY_VERSION, type TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { OpenProcurement, TransitionEvent } from '../../domain/compliance/transition-events';
import { evolveTransition } from '../../domain/compliance/transition-evolve';
import type { TransitionState } from '../../domain/compliance/transition-state';
import { addDays, toMillis } from '../../domain/shared/time';
import { streamName } from '../../eventstore/envelope';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries, type WorkloadBucket } from '../../projections/adoption/queries';
import { director, pse, reviewer } from '../support/actors';
import { CaseScript } from '../support/case-script';
import { PseScript } from './pse-script';
import { SYSTEM_ACTOR, TestLog, memoryDb, project, type NocCaseScript } from './support';

/**
 * "Each workload is counted once": over many generated histories — workloads recorded and ended,
 * allowed outright or under NOCs that run out, are revoked or withdrawn, and an offering whose
 * accreditation ends with a migration period — at every instant asked about each open workload is in
 * exactly one bucket, the one an independent model gives, and the figures equal those of a replay of
 * the log up to that instant.
 */
const DAY0 = '2025-01-01T00:00:00.000Z';
const day = (n: number): string => addDays(DAY0, n);
/** The transition's steps fall at noon, workloads' and NOCs' at midnight: the model needs no tie rule. */
const noon = (n: number): string => new Date(toMillis(day(n)) + 12 * 3_600_000).toISOString();
const PSES = ['pse-a', 'pse-b', 'pse-c'] as const;

interface WorkloadPlan {
  pse: number;
  recordDay: number;
  lasts?: number;
  noc?: { before: number; months: number; ends?: { how: 'revoke' | 'withdraw' | 'expire'; after: number } };
}
interface Plan {
  workloads: WorkloadPlan[];
  transition?: { startDay: number; length: number };
  instants: { day: number; atNoon: boolean }[];
}

const planArb: fc.Arbitrary<Plan> = fc.record(
  {
    workloads: fc.array(
      fc.record(
        {
          pse: fc.integer({ min: 0, max: PSES.length - 1 }),
          recordDay: fc.integer({ min: 10, max: 300 }),
          lasts: fc.integer({ min: 1, max: 300 }),
          noc: fc.record(
            {
              before: fc.integer({ min: 0, max: 5 }),
              months: fc.integer({ min: 1, max: 6 }),
              ends: fc.record({ how: fc.constantFrom('revoke', 'withdraw', 'expire'), after: fc.integer({ min: 1, max: 200 }) }),
            },
            { requiredKeys: ['before', 'months'] },
          ),
        },
        { requiredKeys: ['pse', 'recordDay'] },
      ),
      { minLength: 1, maxLength: 8 },
    ),
    transition: fc.record({ startDay: fc.integer({ min: 5, max: 350 }), length: fc.integer({ min: 1, max: 200 }) }),
    instants: fc.array(fc.record({ day: fc.integer({ min: 0, max: 700 }), atNoon: fc.boolean() }), { minLength: 1, maxLength: 6 }),
  },
  { requiredKeys: ['workloads', 'instants'] },
);

/** What the model knows of a workload once its history is written. */
interface Written {
  pseId: string;
  procurementId: string;
  recordedAt: number;
  endedAt?: number;
  noc?: { validFrom: number; validUntil: number; endedAt?: number };
}

/** Writes the plan's history in time order through the real deciders; returns what the model needs. */
function write(plan: Plan, log: TestLog): { workloads: Written[]; transition?: { startAt: number; closeAt: number } } {
  const steps: { at: string; rank: number; run: () => void }[] = [];
  const written: Written[] = [];
  const scripts = new Map<string, PseScript>();
  for (const pseId of PSES) steps.push({ at: DAY0, rank: 0, run: () => scripts.set(pseId, new PseScript(log, pseId, `Ministry ${pseId}`, 'federal')) });

  plan.workloads.forEach((w, i) => {
    const pseId = PSES[w.pse] as string;
    const procurementId = `p-${i}`;
    const entry: Written = { pseId, procurementId, recordedAt: toMillis(day(w.recordDay)) };
    written.push(entry);
    const nocId = `noc-${i}`;
    if (w.noc) {
      const approvedDay = w.recordDay - w.noc.before;
      const nocPlan = w.noc;
      let noc: NocCaseScript | undefined;
      steps.push({
        at: day(approvedDay),
        rank: 1,
        run: () => {
          noc = log.nocCase({ nocId, requestedMonths: nocPlan.months }, pse(pseId), day(approvedDay));
          noc.act('StartReview', reviewer, {});
          noc.act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Contained risk', conditions: [] });
          noc.act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
          const c = noc.current;
          if (c.status === 'none' || !c.validFrom || !c.validUntil) throw new Error('NOC not approved');
          entry.noc = { validFrom: toMillis(c.validFrom), validUntil: toMillis(c.validUntil) };
        },
      });
      const ends = nocPlan.ends;
      if (ends) {
        // Known once approved; scheduled by day, and dropped when it would fall after the NOC's expiry.
        const endDay = ends.how === 'expire' ? undefined : approvedDay + ends.after;
        steps.push({
          at: endDay === undefined ? day(approvedDay + 31 * nocPlan.months + 1) : day(endDay),
          rank: 3,
          run: () => {
            if (!noc || !entry.noc) return;
            if (ends.how === 'expire') {
              noc.at(new Date(entry.noc.validUntil).toISOString()).act('Expire', SYSTEM_ACTOR, {});
              return;
            }
            const at = toMillis(day(endDay as number));
            if (at >= entry.noc.validUntil) return;
            if (ends.how === 'revoke') noc.at(day(endDay as number)).act('Revoke', director, { reasons: 'Conditions not met' });
            else noc.at(day(endDay as number)).act('Withdraw', pse(pseId), { reason: 'No longer needed' });
            entry.noc.endedAt = at;
          },
        });
      }
    }
    steps.push({
      at: day(w.recordDay),
      rank: 2,
      run: () => scripts.get(pseId)?.record(procurementId, w.noc ? 'allowed-by-noc' : 'allowed', day(w.recordDay), 'off-gov', 'public', nocId),
    });
    if (w.lasts !== undefined) {
      const endDay = w.recordDay + w.lasts;
      steps.push({
        at: day(endDay),
        rank: 2,
        run: () => {
          scripts.get(pseId)?.end(procurementId, day(endDay));
          entry.endedAt = toMillis(day(endDay));
        },
      });
    }
  });

  let transition: { startAt: number; closeAt: number } | undefined;
  if (plan.transition) {
    const { startDay, length } = plan.transition;
    const startAt = toMillis(noon(startDay));
    const closeAt = toMillis(noon(startDay + length));
    transition = { startAt, closeAt };
    const script = new CaseScript<TransitionState, TransitionCommand, TransitionEvent>({
      stream: streamName('transition', 'APP-1'),
      correlationId: 'transition:APP-1',
      policyVersion: TRANSITION_POLICY_VERSION,
      initial: { status: 'none' },
      decide: (command, state, now) => decideTransition(command, state, { now }),
      evolve: evolveTransition,
    });
    const openAt = (at: number): OpenProcurement[] =>
      written.filter((w) => isOpen(w, at)).map((w) => ({ pseId: w.pseId, procurementId: w.procurementId, jurisdiction: 'federal' }));
    const subject = { applicationId: 'APP-1', offeringId: 'off-gov', cspId: 'csp-nimbus', endedAt: noon(startDay), cause: 'revoked' as const, migrateBy: noon(startDay + length) };
    steps.push({
      at: noon(startDay),
      rank: 0,
      run: () => log.append(script.take({ type: 'StartRevocationTransition', actor: SYSTEM_ACTOR, data: { ...subject, open: openAt(startAt) } }, noon(startDay))),
    });
    steps.push({
      at: noon(startDay + length),
      rank: 0,
      run: () => log.append(script.take({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen: openAt(closeAt) } }, noon(startDay + length))),
    });
  }

  steps.sort((a, b) => toMillis(a.at) - toMillis(b.at) || a.rank - b.rank);
  for (const step of steps) step.run();
  return { workloads: written, transition };
}

function isOpen(w: Written, at: number): boolean {
  return w.recordedAt <= at && (w.endedAt === undefined || w.endedAt > at);
}

function nocHolds(noc: Written['noc'], at: number): boolean {
  return noc !== undefined && noc.validFrom <= at && at < noc.validUntil && (noc.endedAt === undefined || noc.endedAt > at);
}

/** The model: the one bucket of an open workload at `at`. */
function bucketOf(w: Written, transition: { startAt: number; closeAt: number } | undefined, at: number): WorkloadBucket {
  if (transition && transition.closeAt <= at && isOpen(w, transition.closeAt)) return 'non-compliant';
  if (transition && transition.startAt <= at && isOpen(w, transition.startAt)) return 'migrating';
  if (w.noc === undefined) return 'accredited';
  return nocHolds(w.noc, at) ? 'noc' : 'non-compliant';
}

describe('adoption figures count each workload once', () => {
  it('puts every open workload in exactly one bucket, the model’s, and agrees with a replay of the log up to the instant', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const log = new TestLog();
        const { workloads, transition } = write(plan, log);
        const live = memoryDb(adoptionProjection);
        project(live, [adoptionProjection], log.events);
        const queries = createAdoptionQueries(live);

        for (const instant of plan.instants) {
          const at = instant.atNoon ? noon(instant.day) : day(instant.day);
          const atMs = toMillis(at);
          const open = workloads.filter((w) => isOpen(w, atMs));
          const expected = open.map((w) => ({ pseId: w.pseId, procurementId: w.procurementId, bucket: bucketOf(w, transition, atMs) }));
          const sortKey = (r: { pseId: string; procurementId: string }) => `${r.pseId}/${r.procurementId}`;
          expect(queries.buckets(at)).toEqual(expected.sort((a, b) => sortKey(a).localeCompare(sortKey(b))));

          const { totals } = queries.figures(at);
          const count = (b: WorkloadBucket) => expected.filter((e) => e.bucket === b).length;
          expect(totals.workloadsOnAccredited + totals.workloadsUnderNoc + totals.workloadsInTransition + totals.workloadsNonCompliant).toBe(open.length);
          expect([totals.workloadsOnAccredited, totals.workloadsUnderNoc, totals.workloadsInTransition, totals.workloadsNonCompliant]).toEqual([
            count('accredited'),
            count('noc'),
            count('migrating'),
            count('non-compliant'),
          ]);
          expect(totals.activeNocs).toBe(workloads.filter((w) => nocHolds(w.noc, atMs)).length);
          expect(queries.nonCompliant(at)).toHaveLength(count('non-compliant'));

          // What a replay of the log as recorded by the instant gives.
          const replayed = memoryDb(adoptionProjection);
          project(replayed, [adoptionProjection], log.events.filter((e) => toMillis(e.recordedAt) <= atMs));
          expect(createAdoptionQueries(replayed).figures(at)).toEqual(queries.figures(at));
        }
      }),
      { numRuns: 100 },
    );
  });
});
