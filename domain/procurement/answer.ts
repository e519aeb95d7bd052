import { z } from 'zod';
import { DataClass } from '../shared/vocabulary';
import { HostingRule } from './hosting-rules';

/**
 * What the procurement check answers. Every answer explains itself: each reason has a stable code
 * (for machines, and for the HTTP API's clients) and a plain-English message (for people).
 */

/** Whether a reason is a condition met, a condition failed, or context that decides nothing. */
export const REASON_OUTCOMES = ['met', 'failed', 'info'] as const;
export type ReasonOutcome = (typeof REASON_OUTCOMES)[number];

/** Every reason code with its outcome; the codes are part of the public API and never change meaning. */
export const REASON_CODES = {
  // The verdict on the hosting rule as a whole.
  HOSTING_RULE_MET: 'met',
  HOSTING_RULE_NOT_MET: 'failed',
  // Conditions of the rule that hold.
  CSP_REGISTERED: 'met',
  ACCREDITATION_IN_FORCE: 'met',
  /** No longer given (a migration period allows nothing new); kept so answers recorded before still read. */
  ACCREDITATION_IN_TRANSITION: 'met',
  ACCREDITED_FOR_DATA_CLASS: 'met',
  BASELINE_MET: 'met',
  GOVERNMENT_CLOUD: 'met',
  DATA_CENTRES_IN_PAKISTAN: 'met',
  ACCREDITATION_CONDITIONS: 'info',
  // Conditions of the rule that fail.
  UNKNOWN_OFFERING: 'failed',
  CSP_NOT_REGISTERED: 'failed',
  OFFERING_NOT_ACCREDITED: 'failed',
  ACCREDITATION_NOT_YET_VALID: 'failed',
  ACCREDITATION_EXPIRED_AT: 'failed',
  ACCREDITATION_SUSPENDED: 'failed',
  ACCREDITATION_REVOKED: 'failed',
  ACCREDITATION_WITHDRAWN: 'failed',
  DATA_CLASS_ABOVE_ACCREDITED: 'failed',
  BASELINE_TOO_LOW: 'failed',
  NOT_GOVERNMENT_CLOUD: 'failed',
  DATA_CENTRE_OUTSIDE_PAKISTAN: 'failed',
  NO_DATA_CENTRE_DECLARED: 'failed',
  // NOCs: the one(s) that cover, and why each other one does not.
  NOC_COVERS: 'met',
  NOC_COVERS_IN_PART: 'info',
  NO_NOC_COVERS: 'failed',
  NOC_FOR_OTHER_PSE: 'failed',
  NOC_NOT_IN_FORCE: 'failed',
  NOC_NOT_YET_VALID: 'failed',
  NOC_EXPIRED: 'failed',
  NOC_DATA_CLASS_TOO_LOW: 'failed',
  NOC_FOR_OTHER_OFFERING: 'failed',
  NOC_NAMES_NO_OFFERING: 'failed',
  NOC_DEVIATION_NOT_APPLICABLE: 'failed',
  NOC_DOES_NOT_ADDRESS: 'failed',
} as const satisfies Record<string, ReasonOutcome>;

export type ReasonCode = keyof typeof REASON_CODES;
const REASON_CODE_LIST = Object.keys(REASON_CODES) as [ReasonCode, ...ReasonCode[]];

export const Reason = z.object({
  code: z.enum(REASON_CODE_LIST),
  outcome: z.enum(REASON_OUTCOMES),
  message: z.string(),
  /** The NOC the reason is about, for NOC reasons. */
  nocId: z.string().optional(),
});
export type Reason = z.infer<typeof Reason>;

export function reason(code: ReasonCode, message: string, nocId?: string): Reason {
  return nocId === undefined ? { code, outcome: REASON_CODES[code], message } : { code, outcome: REASON_CODES[code], message, nocId };
}

export const DECISIONS = ['allowed', 'allowed-by-noc', 'denied'] as const;
export const Decision = z.enum(DECISIONS);
export type Decision = z.infer<typeof Decision>;

export const ProcurementAnswer = z.object({
  decision: Decision,
  /** The question, echoed so a stored or logged answer reads on its own. */
  query: z.object({ pseId: z.string(), offeringId: z.string(), dataClass: DataClass }),
  /** The hosting rule applied for the data class. */
  rule: HostingRule,
  /** The verdict on the rule first, then each condition, then the NOCs considered. */
  reasons: z.array(Reason),
  /** For `allowed-by-noc`: the NOC whose expiry ends the permission (the earliest, when several combine). */
  noc: z.object({ nocId: z.string(), validUntil: z.iso.datetime({ offset: true }) }).optional(),
  evaluatedAt: z.iso.datetime({ offset: true }),
});
export type ProcurementAnswer = z.infer<typeof ProcurementAnswer>;
