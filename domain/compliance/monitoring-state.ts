import type { VulnerabilityCounts } from './monitoring-events';

export type PeriodOutcome =
  | { outcome: 'submitted'; submittedAt: string; vulnerabilities: VulnerabilityCounts }
  /** Missed, then delivered late: it still counts as a miss in a run of misses. */
  | { outcome: 'late'; missChain: number; submittedAt: string; vulnerabilities: VulnerabilityCounts }
  | { outcome: 'missed'; missChain: number };

export interface MonitoringRecord {
  status: 'monitoring' | 'ended';
  applicationId: string;
  offeringId: string;
  cspId: string;
  firstPeriod: string;
  periods: Record<string, PeriodOutcome>;
  /** Missed periods in a row up to the latest period handled; an on-time report resets it. */
  consecutiveMisses: number;
  /** The latest period the provider was reminded of; absent until the first reminder (and on records carried from before reminders). */
  remindedPeriod?: string;
}

export type MonitoringState = { status: 'none' } | MonitoringRecord;

export const initialMonitoringState: MonitoringState = { status: 'none' };

/** The length of the run of misses ending with `period`, 0 when it was not missed. */
export function missChainAt(record: MonitoringRecord, period: string): number {
  const p = record.periods[period];
  return p !== undefined && p.outcome !== 'submitted' ? p.missChain : 0;
}
