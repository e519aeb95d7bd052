import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { nocRegisterProjection } from '../../projections/noc/register';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { createPseRegisterQueries } from '../../projections/pse/entities';
import { procurementInput } from '../../projections/procurement/queries';
import { PseScript, REGISTERED_AT } from './pse-script';
import { TestLog, memoryDb, project } from './support';

const PROJECTIONS = [nocRegisterProjection, procurementFactsProjection, adoptionProjection];
const NONE = { workloadsUnderNoc: 0, activeNocs: 0, nocsExpiringWithin30Days: 0, workloadsInTransition: 0, workloadsNonCompliant: 0 };

function world() {
  const db = memoryDb(...PROJECTIONS);
  const log = new TestLog();
  return { db, log, apply: () => project(db, PROJECTIONS, log.events) };
}

describe('a corrected or moved entity in the read models', () => {
  it('is listed on the register with its name, ministry and jurisdiction as they now stand', () => {
    const { db, log, apply } = world();
    new PseScript(log, 'pse-pitb', 'S&GAD Punjab', 'punjab').correct({ name: 'Punjab IT Board', ministry: 'S&GAD' }, '2025-02-01T00:00:00.000Z').move('federal', '2025-03-01T00:00:00.000Z');
    apply();
    expect(createPseRegisterQueries(db).list({})).toEqual([
      { pseId: 'pse-pitb', name: 'Punjab IT Board', ministry: 'S&GAD', jurisdiction: 'federal', registeredAt: REGISTERED_AT },
    ]);
    expect(createPseRegisterQueries(db).list({ jurisdiction: 'punjab' })).toEqual([]);
  });

  it('counts its workloads under the jurisdiction and ministry it had at each instant, so past figures stay those of a replay', () => {
    const { log, apply, db } = world();
    new PseScript(log, 'pse-pitb', 'S&GAD Punjab', 'punjab')
      .record('p-1', 'allowed', '2025-02-01T00:00:00.000Z')
      .correct({ ministry: 'Services and General Administration' }, '2025-03-01T00:00:00.000Z')
      .move('sindh', '2025-04-01T00:00:00.000Z')
      .record('p-2', 'allowed', '2025-04-02T00:00:00.000Z');
    apply();
    const figures = (at: string) => createAdoptionQueries(db).figures(at);

    expect(figures('2025-02-15T00:00:00.000Z').byMinistry).toEqual([{ jurisdiction: 'punjab', ministry: 'S&GAD Punjab', workloadsOnAccredited: 1, ...NONE }]);
    expect(figures('2025-03-15T00:00:00.000Z').byMinistry).toEqual([
      { jurisdiction: 'punjab', ministry: 'Services and General Administration', workloadsOnAccredited: 1, ...NONE },
    ]);
    expect(figures('2025-05-01T00:00:00.000Z').byJurisdiction).toEqual([{ jurisdiction: 'sindh', workloadsOnAccredited: 2, ...NONE }]);
  });

  it('gives the procurement check the jurisdiction the entity moved to', () => {
    const { log, apply, db } = world();
    new PseScript(log, 'pse-pitb', 'S&GAD Punjab', 'punjab').move('federal', '2025-03-01T00:00:00.000Z');
    apply();
    const input = procurementInput(db, { pse: 'pse-pitb', offering: 'off-gov', dataClass: 'open' }, '2025-03-02T00:00:00.000Z');
    expect(input.pse).toMatchObject({ pseId: 'pse-pitb', jurisdiction: 'federal' });
  });
});
