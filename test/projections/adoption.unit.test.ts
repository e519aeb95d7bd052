import { buildCaseEvents } from '../../activities/event-activities';
import type { PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import { evolvePse } from '../../domain/pse/evolve';
import type { PseState } from '../../domain/pse/state';
import type { Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import type { DataClass, Jurisdiction } from '../../domain/shared/vocabulary';
import { streamName } from '../../eventstore/envelope';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { nocRegisterProjection } from '../../projections/noc/register';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { procurementInput } from '../../projections/procurement/queries';
import { answer } from '../domain/pse-fixtures';
import { director, officer, pse, reviewer } from '../support/actors';
import { TestLog, memoryDb, project } from './support';

const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
const T0 = '2025-01-06T09:00:00.000Z';
const PROJECTIONS = [nocRegisterProjection, procurementFactsProjection, adoptionProjection];

/** One entity's register stream, command by command through the real decider and envelope code. */
class PseScript {
  private state: PseState = { status: 'none' };
  private revision = -1;
  private step = 0;

  constructor(
    private readonly log: TestLog,
    readonly pseId: string,
    ministry: string,
    readonly jurisdiction: Jurisdiction,
  ) {
    this.run({ type: 'RegisterPse', actor: ADMIN, data: { pseId, name: `Entity ${pseId}`, ministry, jurisdiction } }, T0);
  }

  record(procurementId: string, decision: 'allowed' | 'allowed-by-noc', at: string, offeringId = 'off-gov', dataClass: DataClass = 'public'): this {
    const check = answer(decision, { pseId: this.pseId, offeringId, dataClass });
    this.run({ type: 'RecordProcurement', actor: this.officer, data: { procurementId, offeringId, dataClass, system: 'System', check } }, at);
    return this;
  }

  end(procurementId: string, at: string): this {
    this.run({ type: 'EndProcurement', actor: this.officer, data: { procurementId, reason: 'Decommissioned' } }, at);
    return this;
  }

  private get officer(): Actor {
    return pse(this.pseId, this.jurisdiction);
  }

  private run(command: PseCommand, now: string): void {
    const events = decidePse(command, this.state, { now });
    const stream = streamName('pse', this.pseId);
    this.step += 1;
    const envelopes = buildCaseEvents({
      stream,
      expectedRevision: this.revision,
      events,
      actor: command.actor,
      occurredAt: now,
      correlationId: `pse:${this.pseId}`,
      causationId: `${command.type}-${this.step}`,
      policyVersion: 'pse-register-1',
    });
    envelopes.forEach((e, i) => this.log.record({ id: e.id, stream, revision: this.revision + 1 + i, type: e.type, data: e.data, metadata: e.metadata }));
    this.state = events.reduce(evolvePse, this.state);
    this.revision += events.length;
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
  return { db, log, figures: (now: string) => createAdoptionQueries(db).figures(now), apply: () => project(db, PROJECTIONS, log.events) };
}

describe('the adoption read model', () => {
  it('counts workloads still on their offerings per jurisdiction and ministry, by what the check allowed them on', () => {
    const { log, apply, figures } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .record('p-2', 'allowed', '2025-02-02T00:00:00.000Z', 'off-mail')
      .record('p-3', 'allowed-by-noc', '2025-02-03T00:00:00.000Z', 'off-dc', 'restricted');
    new PseScript(log, 'pse-fbr', 'Ministry of Finance', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .end('p-1', '2025-03-01T00:00:00.000Z');
    new PseScript(log, 'pse-pb-lands', 'Board of Revenue', 'punjab').record('p-1', 'allowed-by-noc', '2025-02-05T00:00:00.000Z');
    apply();

    const now = figures('2025-04-01T00:00:00.000Z');
    expect(now.totals).toEqual({ workloadsOnAccredited: 2, workloadsUnderNoc: 2, activeNocs: 0, nocsExpiringWithin30Days: 0 });
    expect(now.byJurisdiction).toEqual([
      { jurisdiction: 'federal', workloadsOnAccredited: 2, workloadsUnderNoc: 1, activeNocs: 0, nocsExpiringWithin30Days: 0 },
      { jurisdiction: 'punjab', workloadsOnAccredited: 0, workloadsUnderNoc: 1, activeNocs: 0, nocsExpiringWithin30Days: 0 },
    ]);
    expect(now.byMinistry).toEqual([
      { jurisdiction: 'federal', ministry: 'Ministry of IT and Telecom', workloadsOnAccredited: 2, workloadsUnderNoc: 1, activeNocs: 0, nocsExpiringWithin30Days: 0 },
      { jurisdiction: 'punjab', ministry: 'Board of Revenue', workloadsOnAccredited: 0, workloadsUnderNoc: 1, activeNocs: 0, nocsExpiringWithin30Days: 0 },
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
      { jurisdiction: 'federal', ministry: 'Ministry of IT and Telecom', workloadsOnAccredited: 0, workloadsUnderNoc: 0, activeNocs: 2, nocsExpiringWithin30Days: 1 },
      { jurisdiction: 'punjab', ministry: null, workloadsOnAccredited: 0, workloadsUnderNoc: 0, activeNocs: 1, nocsExpiringWithin30Days: 0 },
    ]);
    // Earlier, nothing is near its end; after NOC-2's validity it no longer counts as active.
    expect(figures('2025-01-10T00:00:00.000Z').totals).toMatchObject({ activeNocs: 3, nocsExpiringWithin30Days: 0 });
    expect(figures(addDays('2025-03-06T09:00:00.000Z', 2)).totals).toMatchObject({ activeNocs: 2 });
  });

  it('tells the procurement check whether the entity used the offering at the instant asked about', () => {
    const { db, log, apply } = setup();
    new PseScript(log, 'pse-moitt', 'Ministry of IT and Telecom', 'federal')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .end('p-1', '2025-05-01T00:00:00.000Z');
    apply();
    const uses = (at: string, offering = 'off-gov') =>
      procurementInput(db, { pse: 'pse-moitt', offering, dataClass: 'public' }, at).pseAlreadyUsesOffering;
    expect(uses('2025-01-15T00:00:00.000Z')).toBe(false);
    expect(uses('2025-03-01T00:00:00.000Z')).toBe(true);
    expect(uses('2025-03-01T00:00:00.000Z', 'off-mail')).toBe(false);
    expect(uses('2025-06-01T00:00:00.000Z')).toBe(false);
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
