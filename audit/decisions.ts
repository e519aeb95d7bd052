import type { AccreditationEvent, ScoreSummary } from '../domain/accreditation/events';
import type { ChangeEvent } from '../domain/compliance/change-events';
import type { ReviewEvent } from '../domain/compliance/review-events';
import { categoryOf } from '../eventstore/envelope';
import type { DecodedEvent } from '../eventstore/registry';

/** One decision in a dossier: who took it, when, why, and under which policy and framework version. */
export interface DossierDecision {
  /** The case the decision is recorded on: the dossier's own, or a review or change that bears on it. */
  case: string;
  /** Its revision in that case's stream. */
  revision: number;
  type: string;
  /** What was decided, for an accreditation and the cases about it (e.g. `grant`, `suspension-decided`). */
  kind?: string;
  by: string;
  role: string;
  actor: { userId: string; name?: string; role: string; jurisdiction?: string };
  at: string;
  /** The policy version in force for the case the decision is recorded on. */
  policyVersion: string;
  /** The benchmark framework version pinned on the accreditation's application. */
  frameworkVersion?: string;
  /** The framework version the scores were given under (a scoring, a grant, a rejection, a renewal). */
  scoredAgainst?: string;
  reasons?: string;
  /** A security review's outcome, or what a reviewer recommended. */
  outcome?: string;
  /** A scoring's scores, criterion by criterion. */
  scores?: Record<string, number>;
  /** The scores' standing the decision saw. */
  scoreSummary?: ScoreSummary;
  /** For a measure taken on another case's decision (a suspension a compliance review decided): that case. */
  onDecisionOf?: string;
}

type Described = Pick<DossierDecision, 'kind' | 'reasons' | 'outcome' | 'scores' | 'scoreSummary' | 'scoredAgainst'>;

/** What the accreditation's history says about its framework: the version pinned, the one its grant was scored under. */
interface FrameworkTrail {
  pinned?: string;
  granted?: string;
}

const GENERIC_DECISION = /(Recommended|Approved|Rejected|Decided|Revoked|Suspended|Reinstated|Withdrawn|Lapsed|Expired|ExtensionApproved|ExtensionRejected)$/;

/** The accreditation's decisions (SPEC §3.1): the people's, and the engine's lapse and expiry. */
function accreditationDecision(e: AccreditationEvent, trail: FrameworkTrail): Described | undefined {
  switch (e.type) {
    case 'AccreditationScreeningCompleted':
      return { kind: 'screening', reasons: e.data.notes };
    case 'AccreditationCriteriaScored':
      return { kind: 'scoring', reasons: e.data.rationale, scores: e.data.scores, scoreSummary: e.data.summary, scoredAgainst: e.data.frameworkVersion };
    case 'AccreditationSecurityReviewRecorded':
      return { kind: 'security-review', outcome: e.data.outcome, reasons: e.data.notes };
    case 'AccreditationGranted':
      trail.granted = e.data.frameworkVersion;
      return { kind: 'grant', reasons: e.data.reasons, scoreSummary: e.data.summary, scoredAgainst: e.data.frameworkVersion };
    case 'AccreditationRejected':
      return { kind: 'rejection', reasons: e.data.reasons, scoredAgainst: e.data.frameworkVersion };
    case 'AccreditationRenewed':
      return { kind: 'renewal', reasons: e.data.reasons, ...(trail.granted ? { scoredAgainst: trail.granted } : {}) };
    case 'AccreditationSuspended':
      return { kind: 'suspension', reasons: e.data.reasons };
    case 'AccreditationReinstated':
      return { kind: 'reinstatement', reasons: e.data.reasons };
    case 'AccreditationRevoked':
      return { kind: 'revocation', reasons: e.data.reasons };
    case 'AccreditationExpired':
      return { kind: 'expiry', reasons: `Its validity ended at ${e.data.validUntil} without a renewal` };
    case 'AccreditationWithdrawn':
      return { kind: 'withdrawal', reasons: e.data.reason };
    case 'AccreditationLapsed':
      return { kind: 'lapse', reasons: e.data.reason };
    case 'AccreditationSubmitted':
      trail.pinned = e.data.frameworkVersion;
      return undefined;
    default:
      return undefined;
  }
}

