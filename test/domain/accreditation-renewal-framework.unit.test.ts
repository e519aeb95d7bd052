import { addDays } from '../../domain/shared/time';
import { allCriteria } from '../../domain/framework';
import type { AccreditationCommandOf } from '../../domain/accreditation';
import { RENEWAL_OPENS, at, ev, given, h, who } from './accreditation-fixtures';
import { nextFramework } from './framework-fixtures-register';

/** Framework 1.1 is in force at renewal: it adds SEC-09 and weighs SEC-01 more than the 1.0 the grant was scored under. */
const V1_1 = nextFramework('1.1', '2027-01-01T00:00:00.000Z');
const SEC_09_ENHANCED = allCriteria(V1_1).find((c) => c.id === 'SEC-09')?.minimum.enhanced ?? 0;
const WHEN = at(addDays(RENEWAL_OPENS, 10));
const renew = (scores?: Record<string, number>): AccreditationCommandOf<'Renew'> => ({
  type: 'Renew',
  actor: who.director,
  data: { reasons: 'Continued compliance', framework: V1_1, ...(scores ? { scores } : {}) },
});

describe('renewing under the framework in force at renewal', () => {
  it('is refused until the criteria the new version added are scored, naming them', () => {
    const refusal = given(h.renewalOpen).when(renew(), WHEN).thenRefuses('ACCREDITATION_SCORES_INCOMPLETE', 'scores');
    expect(refusal.message).toContain('SEC-09');
  });

  it('scores the assessment’s scores and the added ones against the new version and records it', () => {
    const base = ev.renewed();
    const { state } = given(h.renewalOpen)
      .when(renew({ 'SEC-09': SEC_09_ENHANCED }), WHEN)
      .then([
        {
          ...base,
          data: {
            ...base.data,
            frameworkVersion: '1.1',
            scores: { 'SEC-09': SEC_09_ENHANCED },
            summary: expect.objectContaining({ complete: true, highestBaselineMet: 'enhanced' }),
          },
        },
      ]);
    expect(state).toMatchObject({ status: 'accredited', scoreSummary: { highestBaselineMet: 'enhanced' } });
  });

  it('is refused when, scored against the new version, the offering no longer meets the granted baseline', () => {
    given(h.renewalOpen).when(renew({ 'SEC-09': 0 }), WHEN).thenRefuses('ACCREDITATION_BASELINE_NOT_MET', 'scores');
  });

  it('refuses a score for a criterion the version in force does not have', () => {
    given(h.renewalOpen).when(renew({ 'SEC-09': SEC_09_ENHANCED, 'XYZ-01': 3 }), WHEN).thenRefuses('ACCREDITATION_UNKNOWN_CRITERION', 'scores.XYZ-01');
  });
});
