import fc from 'fast-check';
import { TRANSITION_POLICY_VERSION, type TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { OpenProcurement, TransitionEvent } from '../../domain/compliance/transition-events';
import { evolveTransition } from '../../domain/compliance/transition-evolve';
import type { TransitionState } from '../../domain/compliance/transition-state';
import type { Offering } from '../../domain/csp/events';
import type { Baseline, DataClass } from '../../domain/shared/vocabulary';
import { streamName } from '../../eventstore/envelope';
import { director, pse, reviewer } from '../support/actors';
import { CaseScript } from '../support/case-script';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, cspEvent, registerCsp } from './accredited-fixtures';
import { PseScript } from './pse-script';
import { coveringNocs, modelAt, modelCheck, type ModelDataClass } from './reference-model';
import { SYSTEM_ACTOR, TestLog, type NocCaseScript } from './support';

/**
 * The random histories of the model-based tests (model-based.unit.test.ts): a plan drawn by fast-check,
 * written into a test log in time order — accreditation milestones through the fixtures; NOCs, the
 * entities' procurements and the migration periods through the real deciders.
 */
const DAY0 = '2025-02-01T00:00:00.000Z';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse(DAY0);
export const iso = (ms: number): string => new Date(ms).toISOString();
/** Each kind of step has its own hour of the day, so no two kinds of event ever share an instant. */
const at = (day: number, hour: number): number => T0 + day * DAY + hour * HOUR;
export const OFFERINGS = ['off-0', 'off-1', 'off-2'] as const;
export const PSES = ['pse-a', 'pse-b'] as const;
const CSP = 'csp-one';
export const NOW = '2030-01-01T00:00:00.000Z';

type OpKind = 'suspend' | 'reinstate' | 'renew' | 'revoke' | 'withdraw';
/** For a later grant of the same offering, `grantDay` counts from the end of the one before. */
interface AccreditationPlan {
  grantDay: number;
  validDays: number;
  highest: DataClass;
  baseline: Baseline;
  ops: { kind: OpKind; gap: number }[];
  migrationDays: number;
}
interface NocPlan {
  pse: number;
  offering: number;
  requestDay: number;
  months: number;
  dataClass: ModelDataClass;
  /** An extension asked for `after` days into the NOC and decided at once. */
  extension?: { after: number; months: number; approve: boolean };
  /** Counted from the extension when there is one. */
  end?: { how: 'revoke' | 'withdraw' | 'expire'; after: number };
}
interface ProcurementPlan {
  pse: number;
  offering: number;
  day: number;
  dataClass: ModelDataClass;
  lasts?: number;
}
export interface Plan {
  /** Per offering, its successive grants (a new application after the previous accreditation ended). */
  accreditations: AccreditationPlan[][];
  nocs: NocPlan[];
  procurements: ProcurementPlan[];
  retirement?: { offering: number; day: number };
  instants: { day: number; hour: number }[];
  /** Indices into the log: the instant of that event, or the millisecond before it. */
  eventInstants: { index: number; before: boolean }[];
}

export const DATA_CLASSES: readonly ModelDataClass[] = ['public', 'restricted'];
const DATA_CLASS_ARB = fc.constantFrom<ModelDataClass>(...DATA_CLASSES);

const accreditationArb: fc.Arbitrary<AccreditationPlan> = fc.record({
  grantDay: fc.integer({ min: 1, max: 120 }),
  validDays: fc.integer({ min: 20, max: 300 }),
  highest: fc.constantFrom<DataClass>('public', 'restricted', 'confidential'),
  baseline: fc.constantFrom<Baseline>('baseline', 'intermediate', 'enhanced'),
  ops: fc.array(
    fc.record({ kind: fc.constantFrom<OpKind>('suspend', 'reinstate', 'renew', 'revoke', 'withdraw'), gap: fc.integer({ min: 1, max: 120 }) }),
    { maxLength: 5 },
  ),
  migrationDays: fc.integer({ min: 1, max: 150 }),
});

