import { z } from 'zod';
import {
  ACCREDITATION_CASE_STATUSES,
  AccreditationApplication,
  AccreditationCommandPayloads,
  Evidence,
  ScoreSummary,
  SecurityReviewOutcome,
  type AccreditationState,
} from '../../domain/accreditation';
import { Baseline, DataClass, IsoDateTime, type Role } from '../../domain/shared/vocabulary';
import { EventMetadata } from '../../eventstore/envelope';
import type { AccreditationActionType, AccreditationView } from '../../workflows/accreditation/messages';
import type { Same } from './same-shape';

/**
 * The accreditation endpoints' schemas. Action bodies are the decider's own command payloads, so
 * the API accepts exactly what the process would; the checks at the bottom keep the response
 * schemas equal to the types the code returns.
 */
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, dots, colons, dashes or underscores');

/**
 * What a CSP sends to apply: which of its offerings, at which baseline, with what evidence. The
 * server adds the application id, the CSP, the offering's registered facts and the framework version
 * in force at submission. `frameworkVersion` only confirms it: naming any other version is refused.
 */
export const SubmitAccreditationBody = z.object({
  offeringId: Id,
  requestedBaseline: Baseline,
  evidence: AccreditationApplication.shape.evidence,
  frameworkVersion: z.string().regex(/^\d+\.\d+$/, 'must be major.minor, e.g. 1.0').optional(),
});

export const ApplicationIdParams = z.object({ applicationId: Id });

/** One POST per action a person takes on an application, with the only role that may take it. */
export interface AccreditationActionSpec {
  path: string;
  command: AccreditationActionType;
  summary: string;
  roles: readonly Role[];
}

export const ACCREDITATION_ACTIONS: readonly AccreditationActionSpec[] = [
  { path: 'start-screening', command: 'StartScreening', summary: 'Start screening a submitted application', roles: ['reviewer'] },
  { path: 'request-information', command: 'RequestInformation', summary: 'Ask the CSP for more information', roles: ['reviewer'] },
  { path: 'provide-information', command: 'ProvideInformation', summary: "Answer the reviewer's questions", roles: ['csp'] },
  { path: 'complete-screening', command: 'CompleteScreening', summary: 'Finish screening; assessment begins', roles: ['reviewer'] },
  { path: 'score', command: 'ScoreCriteria', summary: 'Score benchmark criteria', roles: ['reviewer'] },
  { path: 'security-review', command: 'RecordSecurityReview', summary: 'Record the security review', roles: ['security-reviewer'] },
  { path: 'decide', command: 'Decide', summary: 'Approve (baseline, highest data class) or reject', roles: ['director'] },
  { path: 'suspend', command: 'Suspend', summary: 'Suspend an accreditation', roles: ['director'] },
  { path: 'reinstate', command: 'Reinstate', summary: 'Reinstate a suspended accreditation', roles: ['director'] },
  { path: 'revoke', command: 'Revoke', summary: 'Revoke an accreditation', roles: ['director'] },
  { path: 'withdraw', command: 'Withdraw', summary: 'Withdraw the application or give up the accreditation', roles: ['csp'] },
  { path: 'renew', command: 'Renew', summary: 'Renew an accreditation inside its renewal window', roles: ['director'] },
];

/** A renewal's framework is the one in force, attached by the gateway: the client cannot name one. */
export const accreditationActionBody = (spec: AccreditationActionSpec): z.ZodType =>
  spec.command === 'Renew' ? AccreditationCommandPayloads.Renew.omit({ framework: true }).strict() : AccreditationCommandPayloads[spec.command];


export const AccreditationCaseSchema = z.object({
  status: z.enum(ACCREDITATION_CASE_STATUSES),
  application: AccreditationApplication,
  submittedBy: z.string(),
  submittedAt: IsoDateTime,
  policyVersion: z.string(),
  evidence: z.array(Evidence),
  technicalReviewers: z.array(z.string()),
  screeningReviewerId: z.string().optional(),
  informationDueBy: IsoDateTime.optional(),
  scores: z.record(z.string(), z.number()),
  scoreSummary: ScoreSummary.optional(),
  securityReview: z.object({ outcome: SecurityReviewOutcome, notes: z.string(), by: z.string() }).optional(),
  decidedBy: z.string().optional(),
  grant: z
    .object({
      baseline: Baseline,
      highestDataClass: DataClass,
      conditions: z.array(z.string()),
      validFrom: IsoDateTime,
      validUntil: IsoDateTime,
    })
    .optional(),
  reapplyAfter: IsoDateTime.optional(),
  renewalWindowOpen: z.boolean(),
  transitionUntil: IsoDateTime.optional(),
});

export const AccreditationStateSchema = z.union([z.object({ status: z.literal('none') }), AccreditationCaseSchema]);

export const AccreditationViewSchema = z.object({
  state: AccreditationStateSchema,
  /** Revision of the application's event stream after its last event. */
  revision: z.number().int(),
  /** Compliance measures the process refused (they arrive as signals, which cannot answer). */
  complianceRefusals: z.array(
    z.object({ commandId: z.string(), type: z.enum(['Suspend', 'Revoke']), code: z.string(), message: z.string(), at: IsoDateTime }),
  ),
});

export const CaseHistoryEntry = z.object({
  type: z.string(),
  revision: z.number().int(),
  /** Global log position, as `commit/prepare`. */
  position: z.string(),
  recordedAt: IsoDateTime,
  actor: EventMetadata.shape.actor,
  data: z.unknown(),
  metadata: EventMetadata,
  /** Set when the stored event no longer decodes; data and metadata are then shown as stored. */
  decodeError: z.string().optional(),
});

export const AccreditationDetail = z.object({
  /** The process's own view of the application. */
  live: AccreditationViewSchema,
  /** Every event of its stream, decoded, oldest first. */
  history: z.array(CaseHistoryEntry),
});

const sameShapes: [Same<z.output<typeof AccreditationStateSchema>, AccreditationState>, Same<z.output<typeof AccreditationViewSchema>, AccreditationView>] = [
  true,
  true,
];
void sameShapes;
