import { z } from 'zod';
import { IsoDateTime } from '../shared/vocabulary';
import { EvidenceFiles } from '../shared/evidence-file';

const Text = z.string().trim().min(1);

export const REVIEW_TRIGGERS = ['anniversary', 'incident', 'complaint', 'missed-reports', 'significant-change'] as const;
export const ReviewTrigger = z.enum(REVIEW_TRIGGERS);
export type ReviewTrigger = z.infer<typeof ReviewTrigger>;

export const FINDING_SEVERITIES = ['high', 'moderate', 'low'] as const;
export const FindingSeverity = z.enum(FINDING_SEVERITIES);
export type FindingSeverity = z.infer<typeof FindingSeverity>;

export const ESCALATION_REASONS = ['evidence-overdue', 'high-finding-overdue', 'moderate-findings-overdue'] as const;
export const EscalationReason = z.enum(ESCALATION_REASONS);
export type EscalationReason = z.infer<typeof EscalationReason>;

/** What the reviewer records; the deadline is added from the policy at assessment. */
export const FindingInput = z.object({ id: Text.max(100), title: Text.max(500), severity: FindingSeverity });
export type FindingInput = z.infer<typeof FindingInput>;

export const AssessedFinding = FindingInput.extend({ deadline: IsoDateTime });
export type AssessedFinding = z.infer<typeof AssessedFinding>;

/** Which accreditation the review is about; fixed once opened. */
export const ReviewSubject = z.object({
  reviewId: Text,
  applicationId: Text,
  offeringId: Text,
  cspId: Text,
});
export type ReviewSubject = z.infer<typeof ReviewSubject>;

/**
 * Events of one compliance review, stream `review-<reviewId>`. The suspension and revocation decisions
 * do not change the accreditation: the workflow translates them into the accreditation's own signal.
 * Each data schema is version 1.
 */
export const ReviewEventSchemas = {
  ReviewOpened: ReviewSubject.extend({
    trigger: ReviewTrigger,
    description: Text,
    openedBy: Text,
    openedAt: IsoDateTime,
  }),
  ReviewEvidenceRequested: z.object({ request: Text, dueBy: IsoDateTime, requestedBy: Text }),
  ReviewEvidenceSubmitted: z.object({ summary: Text, documents: z.array(Text), files: EvidenceFiles.optional(), submittedBy: Text }),
  ReviewEvidenceOverdue: z.object({ dueBy: IsoDateTime }),
  ReviewAssessed: z.object({
    summary: Text,
    findings: z.array(AssessedFinding),
    assessedBy: Text,
    assessedByName: Text,
    assessedAt: IsoDateTime,
  }),
  ReviewClosedCompliant: z.object({ applicationId: Text, closedAt: IsoDateTime }),
  ReviewRemediationSubmitted: z.object({ findingId: Text, description: Text, submittedBy: Text }),
  ReviewFindingVerified: z.object({ findingId: Text, notes: Text, verifiedBy: Text }),
  ReviewFindingRejected: z.object({ findingId: Text, notes: Text, rejectedBy: Text }),
  ReviewFindingOverdue: z.object({ findingId: Text, severity: FindingSeverity, deadline: IsoDateTime }),
  ReviewEscalated: z.object({ reason: EscalationReason, findingIds: z.array(Text), escalatedAt: IsoDateTime }),
  ReviewClosedRemediated: z.object({ applicationId: Text, closedAt: IsoDateTime }),
  /** The director's extension: of the evidence deadline (no findingId) or of one finding's. */
  ReviewDeadlineExtended: z.object({
    findingId: Text.optional(),
    previousDeadline: IsoDateTime,
    newDeadline: IsoDateTime,
    /** Whether the extension leaves nothing that escalates: the review returns to its working status. */
    escalationResolved: z.boolean(),
    reasons: Text,
    decidedBy: Text,
    decidedByName: Text,
  }),
  ReviewSuspensionDecided: z.object({ applicationId: Text, reasons: Text, decidedBy: Text, decidedByName: Text }),
  ReviewRevocationDecided: z.object({ applicationId: Text, reasons: Text, decidedBy: Text, decidedByName: Text }),
  ReviewReinstatementRecommended: z.object({ applicationId: Text, reasons: Text, recommendedBy: Text, recommendedByName: Text }),
} as const;

type Schemas = typeof ReviewEventSchemas;
export type ReviewEventType = keyof Schemas;
export type ReviewEvent = { [K in ReviewEventType]: { type: K; data: z.infer<Schemas[K]> } }[ReviewEventType];
export type ReviewEventOf<K extends ReviewEventType> = Extract<ReviewEvent, { type: K }>;

export const REVIEW_EVENT_TYPES = Object.keys(ReviewEventSchemas) as ReviewEventType[];
