import { BASELINES, type Baseline } from '../shared/vocabulary';
import { SCORE_MAX, allCriteria, type BenchmarkFramework } from './schema';

export interface UnmetCriterion {
  criterionId: string;
  score: number;
  minimum: number;
}

export interface ApplicationScore {
  /** Weighted percentage of the maximum over all criteria; an unscored criterion counts as 0. */
  total: number;
  /** The same percentage within each group, by group id. */
  perGroup: Record<string, number>;
  /** Scored criteria below their minimum for the requested baseline. */
  unmet: UnmetCriterion[];
  /** Criteria without a score yet, in framework order. */
  missing: string[];
  /** True when every criterion of the framework has a score. */
  complete: boolean;
  /**
   * The highest baseline whose every minimum the scores reach; null when none is reached or the
   * scores are incomplete (an unscored criterion meets no minimum).
   */
  highestBaselineMet: Baseline | null;
  /** Complete and nothing unmet for the requested baseline. */
  meetsRequestedBaseline: boolean;
}

/** Two decimals: enough to tell applications apart, stable across runs. */
const percent = (earned: number, possible: number): number =>
  possible === 0 ? 0 : Math.round((earned / possible) * 10000) / 100;

/**
 * Pure: how `scores` (criterion id → 0–5) fare against the framework for the requested baseline.
 * Scores for ids the framework does not have are ignored here; the decider refuses them earlier.
 */
export function scoreApplication(
  framework: BenchmarkFramework,
  scores: Readonly<Record<string, number>>,
  requestedBaseline: Baseline,
): ApplicationScore {
  const criteria = allCriteria(framework);
  const scoreOf = (id: string): number | undefined =>
    Object.prototype.hasOwnProperty.call(scores, id) ? scores[id] : undefined;

  let earned = 0;
  let possible = 0;
  const groupTotals = new Map<string, { earned: number; possible: number }>();
  const unmet: UnmetCriterion[] = [];
  const missing: string[] = [];

  for (const criterion of criteria) {
    const score = scoreOf(criterion.id);
    const group = groupTotals.get(criterion.groupId) ?? { earned: 0, possible: 0 };
    group.possible += criterion.weight * SCORE_MAX;
    possible += criterion.weight * SCORE_MAX;
    if (score === undefined) {
      missing.push(criterion.id);
    } else {
      group.earned += criterion.weight * score;
      earned += criterion.weight * score;
      const minimum = criterion.minimum[requestedBaseline];
      if (score < minimum) unmet.push({ criterionId: criterion.id, score, minimum });
    }
    groupTotals.set(criterion.groupId, group);
  }

  const perGroup: Record<string, number> = {};
  for (const [groupId, totals] of groupTotals) perGroup[groupId] = percent(totals.earned, totals.possible);

  const complete = missing.length === 0;
  let highestBaselineMet: Baseline | null = null;
  if (complete) {
    for (const baseline of BASELINES) {
      if (!criteria.every((c) => (scoreOf(c.id) as number) >= c.minimum[baseline])) break;
      highestBaselineMet = baseline;
    }
  }

  return {
    total: percent(earned, possible),
    perGroup,
    unmet,
    missing,
    complete,
    highestBaselineMet,
    meetsRequestedBaseline: complete && unmet.length === 0,
  };
}
