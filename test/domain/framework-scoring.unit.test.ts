import { BASELINES } from '../../domain/shared/vocabulary';
import { allCriteria } from '../../domain/framework/schema';
import { scoreApplication } from '../../domain/framework/scoring';
import { FRAMEWORK_1_0, TINY_FRAMEWORK, scoresAtMinimum } from './framework-fixtures';

describe('scoring an application against a framework', () => {
  it('weighs each criterion into a total percentage and a percentage per group', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 4, 'AA-02': 2, 'BB-01': 1 }, 'enhanced');
    // (3×4 + 1×2 + 1×1) / (5×5) = 15/25; security (12 + 2)/20; cost 1/5.
    expect(score.total).toBe(60);
    expect(score.perGroup).toEqual({ security: 70, cost: 20 });
    expect(score.complete).toBe(true);
    expect(score.missing).toEqual([]);
  });

  it('finds the highest baseline whose every minimum is reached', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 4, 'AA-02': 2, 'BB-01': 1 }, 'enhanced');
    expect(score.highestBaselineMet).toBe('enhanced');
    expect(score.unmet).toEqual([]);
    expect(score.meetsRequestedBaseline).toBe(true);
  });

  it('lists the criteria below the minimum of the requested baseline', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 4, 'AA-02': 2, 'BB-01': 1 }, 'highest');
    expect(score.unmet).toEqual([{ criterionId: 'AA-02', score: 2, minimum: 5 }]);
    expect(score.meetsRequestedBaseline).toBe(false);
    expect(score.highestBaselineMet).toBe('enhanced');
  });

  it('meets no baseline when one criterion falls below even the lowest minimum', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 5, 'AA-02': 5, 'BB-01': 0 }, 'baseline');
    expect(score.total).toBe(80);
    expect(score.highestBaselineMet).toBeNull();
    expect(score.unmet).toEqual([{ criterionId: 'BB-01', score: 0, minimum: 1 }]);
  });

  it('counts unscored criteria as zero, reports them missing, and meets no baseline until all are scored', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 5 }, 'baseline');
    expect(score.total).toBe(60);
    expect(score.perGroup).toEqual({ security: 75, cost: 0 });
    expect(score.missing).toEqual(['AA-02', 'BB-01']);
    expect(score.complete).toBe(false);
    expect(score.highestBaselineMet).toBeNull();
    expect(score.unmet).toEqual([]);
    expect(score.meetsRequestedBaseline).toBe(false);
  });

  it('ignores scores for criteria the framework does not have', () => {
    const score = scoreApplication(TINY_FRAMEWORK, { 'AA-01': 4, 'AA-02': 2, 'BB-01': 1, 'ZZ-99': 0 }, 'enhanced');
    expect(score.total).toBe(60);
    expect(score.unmet).toEqual([]);
  });

  it('rounds percentages to two decimals', () => {
    // One criterion scored a third of the way: 33.333… % is reported as 33.33 %.
    const single = { ...TINY_FRAMEWORK, groups: [{ ...TINY_FRAMEWORK.groups[1]! }] };
    expect(scoreApplication(single, { 'BB-01': 5 / 3 }, 'baseline').total).toBe(33.33);
  });

  it('on the published framework, minimum scores for a baseline meet exactly that baseline', () => {
    for (const baseline of BASELINES) {
      const score = scoreApplication(FRAMEWORK_1_0, scoresAtMinimum(FRAMEWORK_1_0, baseline), baseline);
      expect(score.highestBaselineMet).toBe(baseline);
      expect(score.meetsRequestedBaseline).toBe(true);
    }
  });

  it('on the published framework, full marks everywhere score 100 % and meet the highest baseline', () => {
    const full = Object.fromEntries(allCriteria(FRAMEWORK_1_0).map((c) => [c.id, 5]));
    const score = scoreApplication(FRAMEWORK_1_0, full, 'highest');
    expect(score.total).toBe(100);
    expect(Object.values(score.perGroup)).toEqual([100, 100, 100, 100, 100, 100]);
    expect(score.highestBaselineMet).toBe('highest');
  });
});
