import type { Actor } from '../shared/actor';
import type { Assignment } from './events';

/**
 * Commands on one account. Ids (account, grant, credential) are chosen by the caller, so that the
 * decider stays pure; the actor is the authenticated administrator, the operator console or the engine
 * (ChoosePassword: the account's holder). Expiry instants are computed by the caller from its configuration.
 */
export type AccountCommand =
  | {
      type: 'CreateAccount';
      actor: Actor;
      data: {
        accountId: string;
        username: string;
        displayName: string;
        credentialId: string;
        email?: string;
        assignment: Assignment;
        grantId: string;
        passwordExpiresAt: string;
      };
    }
  | { type: 'ChangeAssignment'; actor: Actor; data: { assignment: Assignment; grantId: string } }
  | { type: 'ApproveGrant'; actor: Actor; data: { grantId: string } }
  | { type: 'RejectGrant'; actor: Actor; data: { grantId: string; reason: string } }
  | { type: 'DisableAccount'; actor: Actor; data: Record<string, never> }
  | { type: 'EnableAccount'; actor: Actor; data: Record<string, never> }
  | { type: 'ResetPassword'; actor: Actor; data: { credentialId: string; passwordExpiresAt: string } }
  | { type: 'ResetMfa'; actor: Actor; data: { passwordExpiresAt: string } }
  /** The account's holder, signed in with a one-time password, replaces it with their own. */
  | { type: 'ChoosePassword'; actor: Actor; data: { credentialId: string } }
  /** Allowed to an administrator and to the account's own person. */
  | { type: 'ChangeEmail'; actor: Actor; data: { email: string | null } };

export type AccountCommandType = AccountCommand['type'];
export type AccountCommandOf<K extends AccountCommandType> = Extract<AccountCommand, { type: K }>;