export const planArb: fc.Arbitrary<Plan> = fc.record({
  accreditations: fc.array(fc.array(accreditationArb, { maxLength: 2 }), { minLength: OFFERINGS.length, maxLength: OFFERINGS.length }),
  nocs: fc.array(
    fc.record(
      {
        pse: fc.integer({ min: 0, max: PSES.length - 1 }),
        offering: fc.integer({ min: 0, max: OFFERINGS.length - 1 }),
        requestDay: fc.integer({ min: 0, max: 400 }),
        months: fc.integer({ min: 1, max: 6 }),
        dataClass: DATA_CLASS_ARB,
        extension: fc.record({ after: fc.integer({ min: 1, max: 150 }), months: fc.integer({ min: 1, max: 6 }), approve: fc.boolean() }),
        end: fc.record({ how: fc.constantFrom<'revoke' | 'withdraw' | 'expire'>('revoke', 'withdraw', 'expire'), after: fc.integer({ min: 1, max: 200 }) }),
      },
      { requiredKeys: ['pse', 'offering', 'requestDay', 'months', 'dataClass'] },
    ),
    { maxLength: 3 },
  ),
  procurements: fc.array(
    fc.record(
      {
        pse: fc.integer({ min: 0, max: PSES.length - 1 }),
        offering: fc.integer({ min: 0, max: OFFERINGS.length - 1 }),
        day: fc.integer({ min: 0, max: 500 }),
        dataClass: DATA_CLASS_ARB,
        lasts: fc.integer({ min: 1, max: 300 }),
      },
      { requiredKeys: ['pse', 'offering', 'day', 'dataClass'] },
    ),
    { maxLength: 6 },
  ),
  retirement: fc.option(fc.record({ offering: fc.integer({ min: 0, max: OFFERINGS.length - 1 }), day: fc.integer({ min: 1, max: 400 }) }), { freq: 5, nil: undefined }),
  instants: fc.array(fc.record({ day: fc.integer({ min: 0, max: 900 }), hour: fc.integer({ min: 0, max: 23 }) }), { minLength: 1, maxLength: 5 }),
  eventInstants: fc.array(fc.record({ index: fc.nat(), before: fc.boolean() }), { maxLength: 5 }),
});

interface Step {
  at: number;
  rank: number;
  run: () => void;
}

/**
 * Writes the plan's history in time order: steps run earliest first, and a step may schedule later
 * ones (a NOC's end is known once it is approved). Accreditation milestones go through the fixtures,
 * NOCs, entities' procurements and migration periods through the real deciders.
 */
export function write(plan: Plan, log: TestLog): void {
  const queue: Step[] = [];
  const schedule = (step: Step): void => {
    queue.push(step);
  };
  const scripts = new Map<string, PseScript>();
  const recorded: { pseId: string; procurementId: string; offeringId: string; at: number; endedAt?: number }[] = [];
  const openOn = (offeringId: string, when: number): OpenProcurement[] =>
    recorded
      .filter((p) => p.offeringId === offeringId && p.at <= when && (p.endedAt === undefined || when < p.endedAt))
      .map((p) => ({ pseId: p.pseId, procurementId: p.procurementId, jurisdiction: 'federal' }));

  schedule({
    at: T0,
    rank: 0,
    run: () => {
      // The register's entities come first: PseScript registers them at its own (earlier) instant.
      for (const pseId of PSES) scripts.set(pseId, new PseScript(log, pseId, `Ministry ${pseId}`, 'federal'));
      registerCsp(log, CSP, 'One Cloud Pvt Ltd', DAY0);
      OFFERINGS.forEach((offeringId, i) => addOffering(log, CSP, offering(offeringId, i), DAY0));
    },
  });
  plan.accreditations.forEach((grants, i) => {
    let from = 0;
    grants.forEach((a, n) => {
      from = scheduleAccreditation(a, i, n, from, log, schedule, openOn);
    });
  });
  plan.nocs.forEach((n, i) => scheduleNoc(n, i, log, schedule));
  const { retirement } = plan;
  if (retirement) {
    const when = at(retirement.day, 7);
    const offeringId = OFFERINGS[retirement.offering] as string;
    schedule({ at: when, rank: 0, run: () => cspEvent(log, CSP, 'OfferingRetired', { offeringId, reason: 'End of life', retiredBy: 'u-csp' }, iso(when)) });
  }
  plan.procurements.forEach((p, i) => {
    const pseId = PSES[p.pse] as string;
    const offeringId = OFFERINGS[p.offering] as string;
    const procurementId = `p-${i}`;
    const when = at(p.day, 8);
    schedule({
      at: when,
      rank: 0,
      run: () => {
        // The entity records only what the check lets on: here, what the model says.
        const state = modelAt(log.events, when);
        const decision = modelCheck(state, pseId, offeringId, when, p.dataClass);
        if (decision === 'denied') return;
        const noc = coveringNocs(state, pseId, offeringId, when, p.dataClass).sort((x, y) => y.validUntil - x.validUntil)[0];
        scripts.get(pseId)?.record(procurementId, decision, iso(when), offeringId, p.dataClass, noc?.nocId);
        const entry: (typeof recorded)[number] = { pseId, procurementId, offeringId, at: when };
        recorded.push(entry);
        if (p.lasts === undefined) return;
        const endedAt = at(p.day + p.lasts, 9);
        schedule({
          at: endedAt,
          rank: 0,
          run: () => {
            scripts.get(pseId)?.end(procurementId, iso(endedAt));
            entry.endedAt = endedAt;
          },
        });
      },
    });
  });

  while (queue.length > 0) {
    queue.sort((x, y) => x.at - y.at || x.rank - y.rank);
    (queue.shift() as Step).run();
  }
}

