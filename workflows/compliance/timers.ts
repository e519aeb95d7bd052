import type { MonitoringRecord } from '../../domain/compliance/monitoring-state';
import { monthlyReportDueAt, monthlyReportReminderAt, nextPeriod } from '../../domain/compliance/period';
import type { CompliancePolicy } from '../../domain/compliance/policy';
import { REVIEW_REMEDIATING, type ReviewCase } from '../../domain/compliance/review-state';
import { isBefore } from '../../domain/shared/time';

/** The earliest month from the first period on with neither a report nor a recorded miss, and when it falls due. */
export function nextOwedReport(record: MonitoringRecord, policy: CompliancePolicy): { period: string; dueAt: string } {
  let period = record.firstPeriod;
  while (record.periods[period] !== undefined) period = nextPeriod(period);
  return { period, dueAt: monthlyReportDueAt(period, policy) };
}

/**
 * The reminder still owed for the owed month, and when: none once it was given, or once the month is
 * already due (a run that takes up reminders late does not remind of a report already late).
 */
export function reminderOwed(record: MonitoringRecord, owed: { period: string; dueAt: string }, policy: CompliancePolicy, now: string): { at: string } | undefined {
  if (record.remindedPeriod === owed.period || !isBefore(now, owed.dueAt)) return undefined;
  return { at: monthlyReportReminderAt(owed.period, policy) };
}

export type ReviewDeadline =
  | { at: string; command: { type: 'EvidenceOverdue'; data: Record<string, never> } }
  | { at: string; command: { type: 'FindingOverdue'; data: { findingId: string } } };

/** The next thing the engine itself must do on a review: evidence due, or the earliest open finding's deadline. */
export function nextReviewDeadline(review: ReviewCase): ReviewDeadline | undefined {
  if (review.status === 'evidence-requested' && review.evidenceDueBy !== undefined) {
    return { at: review.evidenceDueBy, command: { type: 'EvidenceOverdue', data: {} } };
  }
  if (!REVIEW_REMEDIATING.includes(review.status)) return undefined;
  // Evidence awaiting verification stops a finding's clock; an overdue one has already been recorded.
  const running = review.findings.filter((f) => f.status === 'open' && !f.overdue);
  const first = running.reduce<(typeof running)[number] | undefined>((a, f) => (a === undefined || isBefore(f.deadline, a.deadline) ? f : a), undefined);
  return first === undefined ? undefined : { at: first.deadline, command: { type: 'FindingOverdue', data: { findingId: first.id } } };
}
