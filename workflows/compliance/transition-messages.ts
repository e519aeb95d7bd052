import { defineQuery } from '@temporalio/workflow';
import type { TransitionCause } from '../../domain/compliance/transition-events';

/**
 * The migration period (SPEC §3.1): when an accreditation is revoked, expires or is withdrawn, every PSE
 * with an open recorded procurement on the offering gets a notice and a migration deadline; at the
 * deadline each procurement still open is flagged non-compliant. Started by the accreditation process.
 */
export const transitionWorkflowId = (applicationId: string): string => `transition:${applicationId}`;

export interface TransitionWorkflowInput {
  applicationId: string;
  /** The offering as PSE procurements name it. */
  offeringId: string;
  cspId: string;
  /** When the accreditation ended, as its process knew it. */
  endedAt: string;
  /** The migration deadline: the ending's transitionUntil. */
  migrateBy: string;
  /** The causation id of the first event (the ending's command id). */
  requestId: string;
  /** How the accreditation ended. */
  cause: TransitionCause;
}

/**
 * What runs started by releases before version 2 of the transition events were given, and still replay
 * with: the ending's instant as `revokedAt`, and no cause for a revocation.
 */
export type PreviousTransitionWorkflowInput = Omit<TransitionWorkflowInput, 'endedAt' | 'cause'> & { revokedAt: string; cause?: TransitionCause };

/** Pure: either input as the current one; the same lift as the events' upcaster (transition-events-v1.ts). */
export function currentTransitionInput(input: TransitionWorkflowInput | PreviousTransitionWorkflowInput): TransitionWorkflowInput {
  if ('endedAt' in input && input.endedAt !== undefined) return input as TransitionWorkflowInput;
  const { revokedAt, cause, ...rest } = input as PreviousTransitionWorkflowInput;
  return { ...rest, endedAt: revokedAt, cause: cause ?? 'revoked' };
}

export interface TransitionNoticeView {
  pseId: string;
  procurementId: string;
  migrateBy: string;
  /** Set at the deadline when the procurement was still open. */
  flaggedNonCompliant: boolean;
}

export interface TransitionView {
  status: 'none' | 'notified' | 'ended';
  applicationId: string;
  migrateBy: string;
  notices: TransitionNoticeView[];
  revision: number;
}

export const transitionStateQuery = defineQuery<TransitionView>('transitionState');
