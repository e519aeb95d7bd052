import type { Assignment } from './events';

export interface PendingGrant extends Assignment {
  grantId: string;
  requestedBy: string;
  requestedAt: string;
}

export interface AccountRecord {
  status: 'active' | 'disabled';
  accountId: string;
  username: string;
  displayName: string;
  /**
   * What the account may do now; null until its first assignment takes effect (an account created
   * with a privileged role cannot sign in before a second administrator approves it).
   */
  assignment: Assignment | null;
  /** A privileged assignment awaiting approval; the account keeps `assignment` meanwhile. */
  pendingGrant: PendingGrant | null;
  /** The identity database's handle on the current password. */
  credentialId: string;
  /**
   * Set while the current password is one an administrator set (or, after a second-factor reset, the
   * one the person had): it serves only to choose a new password, until expiresAt (null: recorded
   * before such passwords expired). Null once the person chose their own.
   */
  oneTimePassword: { expiresAt: string | null } | null;
  /** Where notices are mailed; null when none was given. */
  email: string | null;
  createdAt: string;
}

export type AccountState = { status: 'none' } | AccountRecord;

export const initialAccountState: AccountState = { status: 'none' };
