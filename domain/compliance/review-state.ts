import type { AssessedFinding, EscalationReason, ReviewSubject, ReviewTrigger } from './review-events';

export const REVIEW_STATUSES = [
  'opened',
  'evidence-requested',
  'evidence-submitted',
  'closed-compliant',
  /** Findings open under a corrective action plan. */
  'remediation',
  'closed-remediated',
  /** Waiting for the director's decision. */
  'escalated',
  'suspended',
  'revoked',
  /** Remediated after a suspension; the director reinstates the accreditation on its own process. */
  'reinstatement-recommended',
] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];

export const REVIEW_FINAL: readonly ReviewStatus[] = ['closed-compliant', 'closed-remediated', 'revoked', 'reinstatement-recommended'];
/** Statuses in which findings are remediated, verified and can fall overdue. */
export const REVIEW_REMEDIATING: readonly ReviewStatus[] = ['remediation', 'escalated', 'suspended'];

export type FindingStatus = 'open' | 'evidence-submitted' | 'verified';

export interface Finding extends AssessedFinding {
  status: FindingStatus;
  overdue: boolean;
  extended: boolean;
}

export interface ReviewCase {
  status: ReviewStatus;
  subject: ReviewSubject;
  trigger: ReviewTrigger;
  openedBy: string;
  openedAt: string;
  evidenceDueBy?: string;
  evidenceExtended: boolean;
  evidenceSubmittedBy?: string;
  assessedBy?: string;
  findings: Finding[];
  escalation?: { reason: EscalationReason; findingIds: string[]; at: string };
  /** Who took the director's decisions on the case. */
  decidedBy: string[];
}

export type ReviewState = { status: 'none' } | ReviewCase;

export const initialReviewState: ReviewState = { status: 'none' };

export function allFindingsVerified(review: ReviewCase): boolean {
  return review.findings.every((f) => f.status === 'verified');
}
