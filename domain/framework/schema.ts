import { z } from 'zod';
import { DomainError } from '../shared/errors';
import { BASELINES } from '../shared/vocabulary';

/**
 * The benchmark framework CSPs are assessed against (SPEC §1.1). It is data: each version is a file
 * under `framework/`, and an application pins the version it applies under, so a newer framework
 * never changes how a case in flight is scored.
 */
const Text = z.string().trim().min(1);
const Slug = z.string().regex(/^[a-z][a-z0-9-]*$/, 'must be a lower-case slug');
/** Scores are whole points on a 0–5 scale. */
export const SCORE_MIN = 0;
export const SCORE_MAX = 5;
export const Score = z.number().int().min(SCORE_MIN).max(SCORE_MAX);

/** The lowest score a criterion must reach for an offering to be accredited at each baseline. */
export const BaselineMinima = z.object({
  baseline: Score,
  intermediate: Score,
  enhanced: Score,
  highest: Score,
});
export type BaselineMinima = z.infer<typeof BaselineMinima>;

export const Criterion = z.object({
  id: z.string().regex(/^[A-Z]{2,5}-\d{2,3}$/, 'must look like SEC-01'),
  title: Text,
  /** What the criterion measures, in the words a reviewer scores against. */
  measures: Text,
  /** The evidence a CSP is expected to supply for it. */
  evidence: z.array(Text).min(1),
  /** Relative weight in the total; a criterion with weight 2 counts twice as much as one with weight 1. */
  weight: z.number().positive(),
  minimum: BaselineMinima,
});
export type Criterion = z.infer<typeof Criterion>;

export const CriterionGroup = z.object({
  id: Slug,
  title: Text,
  criteria: z.array(Criterion).min(1),
});
export type CriterionGroup = z.infer<typeof CriterionGroup>;

export const BenchmarkFramework = z
  .object({
    version: z.string().regex(/^\d+\.\d+$/, 'must be major.minor, e.g. 1.0'),
    title: Text,
    effectiveFrom: z.iso.datetime({ offset: true }),
    scale: z.object({ min: z.literal(SCORE_MIN), max: z.literal(SCORE_MAX), meaning: Text }),
    groups: z.array(CriterionGroup).min(1),
  })
  .superRefine((framework, ctx) => {
    const groupIds = new Set<string>();
    const criterionIds = new Set<string>();
    framework.groups.forEach((group, g) => {
      if (groupIds.has(group.id)) {
        ctx.addIssue({ code: 'custom', path: ['groups', g, 'id'], message: `duplicate group id ${group.id}` });
      }
      groupIds.add(group.id);
      group.criteria.forEach((criterion, c) => {
        if (criterionIds.has(criterion.id)) {
          ctx.addIssue({ code: 'custom', path: ['groups', g, 'criteria', c, 'id'], message: `duplicate criterion id ${criterion.id}` });
        }
        criterionIds.add(criterion.id);
        // A higher baseline is a stricter one: its minimum may not be lower than the one below it.
        for (let b = 1; b < BASELINES.length; b += 1) {
          const lower = BASELINES[b - 1] as (typeof BASELINES)[number];
          const higher = BASELINES[b] as (typeof BASELINES)[number];
          if (criterion.minimum[higher] < criterion.minimum[lower]) {
            ctx.addIssue({
              code: 'custom',
              path: ['groups', g, 'criteria', c, 'minimum', higher],
              message: `must be at least the ${lower} minimum (${criterion.minimum[lower]})`,
            });
          }
        }
      });
    });
  });
export type BenchmarkFramework = z.infer<typeof BenchmarkFramework>;

/** `groups[0].criteria[2].weight`: the path as a person reading the file would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    const name = String(key);
    return out === '' ? name : `${out}.${name}`;
  }, '');
}

/**
 * Pure: the framework in `json` (already parsed from its file), or a FRAMEWORK_INVALID error whose
 * message names every offending path and whose field is the first one.
 */
export function parseFramework(json: unknown): BenchmarkFramework {
  const parsed = BenchmarkFramework.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
  const first = issues[0];
  throw new DomainError(
    'FRAMEWORK_INVALID',
    `Benchmark framework invalid: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
    first?.path || undefined,
  );
}

/** Every criterion of the framework, in file order, with the group it belongs to. */
export function allCriteria(framework: BenchmarkFramework): Array<Criterion & { groupId: string }> {
  return framework.groups.flatMap((group) => group.criteria.map((criterion) => ({ ...criterion, groupId: group.id })));
}
