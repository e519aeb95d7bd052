import type { Procurement, PseDetails, RecordedCheck } from './events';

export interface ProcurementRecord extends Procurement {
  status: 'active' | 'ended';
  check: RecordedCheck;
  recordedBy: string;
  recordedAt: string;
  endedAt?: string;
}

/** A correction or move of the entry, as the register shows it: what changed, from what, by whom, why. */
export interface PseAmendment {
  kind: 'details-corrected' | 'jurisdiction-changed';
  at: string;
  by: string;
  reason: string;
  from: Partial<PseDetails>;
  to: Partial<PseDetails>;
}

export interface PseRecord extends PseDetails {
  status: 'registered';
  pseId: string;
  registeredBy: string;
  registeredAt: string;
  /** By procurement id; ended ones stay, so an id is never reused. */
  procurements: Record<string, ProcurementRecord>;
  /** Corrections and moves, oldest first; absent until the first (and on entries carried over from before them). */
  amendments?: PseAmendment[];
}

export type PseState = { status: 'none' } | PseRecord;

export const initialPseState: PseState = { status: 'none' };
