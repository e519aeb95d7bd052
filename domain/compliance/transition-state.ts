import type { OpenProcurement, TransitionCause } from './transition-events';

export const TRANSITION_STATUSES = ['notified', 'ended'] as const;
export type TransitionStatus = (typeof TRANSITION_STATUSES)[number];

export interface TransitionNotice extends OpenProcurement {
  flaggedNonCompliant: boolean;
}

export interface TransitionCase {
  status: TransitionStatus;
  applicationId: string;
  offeringId: string;
  cspId: string;
  /** When the accreditation ended. */
  endedAt: string;
  migrateBy: string;
  cause: TransitionCause;
  /** In the order the notices were issued; then any workload flagged at the deadline without one. */
  notices: TransitionNotice[];
  /** Set once ended: how many procurements were flagged non-compliant. */
  flagged?: number;
}

export type TransitionState = { status: 'none' } | TransitionCase;

export const initialTransitionState: TransitionState = { status: 'none' };

/** A procurement is named by its entity and its id (ids are unique within an entity only). */
export const procurementKey = (p: { pseId: string; procurementId: string }): string => `${p.pseId}/${p.procurementId}`;
