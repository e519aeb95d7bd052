import type { Baseline, DataClass } from '../shared/vocabulary';
import type { AccreditationApplication, Evidence, ScoreSummary, SecurityReviewOutcome } from './events';

export const ACCREDITATION_CASE_STATUSES = [
  'submitted',
  'screening',
  'awaiting-applicant',
  'assessment',
  /** Scores complete and a security review recorded: waiting for the director. */
  'decision',
  'accredited',
  'rejected',
  'lapsed',
  'suspended',
  'revoked',
  'withdrawn',
  'expired',
] as const;
export type AccreditationCaseStatus = (typeof ACCREDITATION_CASE_STATUSES)[number];

/** Statuses before a decision, in which the application is being worked. */
export const ACCREDITATION_PENDING: readonly AccreditationCaseStatus[] = ['submitted', 'screening', 'awaiting-applicant', 'assessment', 'decision'];
/** Statuses in which the offering holds an accreditation (suspended: held, but not usable for new procurement). */
export const ACCREDITATION_HELD: readonly AccreditationCaseStatus[] = ['accredited', 'suspended'];
/** Statuses after which nothing more happens to the case. */
export const ACCREDITATION_FINAL: readonly AccreditationCaseStatus[] = ['rejected', 'lapsed', 'revoked', 'withdrawn', 'expired'];

export interface SecurityReview {
  outcome: SecurityReviewOutcome;
  notes: string;
  by: string;
}

export interface Grant {
  baseline: Baseline;
  highestDataClass: DataClass;
  conditions: string[];
  validFrom: string;
  validUntil: string;
}

export interface AccreditationCase {
  status: AccreditationCaseStatus;
  application: AccreditationApplication;
  submittedBy: string;
  submittedAt: string;
  policyVersion: string;
  /** Everything the applicant supplied, the original submission first. */
  evidence: Evidence[];
  /** Who has worked the case as technical reviewer (screened or scored); four-eyes checks read it. */
  technicalReviewers: string[];
  screeningReviewerId?: string;
  /** Set while the applicant owes an answer. */
  informationDueBy?: string;
  /** The latest score per criterion id. */
  scores: Record<string, number>;
  scoreSummary?: ScoreSummary;
  securityReview?: SecurityReview;
  decidedBy?: string;
  grant?: Grant;
  reapplyAfter?: string;
  renewalWindowOpen: boolean;
  /** After a revocation, an expiry or a withdrawal of a grant: the end of the PSEs' migration period. */
  transitionUntil?: string;
}

export type AccreditationState = { status: 'none' } | AccreditationCase;

export const initialAccreditationState: AccreditationState = { status: 'none' };
