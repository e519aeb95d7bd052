import { z } from 'zod';
import { DEFAULT_MONTHLY_REPORT_REMINDER_DAYS, type CompliancePolicy } from './policy';

/** A monthly reporting period, `YYYY-MM` (UTC calendar month). */
export const ReportingPeriod = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'A period is YYYY-MM');
export type ReportingPeriod = z.infer<typeof ReportingPeriod>;

function parts(period: string): { year: number; month: number } {
  return { year: Number(period.slice(0, 4)), month: Number(period.slice(5, 7)) };
}

function format(year: number, monthIndex: number): string {
  const d = new Date(Date.UTC(year, monthIndex, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The period an instant falls in. */
export function periodOf(iso: string): string {
  const d = new Date(iso);
  return format(d.getUTCFullYear(), d.getUTCMonth());
}

export function nextPeriod(period: string): string {
  const { year, month } = parts(period);
  return format(year, month);
}

export function previousPeriod(period: string): string {
  const { year, month } = parts(period);
  return format(year, month - 2);
}

/** The first instant of the period. */
export function periodStart(period: string): string {
  const { year, month } = parts(period);
  return new Date(Date.UTC(year, month - 1, 1)).toISOString();
}

/** The period has ended: the first instant of the next one. */
export function periodEnd(period: string): string {
  return periodStart(nextPeriod(period));
}

/** The instant a month's report becomes late: the end of the due day of the following month. */
export function monthlyReportDueAt(period: string, policy: Pick<CompliancePolicy, 'monthlyReportDueDay'>): string {
  const { year, month } = parts(period);
  // Month index `month` is the following month; day dueDay + 1 at midnight is the end of the due day.
  return new Date(Date.UTC(year, month, policy.monthlyReportDueDay + 1)).toISOString();
}

/**
 * When the provider is reminded of a month's report: the policy's days before it falls due, but not
 * before the month has ended, since no report can be made for a month still running.
 */
export function monthlyReportReminderAt(period: string, policy: Pick<CompliancePolicy, 'monthlyReportDueDay' | 'monthlyReportReminderDays'>): string {
  const days = policy.monthlyReportReminderDays ?? DEFAULT_MONTHLY_REPORT_REMINDER_DAYS;
  const at = Date.parse(monthlyReportDueAt(period, policy)) - days * 86_400_000;
  return new Date(Math.max(at, Date.parse(periodEnd(period)))).toISOString();
}

/** Periods compare as strings because the format is fixed-width. */
export function isPeriodBefore(a: string, b: string): boolean {
  return a < b;
}