/** off-1 is a public cloud abroad: restricted data may not go there even under a NOC for its accreditation. */
function offering(offeringId: string, i: number): Offering {
  return { ...(i === 1 ? PUBLIC_CLOUD : GOV_CLOUD), offeringId, name: `Offering ${i}` };
}

/**
 * One application for an offering, submitted at `from` (the start, or the end of the accreditation
 * before): a grant, the plan's operations while they make sense, then its end. Returns the end.
 */
function scheduleAccreditation(
  plan: AccreditationPlan,
  i: number,
  n: number,
  from: number,
  log: TestLog,
  schedule: (step: Step) => void,
  openOn: (offeringId: string, when: number) => OpenProcurement[],
): number {
  const offeringId = OFFERINGS[i] as string;
  const applicationId = `app-${i}-${n}`;
  const hour = i + 1;
  const app = application(log, applicationId);
  const submittedAt = n === 0 ? at(0, hour) : from;
  const grantedAt = submittedAt + plan.grantDay * DAY;
  let validUntil = grantedAt + plan.validDays * DAY;
  schedule({ at: submittedAt, rank: n === 0 ? 1 : 3, run: () => app.submit(CSP, offering(offeringId, i), iso(submittedAt)) });
  const terms = { baseline: plan.baseline, highestDataClass: plan.highest, validFrom: iso(grantedAt), validUntil: iso(validUntil) } as const;
  schedule({ at: grantedAt, rank: 1, run: () => app.grant(terms, iso(grantedAt)) });

  let status: 'accredited' | 'suspended' = 'accredited';
  let cursor = grantedAt;
  let ended: { at: number; transitionUntil: number; cause?: 'expired' | 'withdrawn' } | undefined;
  for (const op of plan.ops) {
    const when = cursor + op.gap * DAY;
    if (when >= validUntil) break;
    cursor = when;
    const transitionUntil = when + plan.migrationDays * DAY;
    if (op.kind === 'suspend' && status === 'accredited') {
      status = 'suspended';
      schedule({ at: when, rank: 1, run: () => app.suspend('Breach under investigation', iso(when)) });
    } else if (op.kind === 'reinstate' && status === 'suspended') {
      status = 'accredited';
      schedule({ at: when, rank: 1, run: () => app.reinstate('Remediated', iso(when)) });
    } else if (op.kind === 'renew' && status === 'accredited') {
      const previous = validUntil;
      validUntil += 90 * DAY;
      const next = validUntil;
      schedule({ at: when, rank: 1, run: () => app.renew(iso(previous), iso(next), iso(when)) });
    } else if (op.kind === 'revoke') {
      schedule({ at: when, rank: 1, run: () => app.revoke('Data found abroad', iso(transitionUntil), iso(when)) });
      ended = { at: when, transitionUntil };
      break;
    } else if (op.kind === 'withdraw') {
      const previousStatus = status;
      schedule({ at: when, rank: 1, run: () => app.withdraw('Discontinued', previousStatus, iso(when), iso(transitionUntil)) });
      ended = { at: when, transitionUntil, cause: 'withdrawn' };
      break;
    }
  }
  if (!ended) {
    const end = validUntil;
    const transitionUntil = end + plan.migrationDays * DAY;
    schedule({ at: end, rank: 1, run: () => app.expire(iso(end), iso(transitionUntil)) });
    ended = { at: end, transitionUntil, cause: 'expired' };
  }

  // The migration period, as the transition process writes it: notices at the end, flags at the deadline.
  const { at: endAt, transitionUntil, cause } = ended;
  const script = new CaseScript<TransitionState, TransitionCommand, TransitionEvent>({
    stream: streamName('transition', applicationId),
    correlationId: `transition:${applicationId}`,
    policyVersion: TRANSITION_POLICY_VERSION,
    initial: { status: 'none' },
    decide: (command, state, now) => decideTransition(command, state, { now }),
    evolve: evolveTransition,
  });
  const subject = { applicationId, offeringId, cspId: CSP, endedAt: iso(endAt), migrateBy: iso(transitionUntil), cause: cause ?? ('revoked' as const) };
  schedule({
    at: endAt,
    rank: 2,
    run: () => log.append(script.take({ type: 'StartRevocationTransition', actor: SYSTEM_ACTOR, data: { ...subject, open: openOn(offeringId, endAt) } }, iso(endAt))),
  });
  schedule({
    at: transitionUntil,
    rank: 2,
    run: () =>
      log.append(script.take({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen: openOn(offeringId, transitionUntil) } }, iso(transitionUntil))),
  });
  return endAt;
}

