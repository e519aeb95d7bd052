import { adoptionIn, homeJurisdiction } from '../../api/adoption-scope';
import { director, officer, pse } from '../support/actors';

const row = { workloadsOnAccredited: 3, workloadsUnderNoc: 1, activeNocs: 2, nocsExpiringWithin30Days: 1, workloadsInTransition: 0, workloadsNonCompliant: 0 };
const FIGURES = {
  asOf: '2026-11-28T00:00:00.000Z',
  totals: { ...row, workloadsOnAccredited: 10 },
  byJurisdiction: [{ jurisdiction: 'federal' as const, ...row, workloadsOnAccredited: 7 }, { jurisdiction: 'punjab' as const, ...row }],
  byMinistry: [
    { jurisdiction: 'federal' as const, ministry: 'IT', ...row, workloadsOnAccredited: 7 },
    { jurisdiction: 'punjab' as const, ministry: 'Board of Revenue', ...row },
  ],
};

describe("one jurisdiction's adoption figures", () => {
  it("keep that jurisdiction's row and ministries, and total them alone", () => {
    expect(adoptionIn(FIGURES, 'punjab')).toEqual({
      asOf: FIGURES.asOf,
      totals: row,
      byJurisdiction: [{ jurisdiction: 'punjab', ...row }],
      byMinistry: [{ jurisdiction: 'punjab', ministry: 'Board of Revenue', ...row }],
    });
  });

  it('are all zeros for a jurisdiction where nothing is recorded yet', () => {
    const sindh = adoptionIn(FIGURES, 'sindh');
    expect(sindh.byJurisdiction).toEqual([]);
    expect(sindh.byMinistry).toEqual([]);
    expect(Object.values(sindh.totals).every((n) => n === 0)).toBe(true);
  });

  it("narrow a provincial officer's view to their province, and nobody else's", () => {
    expect(homeJurisdiction(officer('punjab', 'u-pb'))).toBe('punjab');
    expect(homeJurisdiction(director)).toBeUndefined();
    expect(homeJurisdiction(pse('pse-lahore', 'punjab'))).toBeUndefined();
    expect(homeJurisdiction(undefined)).toBeUndefined();
  });
});
