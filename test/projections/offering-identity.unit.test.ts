import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import { createAccreditedListQueries } from '../../projections/accreditation/queries';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { procurementCheck } from '../../projections/procurement/queries';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, cspEvent, registerCsp } from './accredited-fixtures';
import { TestLog, memoryDb, project } from './support';

const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const VALID_UNTIL = '2028-02-03T10:00:00.000Z';
const NOW = '2026-01-01T00:00:00.000Z';
const RESTRICTED = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: VALID_UNTIL } as const;

/**
 * A history written before offering ids were reserved register-wide may hold a second provider's
 * offering under an id the first already used. The public read models keep the id with the provider
 * that added it first: the second provider's changes and applications never describe, or are credited
 * to, the first one's offering.
 */
function twoProvidersOneId() {
  const projections = [accreditedListProjection, procurementFactsProjection];
  const db = memoryDb(...projections);
  const log = new TestLog();
  registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
  registerCsp(log, 'csp-two', 'Two Cloud Pvt Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  // The same id under another provider: a public cloud abroad.
  const impostor = { ...PUBLIC_CLOUD, offeringId: GOV_CLOUD.offeringId, name: 'Two Public Cloud' };
  addOffering(log, 'csp-two', impostor, T0);
  const apply = (): void => project(db, projections, log.events.splice(0));
  return { db, log, apply, impostor, list: createAccreditedListQueries(db) };
}

describe('one offering id claimed by two providers in an old history', () => {
  it('keeps the catalogue entry with the provider that added the id first, whatever the second one does with it', () => {
    const { log, apply, impostor, list } = twoProvidersOneId();
    cspEvent(log, 'csp-two', 'OfferingUpdated', { ...impostor, name: 'Renamed by two', changed: ['name'], updatedBy: 'u-two' }, T0);
    cspEvent(log, 'csp-two', 'OfferingRetired', { offeringId: GOV_CLOUD.offeringId, reason: 'Not mine to retire', retiredBy: 'u-two' }, T0);
    application(log, 'app-one').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    apply();
    expect(list.list()).toEqual([expect.objectContaining({ offeringId: GOV_CLOUD.offeringId, cspId: 'csp-one', offeringName: GOV_CLOUD.name, deploymentModel: 'government' })]);
  });

  it("never credits the first provider's offering with the second provider's accreditation: not on the list, not in its change log, not in the check", () => {
    const { db, log, apply, impostor, list } = twoProvidersOneId();
    application(log, 'app-two').submit('csp-two', impostor, T0).grant({ ...RESTRICTED, highestDataClass: 'public', baseline: 'baseline' }, GRANTED);
    apply();
    expect(list.list()).toEqual([]);
    expect(list.changes({ limit: 100, offset: 0 })).toEqual([]);
    const answer = procurementCheck(db, { pse: 'pse-moitt', offering: GOV_CLOUD.offeringId, dataClass: 'public' }, NOW);
    expect(answer.decision).toBe('denied');
    expect(answer.reasons.map((r) => r.code)).toContain('OFFERING_NOT_ACCREDITED');
    expect(JSON.stringify(answer.reasons)).toContain(`${GOV_CLOUD.name} (${GOV_CLOUD.offeringId}) is not accredited`);
    expect(JSON.stringify(answer.reasons)).not.toMatch(/csp-two|Two Public Cloud/);
  });

  it("answers the check from the first provider's own accreditation and facts", () => {
    const { db, log, apply, impostor } = twoProvidersOneId();
    application(log, 'app-one').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    application(log, 'app-two').submit('csp-two', impostor, T0).grant(RESTRICTED, GRANTED);
    apply();
    const answer = procurementCheck(db, { pse: 'pse-moitt', offering: GOV_CLOUD.offeringId, dataClass: 'restricted' }, NOW);
    expect(answer.decision).toBe('allowed');
    expect(JSON.stringify(answer.reasons)).toContain('is provided by csp-one');
  });
});
