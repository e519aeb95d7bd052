import frameworkFile from '../../framework/benchmark-framework-1.0.json';
import { allCriteria, parseFramework, type BenchmarkFramework } from '../../domain/framework/schema';
import type { Baseline } from '../../domain/shared/vocabulary';

/** The framework file the office publishes, parsed exactly as production parses it. */
export const FRAMEWORK_1_0: BenchmarkFramework = parseFramework(frameworkFile);

/** A fresh, mutable copy of the published file, for tests that break it on purpose. */
export function frameworkJson(): typeof frameworkFile {
  return JSON.parse(JSON.stringify(frameworkFile)) as typeof frameworkFile;
}

/** Every criterion scored exactly at its minimum for `baseline`. */
export function scoresAtMinimum(framework: BenchmarkFramework, baseline: Baseline): Record<string, number> {
  return Object.fromEntries(allCriteria(framework).map((c) => [c.id, c.minimum[baseline]]));
}

/**
 * A two-group framework small enough to score by hand:
 *   security  A-01 weight 3 (minima 1/2/3/4), A-02 weight 1 (minima 0/1/2/5)
 *   cost      B-01 weight 1 (minima 1/1/1/1)
 */
export const TINY_FRAMEWORK: BenchmarkFramework = parseFramework({
  version: '0.1',
  title: 'A tiny framework for arithmetic',
  effectiveFrom: '2025-01-01T00:00:00.000Z',
  scale: { min: 0, max: 5, meaning: '0 absent to 5 exemplary' },
  groups: [
    {
      id: 'security',
      title: 'Security',
      criteria: [
        { id: 'AA-01', title: 'A one', measures: 'Something', evidence: ['A document'], weight: 3, minimum: { baseline: 1, intermediate: 2, enhanced: 3, highest: 4 } },
        { id: 'AA-02', title: 'A two', measures: 'Something', evidence: ['A document'], weight: 1, minimum: { baseline: 0, intermediate: 1, enhanced: 2, highest: 5 } },
      ],
    },
    {
      id: 'cost',
      title: 'Cost',
      criteria: [
        { id: 'BB-01', title: 'B one', measures: 'Something', evidence: ['A document'], weight: 1, minimum: { baseline: 1, intermediate: 1, enhanced: 1, highest: 1 } },
      ],
    },
  ],
});
