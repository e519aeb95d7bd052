import { TRANSITION_POLICY_VERSION, type TransitionCommand } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import type { OpenProcurement, TransitionEvent } from '../../domain/compliance/transition-events';
import { evolveTransition } from '../../domain/compliance/transition-evolve';
import type { TransitionState } from '../../domain/compliance/transition-state';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import type { Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import { streamName } from '../../eventstore/envelope';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { nocRegisterProjection } from '../../projections/noc/register';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { director, officer, pse, reviewer } from '../support/actors';
import { PseScript } from './pse-script';
import { CaseScript } from '../support/case-script';
import { TestLog, memoryDb, project } from './support';

const T0 = '2025-01-06T09:00:00.000Z';
const PROJECTIONS = [nocRegisterProjection, procurementFactsProjection, adoptionProjection];
/** No offering these entities use has been revoked. */
const NO_TRANSITION = { workloadsInTransition: 0, workloadsNonCompliant: 0 };

/** A revocation transition's stream, command by command through the real decider and envelope code. */
class TransitionScript {
  private readonly script: CaseScript<TransitionState, TransitionCommand, TransitionEvent>;

  constructor(
    private readonly log: TestLog,
    readonly applicationId: string,
  ) {
    this.script = new CaseScript<TransitionState, TransitionCommand, TransitionEvent>({
      stream: streamName('transition', applicationId),
      correlationId: `transition:${applicationId}`,
      policyVersion: TRANSITION_POLICY_VERSION,
      initial: { status: 'none' },
      decide: (command, state, now) => decideTransition(command, state, { now }),
      evolve: evolveTransition,
    });
  }

  start(offeringId: string, endedAt: string, migrateBy: string, open: OpenProcurement[]): this {
    const data = { applicationId: this.applicationId, offeringId, cspId: 'csp-nimbus', endedAt, migrateBy, cause: 'revoked' as const, open };
    return this.run({ type: 'StartRevocationTransition', actor: SYSTEM_ACTOR, data }, endedAt);
  }

  close(at: string, stillOpen: OpenProcurement[]): this {
    return this.run({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen } }, at);
  }

  private run(command: TransitionCommand, now: string): this {
    this.log.append(this.script.take(command, now));
    return this;
  }
}

/** A NOC approved on `at` for `months` months. */
function approvedNoc(log: TestLog, nocId: string, by: Actor, months: number, at: string): void {
  const noc = log.nocCase({ nocId, requestedMonths: months }, by, at);
  if (by.jurisdiction === 'federal') {
    noc.act('StartReview', reviewer, {});
    noc.act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Contained risk', conditions: [] });
    noc.act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
  } else {
    noc.act('StartReview', officer(by.jurisdiction, 'u-pv-1'), {});
    noc.act('Recommend', officer(by.jurisdiction, 'u-pv-1'), { recommendation: 'approve', reasons: 'Contained risk', conditions: [] });
    noc.act('Decide', officer(by.jurisdiction, 'u-pv-2'), { decision: 'approve', reasons: 'As recommended' });
  }
}

function setup() {
  const db = memoryDb(...PROJECTIONS);
  const log = new TestLog();
  let applied = 0;
  return {
    db,
    log,
    figures: (now: string) => createAdoptionQueries(db).figures(now),
    queries: () => createAdoptionQueries(db),
    // Applies the events recorded since the last call, as the runner would.
    apply: () => {
      project(db, PROJECTIONS, log.events.slice(applied));
      applied = log.events.length;
    },
  };
}

