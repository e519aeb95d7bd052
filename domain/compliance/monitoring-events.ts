import { z } from 'zod';
import { ReportingPeriod } from './period';
import { IsoDateTime } from '../shared/vocabulary';

const Text = z.string().trim().min(1);
const Count = z.number().int().nonnegative();

/** Open vulnerabilities at the end of the period, by severity (FedRAMP-style POA&M counts). */
export const VulnerabilityCounts = z.object({ high: Count, moderate: Count, low: Count });
export type VulnerabilityCounts = z.infer<typeof VulnerabilityCounts>;

/**
 * Events of an accredited offering's monthly continuous monitoring, stream `monitoring-<applicationId>`.
 * Each data schema is version 1.
 */
export const MonitoringEventSchemas = {
  MonitoringStarted: z.object({
    applicationId: Text,
    offeringId: Text,
    cspId: Text,
    /** The first month a report is owed for. */
    firstPeriod: ReportingPeriod,
    startedAt: IsoDateTime,
  }),
  MonthlyReportSubmitted: z.object({
    period: ReportingPeriod,
    summary: Text,
    vulnerabilities: VulnerabilityCounts,
    submittedBy: Text,
    submittedAt: IsoDateTime,
    /** Submitted after its due instant; a late report does not undo the recorded miss. */
    late: z.boolean(),
  }),
  /** The provider is reminded, before the due instant, that a month's report is owed by then. */
  MonthlyReportDue: z.object({
    period: ReportingPeriod,
    dueAt: IsoDateTime,
    /** The instant the reminder was set for, so that its lateness can be measured; absent before it was recorded. */
    remindAt: IsoDateTime.optional(),
  }),
  MonthlyReportMissed: z.object({
    period: ReportingPeriod,
    dueAt: IsoDateTime,
    /** Missed periods in a row, ending with this one. */
    consecutiveMisses: z.number().int().positive(),
  }),
  /** The trigger a compliance review opens on (trigger `missed-reports`). */
  MonthlyReportsMissedTwice: z.object({
    applicationId: Text,
    offeringId: Text,
    cspId: Text,
    periods: z.array(ReportingPeriod).min(1),
  }),
  MonitoringEnded: z.object({ reason: Text, endedAt: IsoDateTime }),
} as const;

type Schemas = typeof MonitoringEventSchemas;
export type MonitoringEventType = keyof Schemas;
export type MonitoringEvent = { [K in MonitoringEventType]: { type: K; data: z.infer<Schemas[K]> } }[MonitoringEventType];
export type MonitoringEventOf<K extends MonitoringEventType> = Extract<MonitoringEvent, { type: K }>;

export const MONITORING_EVENT_TYPES = Object.keys(MonitoringEventSchemas) as MonitoringEventType[];