/** A NOC exempting one entity from an offering's standing for data up to its class, approved the day it is asked for. */
function scheduleNoc(plan: NocPlan, i: number, log: TestLog, schedule: (step: Step) => void): void {
  const pseId = PSES[plan.pse] as string;
  const nocId = `noc-${i}`;
  const requestedAt = at(plan.requestDay, 5 + plan.pse);
  schedule({
    at: requestedAt,
    rank: 0,
    run: () => {
      const noc: NocCaseScript = log.nocCase(
        { nocId, deviation: 'non-accredited-offering', offeringId: OFFERINGS[plan.offering], dataClass: plan.dataClass, requestedMonths: plan.months },
        pse(pseId),
        iso(requestedAt),
      );
      noc.act('StartReview', reviewer, {});
      noc.act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Migration under way', conditions: [] });
      noc.act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
      const validUntil = (): number => {
        const c = noc.current;
        if (c.status === 'none' || c.validUntil === undefined) throw new Error(`NOC ${nocId} was not approved`);
        return Date.parse(c.validUntil);
      };
      const scheduleEnd = (from: number): void => {
        const end = plan.end;
        if (!end) return;
        if (end.how === 'expire') {
          const until = validUntil();
          schedule({ at: until, rank: 0, run: () => noc.at(iso(until)).act('Expire', SYSTEM_ACTOR, {}) });
          return;
        }
        const endAt = from + end.after * DAY;
        if (endAt >= validUntil()) return;
        schedule({
          at: endAt,
          rank: 0,
          run: () => {
            if (end.how === 'revoke') noc.at(iso(endAt)).act('Revoke', director, { reasons: 'Conditions not met' });
            else noc.at(iso(endAt)).act('Withdraw', pse(pseId), { reason: 'No longer needed' });
          },
        });
      };
      const { extension } = plan;
      const extendAt = extension === undefined ? undefined : requestedAt + extension.after * DAY;
      if (extension === undefined || extendAt === undefined || extendAt >= validUntil()) {
        scheduleEnd(requestedAt);
        return;
      }
      schedule({
        at: extendAt,
        rank: 0,
        run: () => {
          noc.at(iso(extendAt)).act('RequestExtension', pse(pseId), { months: extension.months, justification: 'The migration takes longer' });
          noc.act('DecideExtension', director, { decision: extension.approve ? 'approve' : 'reject', reasons: 'Considered' });
          scheduleEnd(extendAt);
        },
      });
    },
  });
}

/** The instants asked about: random ones within and after the history, and those of its events (and just before). */
export function instantsOf(plan: Plan, log: TestLog): number[] {
  const random = plan.instants.map((i) => at(i.day, i.hour));
  const events = log.events.length === 0 ? [] : plan.eventInstants.map((e) => Date.parse((log.events[e.index % log.events.length] as { recordedAt: string }).recordedAt) - (e.before ? 1 : 0));
  return [...new Set([...random, ...events])].sort((x, y) => x - y);
}

