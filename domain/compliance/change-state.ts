import type { SignificantChange } from './change-events';

export const CHANGE_STATUSES = ['requested', 'awaiting-decision', 'approved', 'rejected'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];
/** A decided change: nothing is left to do on it. */
export const CHANGE_FINAL: readonly ChangeStatus[] = ['approved', 'rejected'];

export interface ChangeCase {
  status: ChangeStatus;
  change: SignificantChange;
  requestedBy: string;
  requestedAt: string;
  /** Notified with less notice than the policy requires. */
  lateNotice: boolean;
  recommendation?: { recommendation: 'approve' | 'reject'; reasons: string; by: string };
  decidedBy?: string;
}

export type ChangeState = { status: 'none' } | ChangeCase;

export const initialChangeState: ChangeState = { status: 'none' };
