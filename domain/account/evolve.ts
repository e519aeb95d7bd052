import { assertNever } from '../shared/errors';
import type { AccountEvent } from './events';
import type { AccountState } from './state';

/** Pure: the account after one event. */
export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountCreated') {
    const { accountId, username, displayName, credentialId, createdAt, passwordExpiresAt } = event.data;
    const oneTimePassword = passwordExpiresAt === undefined ? null : { expiresAt: passwordExpiresAt };
    const email = event.data.email ?? null;
    return { status: 'active', accountId, username, displayName, credentialId, email, oneTimePassword, createdAt, assignment: null, pendingGrant: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AccountRoleAssigned':
    case 'AccountGrantApproved': {
      const { role, jurisdiction, organisationId } = event.data;
      const pendingGrant = event.type === 'AccountGrantApproved' ? null : state.pendingGrant;
      return { ...state, assignment: { role, jurisdiction, organisationId }, pendingGrant };
    }
    case 'AccountGrantRequested': {
      const { grantId, role, jurisdiction, organisationId, requestedBy, requestedAt } = event.data;
      return { ...state, pendingGrant: { grantId, role, jurisdiction, organisationId, requestedBy, requestedAt } };
    }
    case 'AccountGrantRejected':
      return { ...state, pendingGrant: null };
    case 'AccountDisabled':
      return { ...state, status: 'disabled' };
    case 'AccountEnabled':
      return { ...state, status: 'active' };
    // Without passwordExpiresAt (recorded before one-time passwords), a reset password was the account's own.
    case 'AccountPasswordReset': {
      const { credentialId, passwordExpiresAt } = event.data;
      return { ...state, credentialId, oneTimePassword: passwordExpiresAt === undefined ? null : { expiresAt: passwordExpiresAt } };
    }
    // The second factor itself lives in the identity database alone.
    case 'AccountMfaReset':
      return event.data.passwordExpiresAt === undefined ? state : { ...state, oneTimePassword: { expiresAt: event.data.passwordExpiresAt } };
    case 'AccountPasswordChosen':
      return { ...state, credentialId: event.data.credentialId, oneTimePassword: null };
    case 'AccountEmailChanged':
      return { ...state, email: event.data.email };
    default:
      return assertNever(event, 'account event');
  }
}

export function foldAccount(events: readonly AccountEvent[], from: AccountState = { status: 'none' }): AccountState {
  return events.reduce(evolveAccount, from);
}