/** A compliance review's decisions that bear on the accreditation it reviews. */
function reviewDecision(e: ReviewEvent): Described | undefined {
  switch (e.type) {
    case 'ReviewSuspensionDecided':
      return { kind: 'suspension-decided', reasons: e.data.reasons };
    case 'ReviewRevocationDecided':
      return { kind: 'revocation-decided', reasons: e.data.reasons };
    case 'ReviewReinstatementRecommended':
      return { kind: 'reinstatement-recommended', reasons: e.data.reasons };
    default:
      return undefined;
  }
}

/** The director's decision on a significant change to the accredited offering. */
function changeDecision(e: ChangeEvent): Described | undefined {
  switch (e.type) {
    case 'SignificantChangeApproved':
      return { kind: 'significant-change-approved', reasons: e.data.reasons };
    case 'SignificantChangeRejected':
      return { kind: 'significant-change-rejected', reasons: e.data.reasons };
    default:
      return undefined;
  }
}

function genericDecision(e: DecodedEvent): Described | undefined {
  if (!GENERIC_DECISION.test(e.type)) return undefined;
  const d = (e.data ?? {}) as Record<string, unknown>;
  const reasons = typeof d.reasons === 'string' ? d.reasons : typeof d.reason === 'string' ? d.reason : undefined;
  return reasons === undefined ? {} : { reasons };
}

/** The review's measure an accreditation event carries out, read from the command that caused it. */
function measureSource(causationId: string): string | undefined {
  const m = /^review:(.+):Review(?:Suspension|Revocation)Decided:\d+$/.exec(causationId);
  return m ? `review-${m[1]}` : undefined;
}

function relatedDecision(e: DecodedEvent): Described | undefined {
  const category = categoryOf(e.stream);
  if (category === 'review') return reviewDecision({ type: e.type, data: e.data } as ReviewEvent);
  if (category === 'change') return changeDecision({ type: e.type, data: e.data } as ChangeEvent);
  return undefined;
}

/**
 * Reads decisions off case events. Fed an accreditation's own events first (in order), it knows the
 * framework version pinned on the application and gives it to every decision it describes, and to the
 * decisions of the related cases (`related`: a review or change about the accreditation) too.
 */
export class DecisionReader {
  private readonly trail: FrameworkTrail = {};

  read(e: DecodedEvent, related = false): DossierDecision | undefined {
    const category = categoryOf(e.stream);
    const described = related
      ? relatedDecision(e)
      : category === 'accreditation'
        ? accreditationDecision({ type: e.type, data: e.data } as AccreditationEvent, this.trail)
        : genericDecision(e);
    if (described === undefined) return undefined;
    const { actor } = e.metadata;
    const source = !related && category === 'accreditation' ? measureSource(e.metadata.causationId) : undefined;
    return {
      case: e.stream,
      revision: e.revision,
      type: e.type,
      ...(described.kind ? { kind: described.kind } : {}),
      by: actor.name ? `${actor.name} (${actor.userId})` : actor.userId,
      role: actor.role,
      actor,
      at: e.metadata.occurredAt,
      policyVersion: e.metadata.policyVersion,
      ...(this.trail.pinned ? { frameworkVersion: this.trail.pinned } : {}),
      ...(described.scoredAgainst ? { scoredAgainst: described.scoredAgainst } : {}),
      ...(described.reasons ? { reasons: described.reasons } : {}),
      ...(described.outcome ? { outcome: described.outcome } : {}),
      ...(described.scores ? { scores: described.scores } : {}),
      ...(described.scoreSummary ? { scoreSummary: described.scoreSummary } : {}),
      ...(source ? { onDecisionOf: source } : {}),
    };
  }
}
