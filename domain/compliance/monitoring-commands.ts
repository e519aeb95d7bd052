import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { ReportedCount } from '../shared/bounds';
import { ReportingPeriod } from './period';

const Text = z.string().trim().min(1);

/** Payloads of the monitoring commands; the actor is added by the authenticated edge. */
export const MonitoringCommandPayloads = {
  /** Issued by the engine when an offering becomes accredited. */
  StartMonitoring: z.object({ applicationId: Text, offeringId: Text, cspId: Text, firstPeriod: ReportingPeriod }),
  SubmitMonthlyReport: z.object({
    period: ReportingPeriod,
    summary: Text.max(10000),
    vulnerabilities: z.object({ high: ReportedCount, moderate: ReportedCount, low: ReportedCount }),
  }),
  /** Issued by the engine's timer at the reminder instant before a period's due day, while no report has come. */
  RecordReportDue: z.object({ period: ReportingPeriod }),
  /** Issued by the engine's timer once a period's due day has passed without a report. */
  RecordMissedReport: z.object({ period: ReportingPeriod }),
  /** Issued by the engine when the accreditation ends (revoked, expired, withdrawn). */
  EndMonitoring: z.object({ reason: Text.max(5000) }),
} as const;

type Payloads = typeof MonitoringCommandPayloads;
export type MonitoringCommandType = keyof Payloads;
export type MonitoringCommand = {
  [K in MonitoringCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[MonitoringCommandType];
export type MonitoringCommandOf<K extends MonitoringCommandType> = Extract<MonitoringCommand, { type: K }>;

export const MONITORING_SYSTEM_COMMANDS: readonly MonitoringCommandType[] = ['StartMonitoring', 'RecordReportDue', 'RecordMissedReport', 'EndMonitoring'];
