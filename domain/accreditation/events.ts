import { z } from 'zod';
import { Baseline, DataClass, IsoDateTime } from '../shared/vocabulary';
import { EvidenceFiles } from '../shared/evidence-file';
import { Offering } from '../csp/events';
import { Score } from '../framework/schema';

const Text = z.string().trim().min(1);

export const EVIDENCE_KINDS = ['iso-27001', 'iso-27017', 'iso-27018', 'soc2', 'dc-tier', 'audit-report', 'other'] as const;
export const EvidenceKind = z.enum(EVIDENCE_KINDS);
export type EvidenceKind = z.infer<typeof EvidenceKind>;

export const Evidence = z
  .object({
    kind: EvidenceKind,
    /** Certificate number, report title, or document reference. */
    reference: Text.max(500),
    issuedAt: IsoDateTime.optional(),
    expiresAt: IsoDateTime.optional(),
    /** The certificate or report itself, uploaded first (POST /api/evidence) and named by its hash. */
    files: EvidenceFiles.optional(),
  })
  .refine((e) => e.issuedAt === undefined || e.expiresAt === undefined || Date.parse(e.issuedAt) < Date.parse(e.expiresAt), {
    path: ['expiresAt'],
    message: 'must be after issuedAt',
  });
export type Evidence = z.infer<typeof Evidence>;

/** The scores' standing after a scoring, recorded so the history shows what the director saw. */
export const ScoreSummary = z.object({
  total: z.number().min(0).max(100),
  complete: z.boolean(),
  highestBaselineMet: Baseline.nullable(),
});
export type ScoreSummary = z.infer<typeof ScoreSummary>;

export const SECURITY_REVIEW_OUTCOMES = ['passed', 'failed'] as const;
export const SecurityReviewOutcome = z.enum(SECURITY_REVIEW_OUTCOMES);
export type SecurityReviewOutcome = z.infer<typeof SecurityReviewOutcome>;

/** The application as submitted; fixed afterwards (more evidence may arrive with information). */
export const AccreditationApplication = z.object({
  applicationId: Text.max(100),
  cspId: Text.max(100),
  /** The offering's facts at submission: the decision checks the data class against them. */
  offering: Offering,
  requestedBaseline: Baseline,
  evidence: z.array(Evidence).min(1).max(100),
  /** The benchmark framework version the application is assessed under. */
  frameworkVersion: Text,
});
export type AccreditationApplication = z.infer<typeof AccreditationApplication>;

/** The accreditation's events (stream `accreditation-<applicationId>`), version 1. */
export const AccreditationEventSchemas = {
  AccreditationSubmitted: AccreditationApplication.extend({ submittedBy: Text, submittedAt: IsoDateTime, policyVersion: Text }),
  AccreditationScreeningStarted: z.object({ reviewerId: Text, reviewerName: Text }),
  AccreditationInformationRequested: z.object({ questions: Text, dueBy: IsoDateTime, requestedBy: Text }),
  AccreditationInformationProvided: z.object({ answer: Text, evidence: z.array(Evidence), providedBy: Text }),
  AccreditationLapsed: z.object({ reason: Text, dueBy: IsoDateTime }),
  AccreditationScreeningCompleted: z.object({ notes: Text, completedBy: Text }),
  AccreditationCriteriaScored: z.object({
    /** The scores given in this round; later rounds overwrite a criterion's earlier score. */
    scores: z.record(z.string(), Score),
    rationale: Text,
    scoredBy: Text,
    scoredByName: Text,
    frameworkVersion: Text,
    summary: ScoreSummary,
  }),
  AccreditationSecurityReviewRecorded: z.object({
    outcome: SecurityReviewOutcome,
    notes: Text,
    reviewedBy: Text,
    reviewedByName: Text,
  }),
  AccreditationGranted: z.object({
    baseline: Baseline,
    highestDataClass: DataClass,
    conditions: z.array(Text),
    reasons: Text,
    validFrom: IsoDateTime,
    validUntil: IsoDateTime,
    frameworkVersion: Text,
    summary: ScoreSummary,
    decidedBy: Text,
    decidedByName: Text,
  }),
  AccreditationRejected: z.object({
    reasons: Text,
    reapplyAfter: IsoDateTime,
    frameworkVersion: Text,
    decidedBy: Text,
    decidedByName: Text,
  }),
  AccreditationRenewalWindowOpened: z.object({
    validUntil: IsoDateTime,
    /** The instant the window's timer was set for, so that its lateness can be measured; absent before it was recorded. */
    opensAt: IsoDateTime.optional(),
  }),
  AccreditationRenewed: z.object({
    previousValidUntil: IsoDateTime,
    validUntil: IsoDateTime,
    reasons: Text,
    renewedBy: Text,
    /** v2: the framework in force at renewal that the accreditation was scored again against, the scores added, the result. */
    frameworkVersion: Text.optional(),
    scores: z.record(z.string(), z.number()).optional(),
    summary: ScoreSummary.optional(),
  }),
  /**
   * `transitionUntil`: the end of the PSEs' migration period (absent on events recorded before the
   * period existed, and on a withdrawal of an application never granted).
   */
  AccreditationExpired: z.object({ validUntil: IsoDateTime, transitionUntil: IsoDateTime.optional() }),
  AccreditationSuspended: z.object({ reasons: Text, suspendedBy: Text }),
  AccreditationReinstated: z.object({ reasons: Text, reinstatedBy: Text }),
  AccreditationRevoked: z.object({ reasons: Text, transitionUntil: IsoDateTime, revokedBy: Text }),
  AccreditationWithdrawn: z.object({ reason: Text, withdrawnBy: Text, previousStatus: Text, transitionUntil: IsoDateTime.optional() }),
} as const;

type Schemas = typeof AccreditationEventSchemas;
export type AccreditationEventType = keyof Schemas;
export type AccreditationEvent = { [K in AccreditationEventType]: { type: K; data: z.infer<Schemas[K]> } }[AccreditationEventType];
export type AccreditationEventOf<K extends AccreditationEventType> = Extract<AccreditationEvent, { type: K }>;

export const ACCREDITATION_EVENT_TYPES = Object.keys(AccreditationEventSchemas) as AccreditationEventType[];
