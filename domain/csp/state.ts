import type { Offering, Organisation } from './events';

export type OfferingStatus = 'active' | 'retired';

export interface OfferingRecord extends Offering {
  status: OfferingStatus;
  /** The applications whose accreditation the offering holds (accredited or suspended); absent when none. */
  heldBy?: string[];
  /** The approved significant changes that have taken effect on it; absent when none. */
  appliedChanges?: string[];
}

export interface CspRecord {
  status: 'registered';
  cspId: string;
  organisation: Organisation;
  registeredBy: string;
  registeredAt: string;
  /** By offering id; retired offerings stay, so an id is never reused. */
  offerings: Record<string, OfferingRecord>;
}

export type CspState = { status: 'none' } | CspRecord;

export const initialCspState: CspState = { status: 'none' };
