import type { Actor } from '../../domain/shared/actor';
import {
  FrameworkRegisterEventSchemas,
  decideFrameworkRegister,
  foldFrameworkRegister,
  parseFramework,
  type BenchmarkFramework,
  type FrameworkRegisterCommand,
  type FrameworkRegisterContext,
  type FrameworkRegisterEvent,
  type FrameworkRegisterState,
} from '../../domain/framework';
import { FRAMEWORK_1_0, frameworkJson } from './framework-fixtures';
import { deciderSpec } from './given-when-then';

export const directorA: Actor = { userId: 'u-dir-a', name: 'Director A', role: 'director', jurisdiction: 'federal' };
export const directorB: Actor = { userId: 'u-dir-b', name: 'Director B', role: 'director', jurisdiction: 'federal' };
export const reviewer: Actor = { userId: 'u-rev', name: 'Reviewer', role: 'reviewer', jurisdiction: 'federal' };

export const NOW = '2026-01-10T09:00:00.000Z';
export const ctxAt = (now: string = NOW): FrameworkRegisterContext => ({ now, genesis: FRAMEWORK_1_0 });

/**
 * Version `version` of the published framework, effective from `effectiveFrom`, with SEC-01 weighing
 * one more than in 1.0, the last group's last criterion gone and a new criterion SEC-09.
 */
export function nextFramework(version: string, effectiveFrom: string): BenchmarkFramework {
  const json = frameworkJson() as unknown as {
    version: string;
    effectiveFrom: string;
    groups: Array<{ id: string; criteria: Array<Record<string, unknown> & { id: string; weight: number }> }>;
  };
  json.version = version;
  json.effectiveFrom = effectiveFrom;
  const security = json.groups.find((g) => g.criteria.some((c) => c.id === 'SEC-01'));
  if (security === undefined) throw new Error('the published framework has no SEC-01');
  const sec01 = security.criteria.find((c) => c.id === 'SEC-01');
  if (sec01 === undefined) throw new Error('the published framework has no SEC-01');
  sec01.weight += 1;
  security.criteria.push({ ...sec01, id: 'SEC-09', title: 'Key rotation', weight: 1 });
  const last = json.groups.at(-1);
  if (last === undefined || last.criteria.length < 2) throw new Error('the published framework changed shape');
  last.criteria.pop();
  return parseFramework(json);
}

export const given = deciderSpec<FrameworkRegisterState, FrameworkRegisterCommand, FrameworkRegisterEvent, FrameworkRegisterContext>({
  decide: decideFrameworkRegister,
  fold: foldFrameworkRegister,
  validate: (event) => expect(FrameworkRegisterEventSchemas[event.type].parse(event.data)).toEqual(event.data),
});

export const proposed = (framework: BenchmarkFramework, by: Actor = directorA): FrameworkRegisterEvent => ({
  type: 'FrameworkVersionProposed',
  data: { version: framework.version, framework, effectiveFrom: framework.effectiveFrom, changes: 'Stronger keys', proposedBy: by.userId, proposedByName: by.name as string },
});

export const approved = (framework: BenchmarkFramework, by: Actor = directorB): FrameworkRegisterEvent => ({
  type: 'FrameworkVersionApproved',
  data: { version: framework.version, effectiveFrom: framework.effectiveFrom, approvedBy: by.userId, approvedByName: by.name as string },
});
