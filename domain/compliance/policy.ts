import { z } from 'zod';

/**
 * The continuous-monitoring and compliance-review rules (SPEC §3.1 "while accredited", §3.2), modelled
 * on FedRAMP continuous monitoring. They live in configuration and are pinned on each monitoring
 * stream, review and change request when it starts, so a later change never alters a case in flight.
 */
export const CompliancePolicy = z.object({
  version: z.string().min(1),
  /** A month's report is due by the end of this day of the following month (UTC). */
  monthlyReportDueDay: z.number().int().min(1).max(28),
  /**
   * The provider is reminded this many days before a month's report falls due (never before the month
   * has ended). Absent on policies pinned before reminders existed: those use the default.
   */
  monthlyReportReminderDays: z.number().int().positive().optional(),
  /** Consecutive missed monthly reports that trigger a compliance review. */
  consecutiveMissesForReview: z.number().int().positive(),
  /** Days the provider has to deliver requested evidence. */
  evidenceResponseDays: z.number().int().positive(),
  /** Remediation deadline per finding severity, in days after the assessment. */
  remediationDays: z.object({
    high: z.number().int().positive(),
    moderate: z.number().int().positive(),
    low: z.number().int().positive(),
  }),
  /** This many overdue moderate findings escalate a review, as one overdue high finding does. */
  overdueModerateFindingsToEscalate: z.number().int().positive(),
  /** A significant change must be notified at least this many days before it is made. */
  significantChangeNoticeDays: z.number().int().nonnegative(),
  /**
   * A director's extension of a review deadline reaches at most this many days past the later of the
   * deadline it extends and the moment it is decided. Absent on policies pinned before the bound existed.
   */
  maxDeadlineExtensionDays: z.number().int().positive().optional(),
});
export type CompliancePolicy = z.infer<typeof CompliancePolicy>;

export const DEFAULT_COMPLIANCE_POLICY: CompliancePolicy = {
  version: 'cloud-first-2022/compliance-1',
  monthlyReportDueDay: 15,
  monthlyReportReminderDays: 7,
  consecutiveMissesForReview: 2,
  evidenceResponseDays: 30,
  remediationDays: { high: 30, moderate: 90, low: 180 },
  overdueModerateFindingsToEscalate: 5,
  significantChangeNoticeDays: 30,
  maxDeadlineExtensionDays: 90,
};

/** What a policy pinned before reminders existed reminds with. */
export const DEFAULT_MONTHLY_REPORT_REMINDER_DAYS = 7;

export interface ComplianceDecideContext {
  /** The instant the command is handled at (workflow time), ISO. */
  now: string;
  policy: CompliancePolicy;
}
