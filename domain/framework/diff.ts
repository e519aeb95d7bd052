import { allCriteria, type BaselineMinima, type BenchmarkFramework } from './schema';

export interface CriterionChange {
  id: string;
  title: string;
  /** Set when the weight changed. */
  weight?: { from: number; to: number };
  /** The baselines whose minimum changed. */
  minimum?: Partial<Record<keyof BaselineMinima, { from: number; to: number }>>;
}

/** What a version changes in the criteria against the one before it: what an applicant must now meet. */
export interface FrameworkDiff {
  from: string;
  to: string;
  added: Array<{ id: string; title: string; groupId: string }>;
  removed: Array<{ id: string; title: string; groupId: string }>;
  changed: CriterionChange[];
}

export function diffFrameworks(previous: BenchmarkFramework, next: BenchmarkFramework): FrameworkDiff {
  const before = new Map(allCriteria(previous).map((c) => [c.id, c]));
  const after = new Map(allCriteria(next).map((c) => [c.id, c]));
  const brief = (c: { id: string; title: string; groupId: string }) => ({ id: c.id, title: c.title, groupId: c.groupId });
  const changed: CriterionChange[] = [];
  for (const [id, now] of after) {
    const then = before.get(id);
    if (then === undefined) continue;
    const change: CriterionChange = { id, title: now.title };
    if (then.weight !== now.weight) change.weight = { from: then.weight, to: now.weight };
    const minimum: CriterionChange['minimum'] = {};
    for (const baseline of Object.keys(now.minimum) as Array<keyof BaselineMinima>) {
      if (then.minimum[baseline] !== now.minimum[baseline]) minimum[baseline] = { from: then.minimum[baseline], to: now.minimum[baseline] };
    }
    if (Object.keys(minimum).length > 0) change.minimum = minimum;
    if (change.weight !== undefined || change.minimum !== undefined) changed.push(change);
  }
  return {
    from: previous.version,
    to: next.version,
    added: [...after.values()].filter((c) => !before.has(c.id)).map(brief),
    removed: [...before.values()].filter((c) => !after.has(c.id)).map(brief),
    changed,
  };
}
