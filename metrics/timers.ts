import { Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './registry';

/** Seconds late: a healthy worker records a fired timer's event within a second; a stopped one, hours later. */
const LATENESS_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

const DAY_MS = 24 * 60 * 60 * 1000;

export interface TimerDue {
  kind: string;
  dueAtMs: number;
}

type DueOf = (data: Record<string, unknown>) => number | undefined;

const at = (field: string): DueOf => (data) => (typeof data[field] === 'string' ? Date.parse(data[field]) : undefined);

/**
 * The events a workflow appends when one of its timers fires, each with the instant that timer was set
 * for, read from the event itself (the decider refuses them before that instant).
 * The renewal window's and the report reminder's events carry their timer's instant only since it was
 * recorded (`opensAt`, `remindAt`); earlier ones are left out rather than guessed from today's policy,
 * which a workflow started under another may not share.
 */
const TIMER_EVENTS: Record<string, { kind: string; due: DueOf }> = {
  NocLapsed: { kind: 'noc.information-lapse', due: at('dueBy') },
  NocExpiryReminderDue: {
    kind: 'noc.expiry-reminder',
    due: (data) => {
      const validUntil = at('validUntil')(data);
      return validUntil === undefined || typeof data.daysBefore !== 'number' ? undefined : validUntil - data.daysBefore * DAY_MS;
    },
  },
  NocExpired: { kind: 'noc.expiry', due: at('validUntil') },
  AccreditationLapsed: { kind: 'accreditation.information-lapse', due: at('dueBy') },
  AccreditationRenewalWindowOpened: { kind: 'accreditation.renewal-window', due: at('opensAt') },
  AccreditationExpired: { kind: 'accreditation.expiry', due: at('validUntil') },
  MonthlyReportDue: { kind: 'compliance.report-reminder', due: at('remindAt') },
  MonthlyReportMissed: { kind: 'compliance.report-missed', due: at('dueAt') },
  ReviewEvidenceOverdue: { kind: 'compliance.evidence-overdue', due: at('dueBy') },
  ReviewFindingOverdue: { kind: 'compliance.finding-overdue', due: at('deadline') },
};

/** The timer an event was written for, or undefined for an event a person's command caused. */
export function timerDueOf(event: { type: string; data: unknown }): TimerDue | undefined {
  const timer = TIMER_EVENTS[event.type];
  if (!timer || typeof event.data !== 'object' || event.data === null) return undefined;
  const dueAtMs = timer.due(event.data as Record<string, unknown>);
  return dueAtMs === undefined || Number.isNaN(dueAtMs) ? undefined : { kind: timer.kind, dueAtMs };
}

export type TimerLatenessObserver = (events: readonly { type: string; data: unknown }[], recordedAtMs: number) => void;

/**
 * Timer lateness: the instant a timer-driven event was recorded minus the instant its timer was due,
 * by timer kind. It sums everything between the two: Temporal's timer, the worker picking the task up,
 * the activity's retries, the append. (Under the time-skipping test server the worker's clock is not
 * the workflow's, so the figures mean nothing there.)
 */
export function registerTimerLateness(registry: Registry, onLateness?: (kind: string, seconds: number) => void): TimerLatenessObserver {
  const lateness = new Histogram({
    name: `${METRIC_PREFIX}timer_lateness_seconds`,
    help: 'Recorded instant minus due instant of the events timers write, by timer kind',
    labelNames: ['kind'] as const,
    buckets: LATENESS_BUCKETS,
    registers: [registry],
  });
  return (events, recordedAtMs) => {
    for (const event of events) {
      const due = timerDueOf(event);
      if (!due) continue;
      const seconds = (recordedAtMs - due.dueAtMs) / 1000;
      lateness.observe({ kind: due.kind }, seconds);
      // The operators' page keeps its own last day of these (metrics/sampler.ts).
      onLateness?.(due.kind, seconds);
    }
  };
}
