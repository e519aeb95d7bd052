import type { Procurement, PseDetails, RecordedCheck } from './events';

export interface ProcurementRecord extends Procurement {
  status: 'active' | 'ended';
  check: RecordedCheck;
  recordedBy: string;
  recordedAt: string;
  endedAt?: string;
}

export interface PseRecord extends PseDetails {
  status: 'registered';
  pseId: string;
  registeredBy: string;
  registeredAt: string;
  /** By procurement id; ended ones stay, so an id is never reused. */
  procurements: Record<string, ProcurementRecord>;
}

export type PseState = { status: 'none' } | PseRecord;

export const initialPseState: PseState = { status: 'none' };
