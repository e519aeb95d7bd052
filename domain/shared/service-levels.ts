import { z } from 'zod';
import { toMillis } from './time';

/**
 * How many working days the office gives itself for each kind of task its staff do. The spec sets the
 * parties' deadlines (information 30 days, evidence 30 days, remediation by severity) but not the
 * office's own; these defaults are the office's choice, and SERVICE_LEVELS overrides any of them.
 * Keys are `<case>.<task>` as the queue names them.
 */
export const SERVICE_LEVEL_TASKS = [
  'noc.review',
  'noc.decide',
  'noc.decide-extension',
  'accreditation.screen',
  'accreditation.score',
  'accreditation.security-review',
  'accreditation.decide',
  'review.request-evidence',
  'review.assess',
  'review.verify-remediation',
  'review.decide-escalation',
  'review.recommend-reinstatement',
  'change.recommend-change',
  'change.decide-change',
  'framework.decide-framework',
  'registration.decide',
  'account.approve-grant',
] as const;
export type ServiceLevelTask = (typeof SERVICE_LEVEL_TASKS)[number];

export const DEFAULT_SERVICE_LEVELS: Readonly<Record<ServiceLevelTask, number>> = {
  'noc.review': 5,
  'noc.decide': 3,
  'noc.decide-extension': 3,
  'accreditation.screen': 5,
  'accreditation.score': 15,
  'accreditation.security-review': 10,
  'accreditation.decide': 5,
  'review.request-evidence': 5,
  'review.assess': 15,
  'review.verify-remediation': 10,
  'review.decide-escalation': 5,
  'review.recommend-reinstatement': 5,
  'change.recommend-change': 10,
  'change.decide-change': 5,
  'framework.decide-framework': 10,
  'registration.decide': 5,
  'account.approve-grant': 2,
};

const WorkingDays = z.number().int().positive().max(365);

/** SERVICE_LEVELS: a JSON object of working days by task, e.g. {"noc.review":3}; tasks it leaves out keep their default. */
export const ServiceLevelOverrides = z.partialRecord(z.enum(SERVICE_LEVEL_TASKS), WorkingDays);
export type ServiceLevels = Readonly<Record<ServiceLevelTask, number>>;

export function serviceLevelsWith(overrides: z.infer<typeof ServiceLevelOverrides>): ServiceLevels {
  return { ...DEFAULT_SERVICE_LEVELS, ...overrides };
}

export function isServiceLevelTask(key: string): key is ServiceLevelTask {
  return (SERVICE_LEVEL_TASKS as readonly string[]).includes(key);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Saturday and Sunday are the federal government's weekend; days are counted in UTC. */
const isWeekend = (ms: number): boolean => {
  const day = new Date(ms).getUTCDay();
  return day === 0 || day === 6;
};

/** The instant `days` working days after `from`, at the same time of day: weekends are not counted. */
export function addWorkingDays(from: string, days: number): string {
  let ms = toMillis(from);
  let left = days;
  while (left > 0) {
    ms += DAY_MS;
    if (!isWeekend(ms)) left -= 1;
  }
  return new Date(ms).toISOString();
}

/**
 * When a task is due: its service level counted from when it entered the queue, or the case's own
 * deadline when that comes first. A task without a service level (a party's own task) or without a
 * known start keeps the case's deadline.
 */
export function taskDueAt(input: { task: string; enteredAt: string | null; caseDueAt: string | null }, levels: ServiceLevels): string | null {
  const level = isServiceLevelTask(input.task) && input.enteredAt !== null ? addWorkingDays(input.enteredAt, levels[input.task]) : null;
  if (level === null) return input.caseDueAt;
  if (input.caseDueAt === null) return level;
  return toMillis(input.caseDueAt) < toMillis(level) ? input.caseDueAt : level;
}

export function isOverdue(dueAt: string | null, now: string): boolean {
  return dueAt !== null && toMillis(dueAt) < toMillis(now);
}
