/**
 * Errors carry a stable code; the code, not the class, is what crosses process boundaries (Temporal
 * failures, HTTP responses). Each code belongs to one kind, and the kind decides the HTTP status.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'rule'
  | 'rate-limited'
  | 'unavailable'
  | 'internal';

export const ERROR_CODES = {
  VALIDATION_FAILED: 'validation',
  UNAUTHENTICATED: 'unauthenticated',
  INVALID_CREDENTIALS: 'unauthenticated',
  /** The password was right; the sign-in also needs the authenticator's current code (or a recovery code). */
  MFA_REQUIRED: 'unauthenticated',
  /** The password was right; the account has no confirmed authenticator yet and must enrol one first. */
  MFA_ENROLMENT_REQUIRED: 'forbidden',
  /** The code is not a current authenticator code, was used already, or is no unused recovery code. */
  MFA_CODE_INVALID: 'unauthenticated',
  /** The code step of a two-step sign-in came too late or with a token that is not a live challenge. */
  MFA_CHALLENGE_INVALID: 'unauthenticated',
  MFA_ALREADY_ENROLLED: 'conflict',
  /**
   * The password was right but is one an administrator set (or the one kept through a second-factor
   * reset): it serves only together with a new password of the person's own (`newPassword`).
   */
  PASSWORD_CHANGE_REQUIRED: 'forbidden',
  /** The password was right but was set by an administrator and expired unused; an administrator resets it. */
  PASSWORD_EXPIRED: 'forbidden',
  /** The account's password is its holder's own already: there is no one-time password to replace. */
  PASSWORD_NOT_ONE_TIME: 'conflict',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not-found',
  ROLE_NOT_ALLOWED: 'forbidden',
  OUTSIDE_JURISDICTION: 'forbidden',
  NOT_CASE_OWNER: 'forbidden',
  FOUR_EYES_VIOLATION: 'forbidden',
  /** A person's command that the API did not sign for this case, or that was altered, expired or replayed. */
  COMMAND_SIGNATURE_INVALID: 'forbidden',
  NOC_ALREADY_EXISTS: 'conflict',
  NOC_NOT_REQUESTED: 'not-found',
  NOC_WRONG_STATE: 'conflict',
  NOC_ALREADY_DECIDED: 'conflict',
  NOC_NOT_ACTIVE: 'conflict',
  NOC_EXTENSION_ALREADY_USED: 'conflict',
  NOC_DURATION_TOO_LONG: 'rule',
  NOC_EXTENSION_TOO_LONG: 'rule',
  NOC_INVALID_VALIDITY: 'rule',
  NOC_NO_RECOMMENDATION: 'conflict',
  ACCOUNT_EXISTS: 'conflict',
  /** The role change asks for the role, jurisdiction and organisation the account already has. */
  ACCOUNT_ROLE_UNCHANGED: 'conflict',
  /** Four eyes on privileged roles: the requester, or the account itself, may not approve the grant. */
  GRANT_SELF_APPROVAL: 'forbidden',
  /** No grant with this id awaits approval on the account (never asked for, or already approved or rejected). */
  GRANT_NOT_PENDING: 'conflict',
  /** The account has a grant awaiting approval: it is approved or rejected before another role change. */
  GRANT_PENDING: 'conflict',
  /** A benchmark framework file does not satisfy the framework schema. */
  FRAMEWORK_INVALID: 'validation',
  /** A framework version with this number was already proposed (or is the built-in genesis version). */
  FRAMEWORK_VERSION_EXISTS: 'conflict',
  /** Versions only move forward: a new one numbers after every published version. */
  FRAMEWORK_VERSION_NOT_NEWER: 'rule',
  /** effectiveFrom is in the future at proposal and approval, and after the latest published version's. */
  FRAMEWORK_EFFECTIVE_FROM_INVALID: 'rule',
  /** Four eyes: the director who proposed a version does not approve or reject it. */
  FRAMEWORK_SELF_APPROVAL: 'forbidden',
  /** The version was already approved or rejected. */
  FRAMEWORK_WRONG_STATE: 'conflict',
  /** An evidence file over EVIDENCE_MAX_BYTES. */
  EVIDENCE_TOO_LARGE: 'validation',
  /** An evidence file whose bytes are none of the accepted types, whatever it was declared as. */
  EVIDENCE_TYPE_NOT_ALLOWED: 'validation',
  /** A command names an evidence file (by hash) that was never uploaded. */
  EVIDENCE_FILE_UNKNOWN: 'rule',
  CSP_ALREADY_REGISTERED: 'conflict',
  CSP_NOT_REGISTERED: 'not-found',
  REGISTRATION_REQUEST_NOT_FOUND: 'not-found',
  /** Request ids are the office's; the same id twice is a retry gone wrong. */
  REGISTRATION_REQUEST_EXISTS: 'conflict',
  /** The company already has a registration request awaiting the office's decision. */
  REGISTRATION_REQUEST_PENDING: 'conflict',
  /** The request was already approved or refused. */
  REGISTRATION_REQUEST_DECIDED: 'conflict',
  OFFERING_ALREADY_EXISTS: 'conflict',
  /** Another CSP's offering already has this id: an offering's identity is unique across the register (SPEC §3.1). */
  OFFERING_ID_TAKEN: 'conflict',
  /** A field an accreditation is judged on changes only through an approved significant change while it is held. */
  OFFERING_ACCREDITED: 'conflict',
  OFFERING_NOT_FOUND: 'not-found',
  OFFERING_RETIRED: 'conflict',
  ACCREDITATION_ALREADY_EXISTS: 'conflict',
  ACCREDITATION_NOT_SUBMITTED: 'not-found',
  ACCREDITATION_WRONG_STATE: 'conflict',
  ACCREDITATION_COOLING_OFF: 'rule',
  ACCREDITATION_EVIDENCE_EXPIRED: 'rule',
  /** The framework handed to the decider is not the version pinned on the application. */
  ACCREDITATION_FRAMEWORK_MISMATCH: 'conflict',
  ACCREDITATION_UNKNOWN_CRITERION: 'validation',
  ACCREDITATION_SCORES_INCOMPLETE: 'rule',
  ACCREDITATION_SECURITY_REVIEW_NOT_PASSED: 'rule',
  ACCREDITATION_BASELINE_NOT_MET: 'rule',
  ACCREDITATION_DATA_CLASS_NOT_ALLOWED: 'rule',
  ACCREDITATION_INVALID_VALIDITY: 'rule',
  ACCREDITATION_RENEWAL_NOT_OPEN: 'conflict',
  /** Continuous monitoring and compliance review (SPEC §3.1 "while accredited", §3.2). */
  MONITORING_NOT_STARTED: 'not-found',
  MONITORING_ALREADY_STARTED: 'conflict',
  MONITORING_ENDED: 'conflict',
  /** The reporting period is before monitoring began, or has not ended yet. */
  MONITORING_PERIOD_NOT_OPEN: 'rule',
  MONITORING_REPORT_ALREADY_SUBMITTED: 'conflict',
  /** A timer-driven command (missed report, overdue evidence or finding) arrived before its deadline. */
  COMPLIANCE_NOT_YET_DUE: 'conflict',
  /** A report-due reminder asked for once the report is already late: the miss is what is recorded then. */
  MONITORING_REPORT_PAST_DUE: 'conflict',
  REVIEW_ALREADY_EXISTS: 'conflict',
  REVIEW_NOT_OPENED: 'not-found',
  REVIEW_WRONG_STATE: 'conflict',
  REVIEW_FINDING_NOT_FOUND: 'not-found',
  REVIEW_FINDING_WRONG_STATE: 'conflict',
  REVIEW_EXTENSION_ALREADY_USED: 'conflict',
  REVIEW_INVALID_DEADLINE: 'rule',
  /** A deadline extended further than the policy's maximum extension. */
  REVIEW_EXTENSION_TOO_LONG: 'rule',
  REVIEW_REMEDIATION_INCOMPLETE: 'rule',
  /** A review opened by a late significant change request cannot be assessed without a finding. */
  REVIEW_LATE_CHANGE_IS_A_FINDING: 'rule',
  CHANGE_ALREADY_EXISTS: 'conflict',
  CHANGE_NOT_REQUESTED: 'not-found',
  CHANGE_WRONG_STATE: 'conflict',
  /** Revocation transition (SPEC §3.1: PSEs on a revoked offering migrate within the transition period). */
  TRANSITION_ALREADY_STARTED: 'conflict',
  TRANSITION_NOT_STARTED: 'not-found',
  TRANSITION_ENDED: 'conflict',
  TRANSITION_INVALID_DEADLINE: 'rule',
  PSE_ALREADY_REGISTERED: 'conflict',
  PSE_NOT_REGISTERED: 'not-found',
  /** A correction or move of a register entry that would leave it exactly as it is. */
  PSE_UNCHANGED: 'rule',
  /** The procurement check denies the procurement; the message names its failed reasons. */
  PROCUREMENT_DENIED: 'rule',
  PROCUREMENT_ALREADY_EXISTS: 'conflict',
  PROCUREMENT_NOT_FOUND: 'not-found',
  PROCUREMENT_ENDED: 'conflict',
  WRONG_EXPECTED_REVISION: 'conflict',
  EVENT_SCHEMA_UNKNOWN: 'validation',
  EVENT_SCHEMA_INVALID: 'validation',
  RATE_LIMITED: 'rate-limited',
  /**
   * An Idempotency-Key the same person already sent with another request (another route, path or
   * body): a key names one request, and its resends get that request's first answer.
   */
  IDEMPOTENCY_KEY_REUSED: 'rule',
  /**
   * A resend whose first sending never had its answer recorded (the API stopped while answering) and is
   * older than a command's seal window: the case may have taken it, and only a look at the case can tell.
   */
  IDEMPOTENCY_OUTCOME_UNKNOWN: 'conflict',
  /** A dependency (Temporal, the event store) did not answer in time. */
  UNAVAILABLE: 'unavailable',
  /** The auditors' whole-log requests (as-of replays, verifications) already fill the audit thread's queue. */
  AUDIT_THREAD_BUSY: 'unavailable',
  INTERNAL_ERROR: 'internal',
  /** A read model stopped on an event it could not apply; it stays stopped until fixed and restarted. */
  PROJECTION_FAILED: 'internal',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field the error is about, when there is one. */
    readonly field?: string,
  ) {
    super(message);
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string; field?: string } {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** Compile-time exhaustiveness: a switch that reaches this has missed a case. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unhandled ${what}: ${JSON.stringify(value)}`);
}

/** A refusal to do it now: the client may try again after retryAfterSeconds (sent as Retry-After). */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', message);
  }
}
