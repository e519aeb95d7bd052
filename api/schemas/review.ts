import { z } from 'zod';
import { ReviewCommandPayloads } from '../../domain/compliance/review-commands';
import { AssessedFinding, EscalationReason, ReviewSubject, ReviewTrigger } from '../../domain/compliance/review-events';
import { REVIEW_STATUSES, type ReviewState } from '../../domain/compliance/review-state';
import type { Role } from '../../domain/shared/vocabulary';
import type { ReviewActionType, ReviewView } from '../../workflows/compliance/messages';
import { CaseHistoryEntry } from './accreditation';
import { IsoDateTime } from '../../domain/shared/vocabulary';
import type { Same } from './same-shape';

/**
 * The compliance review endpoints' schemas (SPEC §3.2). Action bodies are the decider's own command
 * payloads; the check at the bottom keeps the response schemas equal to the types the code returns.
 */
export const CaseId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, dots, colons, dashes or underscores');

/** What a reviewer sends to open a review by hand: the engine opens the others (anniversary, missed reports, late change). */
export const OpenReviewBody = z.object({
  applicationId: CaseId,
  trigger: z.enum(['incident', 'complaint']),
  description: z.string().trim().min(1).max(5000),
});

export const ReviewIdParams = z.object({ reviewId: CaseId });

/** One POST per action a person takes on a review, with the only role that may take it. */
export interface ReviewActionSpec {
  path: string;
  command: ReviewActionType;
  summary: string;
  roles: readonly Role[];
}

export const REVIEW_ACTIONS: readonly ReviewActionSpec[] = [
  { path: 'request-evidence', command: 'RequestEvidence', summary: 'Ask the provider for evidence, due within the policy’s evidence days', roles: ['reviewer'] },
  { path: 'submit-evidence', command: 'SubmitEvidence', summary: 'Deliver the evidence the review asks for', roles: ['csp'] },
  { path: 'assess', command: 'AssessReview', summary: 'Record the assessment and its findings (none closes the review compliant)', roles: ['reviewer'] },
  { path: 'submit-remediation', command: 'SubmitRemediationEvidence', summary: 'Submit evidence that a finding is remediated', roles: ['csp'] },
  { path: 'verify-finding', command: 'VerifyFinding', summary: 'Verify or reject the remediation of a finding', roles: ['reviewer'] },
  { path: 'extend-deadline', command: 'ExtendDeadline', summary: 'Extend the evidence deadline or a finding’s deadline once, with reasons', roles: ['director'] },
  { path: 'decide-suspend', command: 'DecideSuspend', summary: 'Decide an escalated review: suspend the accreditation', roles: ['director'] },
  { path: 'decide-revoke', command: 'DecideRevoke', summary: 'Decide an escalated or suspended review: revoke the accreditation', roles: ['director'] },
  { path: 'recommend-reinstatement', command: 'RecommendReinstatement', summary: 'Recommend lifting a suspension once every finding is verified', roles: ['reviewer'] },
];

export const reviewActionBody = (spec: ReviewActionSpec): z.ZodType => ReviewCommandPayloads[spec.command];


export const ReviewCaseSchema = z.object({
  status: z.enum(REVIEW_STATUSES),
  subject: ReviewSubject,
  trigger: ReviewTrigger,
  openedBy: z.string(),
  openedAt: IsoDateTime,
  evidenceDueBy: IsoDateTime.optional(),
  evidenceExtended: z.boolean(),
  evidenceSubmittedBy: z.string().optional(),
  assessedBy: z.string().optional(),
  findings: z.array(AssessedFinding.extend({ status: z.enum(['open', 'evidence-submitted', 'verified']), overdue: z.boolean(), extended: z.boolean() })),
  escalation: z.object({ reason: EscalationReason, findingIds: z.array(z.string()), at: IsoDateTime }).optional(),
  decidedBy: z.array(z.string()),
});

export const ReviewViewSchema = z.object({
  state: z.union([z.object({ status: z.literal('none') }), ReviewCaseSchema]),
  /** Revision of the review's event stream after its last event. */
  revision: z.number().int(),
});

export const ReviewDetail = z.object({
  /** The process's own view of the review. */
  live: ReviewViewSchema,
  /** Every event of its stream, decoded, oldest first. */
  history: z.array(CaseHistoryEntry),
});

const sameShapes: [Same<z.output<typeof ReviewViewSchema>['state'], ReviewState>, Same<z.output<typeof ReviewViewSchema>, ReviewView>] = [true, true];
void sameShapes;
