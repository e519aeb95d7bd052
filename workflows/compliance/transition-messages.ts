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
  revokedAt: string;
  /** The migration deadline: the ending's transitionUntil. */
  migrateBy: string;
  /** The causation id of the first event (the revocation's command id). */
  requestId: string;
  /** How the accreditation ended; absent: revoked. */
  cause?: TransitionCause;
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
