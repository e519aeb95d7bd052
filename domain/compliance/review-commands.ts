import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { FindingInput, ReviewSubject, ReviewTrigger } from './review-events';
import { IsoDateTime } from '../shared/vocabulary';
import { EvidenceFiles } from '../shared/evidence-file';

const Text = z.string().trim().min(1);

/** Payloads of the compliance review commands; the actor is added by the authenticated edge. */
export const ReviewCommandPayloads = {
  /** By the engine (anniversary, missed reports, significant change) or by a reviewer (incident, complaint). */
  OpenReview: ReviewSubject.extend({ trigger: ReviewTrigger, description: Text.max(5000) }),
  RequestEvidence: z.object({ request: Text.max(10000) }),
  SubmitEvidence: z.object({
    summary: Text.max(10000),
    documents: z.array(Text.max(500)).max(100).default([]),
    /** Files uploaded first (POST /api/evidence), named by their hash. */
    files: EvidenceFiles.optional(),
  }),
  AssessReview: z.object({ summary: Text.max(10000), findings: z.array(FindingInput).max(200) }),
  SubmitRemediationEvidence: z.object({ findingId: Text, description: Text.max(10000) }),
  VerifyFinding: z.object({ findingId: Text, outcome: z.enum(['verified', 'rejected']), notes: Text.max(5000) }),
  /** Issued by the engine's timers. */
  EvidenceOverdue: z.object({}),
  FindingOverdue: z.object({ findingId: Text }),
  /** The director's decisions on an escalated review. */
  ExtendDeadline: z.object({ findingId: Text.optional(), newDeadline: IsoDateTime, reasons: Text.max(5000) }),
  DecideSuspend: z.object({ reasons: Text.max(5000) }),
  DecideRevoke: z.object({ reasons: Text.max(5000) }),
  RecommendReinstatement: z.object({ reasons: Text.max(5000) }),
} as const;

type Payloads = typeof ReviewCommandPayloads;
export type ReviewCommandType = keyof Payloads;
export type ReviewCommand = {
  [K in ReviewCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[ReviewCommandType];
export type ReviewCommandOf<K extends ReviewCommandType> = Extract<ReviewCommand, { type: K }>;

export const REVIEW_SYSTEM_COMMANDS: readonly ReviewCommandType[] = ['EvidenceOverdue', 'FindingOverdue'];