describe('the adoption read model', () => {
  it('counts workloads still on their offerings per jurisdiction and ministry, by what the check allowed them on', () => {
    const { log, apply, figures } = setup();
    approvedNoc(log, 'noc-moitt', pse('pse-moitt'), 6, T0);
    approvedNoc(log, 'noc-lands', pse('pse-pb-lands', 'punjab', 'u-pb-pse'), 6, T0);
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .record('p-2', 'allowed', '2025-02-02T00:00:00.000Z', 'off-mail')
      .record('p-3', 'allowed-by-noc', '2025-02-03T00:00:00.000Z', 'off-dc', 'restricted', 'noc-moitt');
    new PseScript(log, 'pse-fbr', 'Ministry of Finance', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .end('p-1', '2025-03-01T00:00:00.000Z');
    new PseScript(log, 'pse-pb-lands', 'Board of Revenue', 'punjab').record('p-1', 'allowed-by-noc', '2025-02-05T00:00:00.000Z', 'off-gov', 'public', 'noc-lands');
    apply();

    const now = figures('2025-04-01T00:00:00.000Z');
    expect(now.totals).toEqual({ workloadsOnAccredited: 2, workloadsUnderNoc: 2, activeNocs: 2, nocsExpiringWithin30Days: 0, ...NO_TRANSITION });
    expect(now.byJurisdiction).toEqual([
      { jurisdiction: 'federal', workloadsOnAccredited: 2, workloadsUnderNoc: 1, activeNocs: 1, nocsExpiringWithin30Days: 0, ...NO_TRANSITION },
      { jurisdiction: 'punjab', workloadsOnAccredited: 0, workloadsUnderNoc: 1, activeNocs: 1, nocsExpiringWithin30Days: 0, ...NO_TRANSITION },
    ]);
    expect(now.byMinistry).toEqual([
      { jurisdiction: 'federal', ministry: 'Ministry of IT and Telecom', workloadsOnAccredited: 2, workloadsUnderNoc: 1, activeNocs: 1, nocsExpiringWithin30Days: 0, ...NO_TRANSITION },
      { jurisdiction: 'punjab', ministry: 'Board of Revenue', workloadsOnAccredited: 0, workloadsUnderNoc: 1, activeNocs: 1, nocsExpiringWithin30Days: 0, ...NO_TRANSITION },
    ]);
    // Before the Ministry of Finance's workload ended, it counted.
    expect(figures('2025-02-15T00:00:00.000Z').totals.workloadsOnAccredited).toBe(3);
  });

  it('counts NOCs in force and those expiring within 30 days, under the ministry of their entity when it is registered', () => {
    const { log, apply, figures } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal');
    approvedNoc(log, 'NOC-1', pse('pse-moitt'), 6, T0);
    approvedNoc(log, 'NOC-2', pse('pse-moitt'), 2, T0);
    approvedNoc(log, 'NOC-3', pse('pse-pb-health', 'punjab', 'u-pb-pse'), 12, T0);
    apply();

    // NOC-2 runs until about 6 March: within 30 days of 20 February.
    const soon = figures('2025-02-20T00:00:00.000Z');
    expect(soon.byMinistry).toEqual([
      { jurisdiction: 'federal', ministry: 'Ministry of IT and Telecom', workloadsOnAccredited: 0, workloadsUnderNoc: 0, activeNocs: 2, nocsExpiringWithin30Days: 1, ...NO_TRANSITION },
      { jurisdiction: 'punjab', ministry: null, workloadsOnAccredited: 0, workloadsUnderNoc: 0, activeNocs: 1, nocsExpiringWithin30Days: 0, ...NO_TRANSITION },
    ]);
    // Earlier, nothing is near its end; after NOC-2's validity it no longer counts as active.
    expect(figures('2025-01-10T00:00:00.000Z').totals).toMatchObject({ activeNocs: 3, nocsExpiringWithin30Days: 0, ...NO_TRANSITION });
    expect(figures(addDays('2025-03-06T09:00:00.000Z', 2)).totals).toMatchObject({ activeNocs: 2 });
  });

  it('counts workloads on a revoked offering as in transition until their deadline, then those still open as non-compliant', () => {
    const { log, apply, figures, queries } = setup();
    const moitt = new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal').record('p-1', 'allowed', '2025-02-01T00:00:00.000Z');
    const lands = new PseScript(log, 'pse-pb-lands', 'Board of Revenue', 'punjab').record('p-7', 'allowed', '2025-02-05T00:00:00.000Z');
    new PseScript(log, 'pse-fbr', 'Ministry of Finance', 'federal').record('p-1', 'allowed', '2025-02-01T00:00:00.000Z', 'off-mail');
    const open: OpenProcurement[] = [
      { pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' },
      { pseId: 'pse-pb-lands', procurementId: 'p-7', jurisdiction: 'punjab' },
    ];
    const transition = new TransitionScript(log, 'APP-1').start('off-gov', '2025-03-01T00:00:00.000Z', '2025-08-28T00:00:00.000Z', open);
    lands.end('p-7', '2025-06-01T00:00:00.000Z');
    transition.close('2025-08-28T00:00:00.000Z', open.slice(0, 1));
    apply();

    expect(figures('2025-02-20T00:00:00.000Z').totals).toMatchObject(NO_TRANSITION);
    // A migrating workload counts as migrating only, not also as on an accredited offering.
    expect(figures('2025-04-01T00:00:00.000Z').byJurisdiction).toEqual([
      expect.objectContaining({ jurisdiction: 'federal', workloadsOnAccredited: 1, workloadsInTransition: 1, workloadsNonCompliant: 0 }),
      expect.objectContaining({ jurisdiction: 'punjab', workloadsInTransition: 1, workloadsNonCompliant: 0 }),
    ]);
    const after = figures('2025-09-01T00:00:00.000Z');
    expect(after.totals).toMatchObject({ workloadsInTransition: 0, workloadsNonCompliant: 1 });
    expect(after.byMinistry).toEqual([
      expect.objectContaining({ ministry: 'Ministry of Finance', ...NO_TRANSITION }),
      expect.objectContaining({ ministry: 'Ministry of IT and Telecom', workloadsNonCompliant: 1 }),
    ]);
    expect(queries().nonCompliant('2025-09-01T00:00:00.000Z')).toEqual([
      {
        pseId: 'pse-moitt',
        name: 'Entity pse-moitt',
        ministry: 'Ministry of IT and Telecom',
        jurisdiction: 'federal',
        procurementId: 'p-1',
        offeringId: 'off-gov',
        system: 'System',
        dataClass: 'public',
        reason: 'migration-deadline',
        migrateBy: '2025-08-28T00:00:00.000Z',
        flaggedAt: '2025-08-28T00:00:00.000Z',
      },
    ]);
    expect(queries().nonCompliant('2025-09-01T00:00:00.000Z', { jurisdiction: 'punjab' })).toEqual([]);

    // Migrating late still ends the non-compliance from then on.
    moitt.end('p-1', '2025-10-01T00:00:00.000Z');
    apply();
    expect(figures('2025-10-02T00:00:00.000Z').totals).toMatchObject(NO_TRANSITION);
    expect(queries().nonCompliant('2025-10-02T00:00:00.000Z')).toEqual([]);
    expect(queries().nonCompliant('2025-09-01T00:00:00.000Z')).toHaveLength(1);
  });

  it('keeps, as of an instant between two endings of an offering, the first flag of a workload open through both', () => {
    const { log, apply, figures, queries } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal').record('p-1', 'allowed', '2025-02-01T00:00:00.000Z');
    const open: OpenProcurement[] = [{ pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' }];
    new TransitionScript(log, 'APP-1').start('off-gov', '2025-03-01T00:00:00.000Z', '2025-04-01T00:00:00.000Z', open).close('2025-04-01T00:00:00.000Z', open);
    // Re-accredited under APP-2, then ended again: a second notice and a second flag.
    new TransitionScript(log, 'APP-2').start('off-gov', '2025-06-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z', open).close('2025-07-01T00:00:00.000Z', open);
    apply();

    expect(figures('2025-03-15T00:00:00.000Z').totals).toMatchObject({ workloadsOnAccredited: 0, workloadsInTransition: 1, workloadsNonCompliant: 0 });
    expect(figures('2025-04-15T00:00:00.000Z').totals).toMatchObject({ workloadsOnAccredited: 0, workloadsInTransition: 0, workloadsNonCompliant: 1 });
    const first = { reason: 'migration-deadline', migrateBy: '2025-04-01T00:00:00.000Z', flaggedAt: '2025-04-01T00:00:00.000Z' };
    expect(queries().nonCompliant('2025-04-15T00:00:00.000Z')).toEqual([expect.objectContaining({ procurementId: 'p-1', ...first })]);
    // It became non-compliant at the first deadline, and the list keeps saying so after the second.
    expect(queries().nonCompliant('2025-07-15T00:00:00.000Z')).toEqual([expect.objectContaining({ procurementId: 'p-1', ...first })]);
  });

  it('counts a NOC by the end it had at the instant asked about, not by an extension approved later', () => {
    const { log, apply, figures } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal');
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 2 }, pse('pse-moitt'), T0);
    noc.act('StartReview', reviewer, {});
    noc.act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Contained risk', conditions: [] });
    noc.act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
    noc.at('2025-02-20T00:00:00.000Z').act('RequestExtension', pse('pse-moitt'), { months: 3, justification: 'The migration takes longer' });
    noc.act('DecideExtension', director, { decision: 'approve', reasons: 'Considered' });
    apply();

    // Until about 6 March as approved: within 30 days of 10 February, before the extension was granted.
    expect(figures('2025-02-10T00:00:00.000Z').totals).toMatchObject({ activeNocs: 1, nocsExpiringWithin30Days: 1 });
    expect(figures('2025-02-25T00:00:00.000Z').totals).toMatchObject({ activeNocs: 1, nocsExpiringWithin30Days: 0 });
    expect(figures('2025-03-10T00:00:00.000Z').totals).toMatchObject({ activeNocs: 1 });
  });

  it('stops counting a workload under its NOC once the NOC is revoked, and counts it non-compliant from then on', () => {
    const { log, apply, figures, queries } = setup();
    const moitt = new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal');
    const noc = log.nocCase({ nocId: 'noc-9', requestedMonths: 6 }, pse('pse-moitt'), T0);
    noc.act('StartReview', reviewer, {});
    noc.act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Contained risk', conditions: [] });
    noc.act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
    moitt.record('p-1', 'allowed-by-noc', '2025-02-01T00:00:00.000Z', 'off-dc', 'restricted', 'noc-9');
    noc.at('2025-03-01T00:00:00.000Z').act('Revoke', director, { reasons: 'Conditions not met' });
    apply();

    expect(figures('2025-02-15T00:00:00.000Z').totals).toMatchObject({ workloadsUnderNoc: 1, activeNocs: 1, workloadsNonCompliant: 0 });
    expect(figures('2025-03-02T00:00:00.000Z').totals).toMatchObject({ workloadsUnderNoc: 0, activeNocs: 0, workloadsNonCompliant: 1 });
    expect(queries().nonCompliant('2025-03-02T00:00:00.000Z')).toEqual([
      expect.objectContaining({ pseId: 'pse-moitt', procurementId: 'p-1', reason: 'noc-ended', migrateBy: '2025-03-01T00:00:00.000Z', flaggedAt: '2025-03-01T00:00:00.000Z' }),
    ]);
  });

  it('is rebuilt to the same rows from the log', () => {
    const { db, log, apply } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal').record('p-1', 'allowed', '2025-02-01T00:00:00.000Z').end('p-1', '2025-03-01T00:00:00.000Z');
    apply();
    const before = db.prepare('SELECT * FROM adoption_procurements').all();
    expect(before).toHaveLength(1);
    adoptionProjection.reset(db);
    adoptionProjection.setup(db);
    project(db, [adoptionProjection], log.events);
    expect(db.prepare('SELECT * FROM adoption_procurements').all()).toEqual(before);
  });
});
