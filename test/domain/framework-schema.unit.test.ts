import { DomainError } from '../../domain/shared/errors';
import { BASELINES } from '../../domain/shared/vocabulary';
import { allCriteria, formatPath, parseFramework } from '../../domain/framework/schema';
import { FRAMEWORK_1_0, frameworkJson } from './framework-fixtures';

function refusal(json: unknown): DomainError {
  try {
    parseFramework(json);
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('FRAMEWORK_INVALID');
    return error as DomainError;
  }
  throw new Error('Expected the framework to be refused');
}

describe('the published benchmark framework 1.0', () => {
  it('parses, and covers the six benchmark groups with three to five criteria each', () => {
    expect(FRAMEWORK_1_0.version).toBe('1.0');
    expect(FRAMEWORK_1_0.groups.map((g) => g.id)).toEqual([
      'security',
      'reliability',
      'cost',
      'interoperability',
      'availability',
      'data-sovereignty',
    ]);
    for (const group of FRAMEWORK_1_0.groups) {
      expect(group.criteria.length).toBeGreaterThanOrEqual(3);
      expect(group.criteria.length).toBeLessThanOrEqual(5);
    }
  });

  it('gives every criterion a unique id, a positive weight, evidence, and minima that rise with the baseline', () => {
    const criteria = allCriteria(FRAMEWORK_1_0);
    expect(new Set(criteria.map((c) => c.id)).size).toBe(criteria.length);
    for (const criterion of criteria) {
      expect(criterion.weight).toBeGreaterThan(0);
      expect(criterion.evidence.length).toBeGreaterThan(0);
      const minima = BASELINES.map((b) => criterion.minimum[b]);
      expect([...minima].sort((a, b) => a - b)).toEqual(minima);
    }
  });

  it('asks for data centres in Pakistan and ISO 27001 among its criteria', () => {
    const titles = allCriteria(FRAMEWORK_1_0).map((c) => `${c.title} ${c.measures}`);
    expect(titles.some((t) => /Pakistan/.test(t) && /data centres/i.test(t))).toBe(true);
    expect(titles.some((t) => /27001/.test(t))).toBe(true);
  });
});

describe('a framework file that breaks the rules', () => {
  it('is refused when two criteria share an id, naming the second one', () => {
    const json = frameworkJson();
    (json.groups[1] as { criteria: Array<{ id: string }> }).criteria[0]!.id = 'SEC-01';
    const error = refusal(json);
    expect(error.field).toBe('groups[1].criteria[0].id');
    expect(error.message).toContain('duplicate criterion id SEC-01');
  });

  it('is refused when two groups share an id', () => {
    const json = frameworkJson();
    json.groups[2]!.id = 'security';
    expect(refusal(json).field).toBe('groups[2].id');
  });

  it('is refused when a weight is zero or negative', () => {
    const json = frameworkJson();
    json.groups[0]!.criteria[2]!.weight = 0;
    expect(refusal(json).field).toBe('groups[0].criteria[2].weight');
    json.groups[0]!.criteria[2]!.weight = -1;
    expect(refusal(json).field).toBe('groups[0].criteria[2].weight');
  });

  it('is refused when a higher baseline asks for less than a lower one', () => {
    const json = frameworkJson();
    json.groups[3]!.criteria[1]!.minimum.enhanced = 0;
    const error = refusal(json);
    expect(error.field).toBe('groups[3].criteria[1].minimum.enhanced');
    expect(error.message).toContain('intermediate');
  });

  it('is refused when a minimum is off the 0–5 scale or not a whole point', () => {
    const json = frameworkJson();
    json.groups[0]!.criteria[0]!.minimum.highest = 6;
    expect(refusal(json).field).toBe('groups[0].criteria[0].minimum.highest');
    json.groups[0]!.criteria[0]!.minimum.highest = 4.5;
    expect(refusal(json).field).toBe('groups[0].criteria[0].minimum.highest');
  });

  it('is refused when a criterion lacks what it measures or the evidence expected', () => {
    const json = frameworkJson() as unknown as { groups: Array<{ criteria: Array<Record<string, unknown>> }> };
    delete json.groups[4]!.criteria[0]!.measures;
    expect(refusal(json).field).toBe('groups[4].criteria[0].measures');
    const json2 = frameworkJson();
    json2.groups[4]!.criteria[0]!.evidence = [];
    expect(refusal(json2).field).toBe('groups[4].criteria[0].evidence');
  });

  it('is refused when the version is not major.minor', () => {
    const json = frameworkJson();
    json.version = 'v1';
    expect(refusal(json).field).toBe('version');
  });

  it('names every offending path in the message, not only the first', () => {
    const json = frameworkJson();
    json.groups[0]!.criteria[0]!.weight = 0;
    json.groups[5]!.criteria[2]!.title = '';
    const error = refusal(json);
    expect(error.message).toContain('groups[0].criteria[0].weight');
    expect(error.message).toContain('groups[5].criteria[2].title');
  });

  it('is refused when it is not an object at all, with no field to name', () => {
    const error = refusal('not a framework');
    expect(error.field).toBeUndefined();
    expect(error.message).toContain('(root)');
  });
});

describe('formatting a schema path', () => {
  it('writes indexes in brackets and names with dots', () => {
    expect(formatPath(['groups', 0, 'criteria', 12, 'minimum', 'highest'])).toBe('groups[0].criteria[12].minimum.highest');
    expect(formatPath([])).toBe('');
  });
});
