import type { NocRequest } from './events';

export const NOC_STATUSES = [
  'requested',
  'under-review',
  'awaiting-pse',
  'awaiting-decision',
  'active',
  'extension-requested',
  'rejected',
  'lapsed',
  'expired',
  'revoked',
  'withdrawn',
] as const;
export type NocStatus = (typeof NOC_STATUSES)[number];

/** Statuses in which the NOC allows its deviation. */
export const NOC_IN_FORCE: readonly NocStatus[] = ['active', 'extension-requested'];
/** Statuses after which nothing more happens to the case. */
export const NOC_FINAL: readonly NocStatus[] = ['rejected', 'lapsed', 'expired', 'revoked', 'withdrawn'];

export interface Recommendation {
  recommendation: 'approve' | 'reject';
  reasons: string;
  conditions: string[];
  by: string;
  byName: string;
}

export interface NocCase {
  status: NocStatus;
  request: NocRequest;
  requestedBy: string;
  requestedAt: string;
  reviewerId?: string;
  reviewerName?: string;
  /** Set while the PSE owes an answer. */
  informationDueBy?: string;
  recommendation?: Recommendation;
  decidedBy?: string;
  validFrom?: string;
  validUntil?: string;
  conditions: string[];
  extensionsGranted: number;
  pendingExtensionMonths?: number;
  /** Reminders already recorded for the current validUntil, by days before expiry. */
  remindersSent: number[];
}

export type NocState = { status: 'none' } | NocCase;

export const initialNocState: NocState = { status: 'none' };

export function isOpenCase(state: NocState): state is NocCase {
  return state.status !== 'none';
}
