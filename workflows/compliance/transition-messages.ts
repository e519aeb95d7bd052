import { defineQuery } from '@temporalio/workflow';

/**
 * The revocation transition (SPEC §3.2): when an accreditation is revoked, every PSE with an open
 * recorded procurement on the offering gets a notice and a migration deadline; at the deadline each
 * procurement still open is flagged non-compliant. Started by the accreditation process at revocation.
 */
export const transitionWorkflowId = (applicationId: string): string => `transition:${applicationId}`;

export interface TransitionWorkflowInput {
  applicationId: string;
  /** The offering as PSE procurements name it. */
  offeringId: string;
  cspId: string;
  revokedAt: string;
  /** The migration deadline: the revocation's transitionUntil. */
  migrateBy: string;
  /** The causation id of the first event (the revocation's command id). */
  requestId: string;
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
