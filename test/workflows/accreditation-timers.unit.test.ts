import type { AccreditationCase, AccreditationState } from '../../domain/accreditation/state';
import { nextAnniversary } from '../../workflows/accreditation/timers';
import type { Offering } from '../../domain/csp/events';

const GOV_CLOUD: Offering = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS'],
  deploymentModel: 'government',
  dataCentres: [{ city: 'Islamabad', country: 'PK' }],
};
const VALID_FROM = '2024-02-29T09:00:00.000Z';

function held(status: AccreditationCase['status'], validUntil = '2027-02-28T09:00:00.000Z'): AccreditationState {
  return {
    status,
    application: {
      applicationId: 'ACC-1',
      cspId: 'csp-nimbus',
      offering: GOV_CLOUD,
      requestedBaseline: 'enhanced',
      evidence: [{ kind: 'iso-27001', reference: 'IS 1' }],
      frameworkVersion: '1.0',
    },
    submittedBy: 'u-csp',
    submittedAt: '2024-01-01T00:00:00.000Z',
    policyVersion: 'p',
    evidence: [],
    technicalReviewers: [],
    scores: {},
    renewalWindowOpen: false,
    grant: { baseline: 'intermediate', highestDataClass: 'restricted', conditions: [], validFrom: VALID_FROM, validUntil },
  };
}

describe('the anniversaries of a grant', () => {
  it('falls on each anniversary of validFrom, counted from the grant so a 29 February grant does not drift', () => {
    expect(nextAnniversary(held('accredited'), 0)).toEqual({ n: 1, at: '2025-02-28T09:00:00.000Z' });
    expect(nextAnniversary(held('accredited'), 1)).toEqual({ n: 2, at: '2026-02-28T09:00:00.000Z' });
  });

  it('keeps counting while suspended, and stops before the accreditation ends', () => {
    expect(nextAnniversary(held('suspended'), 1)).toEqual({ n: 2, at: '2026-02-28T09:00:00.000Z' });
    // The third anniversary is the end date itself: no review is opened then.
    expect(nextAnniversary(held('accredited'), 2)).toBeUndefined();
  });

  it('carries on through a renewal, which moves only validUntil', () => {
    expect(nextAnniversary(held('accredited', '2030-02-28T09:00:00.000Z'), 2)).toEqual({ n: 3, at: '2027-02-28T09:00:00.000Z' });
  });

  it('has none once the accreditation has ended or before it is granted', () => {
    expect(nextAnniversary(held('revoked'), 0)).toBeUndefined();
    expect(nextAnniversary(held('withdrawn'), 0)).toBeUndefined();
    expect(nextAnniversary({ status: 'none' }, 0)).toBeUndefined();
    expect(nextAnniversary({ ...held('decision'), grant: undefined } as AccreditationState, 0)).toBeUndefined();
  });
});
