import type { Actor } from '../shared/actor';
import { DomainError, assertNever } from '../shared/errors';
import type { AccountCommand } from './commands';
import type { AccountEvent, Assignment } from './events';
import { isMachine, isPrivileged } from './policy';
import type { AccountState } from './state';

export interface AccountDecideContext {
  /** The instant the command is handled at, ISO. */
  now: string;
  /** Enabled accounts whose role in force is admin: with none, the machine may bootstrap one. */
  enabledAdmins: number;
}

/**
 * Pure: given an account and a command, the events that happen, or a DomainError thrown. A command
 * that changes nothing (disabling a disabled account) yields no events.
 */
export function decideAccount(command: AccountCommand, state: AccountState, ctx: AccountDecideContext): AccountEvent[] {
  const { actor } = command;
  if (command.type === 'ChoosePassword') return choosePassword(command.data.credentialId, actor, state, ctx);
  if (command.type === 'ChangeEmail') return changeEmail(command.data.email, actor, state, ctx);
  if (actor.role !== 'admin') throw new DomainError('ROLE_NOT_ALLOWED', 'Accounts are managed by administrators');
  if (command.type === 'CreateAccount') {
    const { assignment, grantId, ...account } = command.data;
    if (state.status !== 'none') throw new DomainError('ACCOUNT_EXISTS', `An account named ${account.username} already exists`, 'username');
    return [
      { type: 'AccountCreated', data: { ...account, createdBy: actor.userId, createdAt: ctx.now } },
      assign(assignment, grantId, actor, ctx),
    ];
  }
  if (state.status === 'none') throw new DomainError('NOT_FOUND', 'No such account', 'username');

  switch (command.type) {
    case 'ChangeAssignment': {
      const { assignment, grantId } = command.data;
      if (state.pendingGrant !== null) {
        throw new DomainError('GRANT_PENDING', `${state.username} has a grant awaiting approval (${state.pendingGrant.grantId}); approve or reject it first`);
      }
      if (state.assignment !== null && sameAssignment(state.assignment, assignment)) {
        throw new DomainError('ACCOUNT_ROLE_UNCHANGED', `${state.username} already has this role, jurisdiction and organisation`, 'role');
      }
      return [assign(assignment, grantId, actor, ctx)];
    }

    case 'ApproveGrant': {
      const grant = requirePending(state.pendingGrant, command.data.grantId);
      if (isMachine(actor)) throw new DomainError('ROLE_NOT_ALLOWED', 'A grant is approved by a signed-in administrator, not by the machine');
      if (actor.userId === grant.requestedBy) throw new DomainError('GRANT_SELF_APPROVAL', 'You asked for this grant: a second administrator approves it');
      if (actor.userId === state.accountId) throw new DomainError('GRANT_SELF_APPROVAL', 'A grant to yourself is approved by another administrator');
      const { role, jurisdiction, organisationId, grantId } = grant;
      return [{ type: 'AccountGrantApproved', data: { grantId, role, jurisdiction, organisationId, approvedBy: actor.userId, approvedAt: ctx.now } }];
    }

    case 'RejectGrant': {
      const grant = requirePending(state.pendingGrant, command.data.grantId);
      return [{ type: 'AccountGrantRejected', data: { grantId: grant.grantId, reason: command.data.reason, rejectedBy: actor.userId, rejectedAt: ctx.now } }];
    }

    case 'DisableAccount':
      return state.status === 'disabled' ? [] : [{ type: 'AccountDisabled', data: { disabledBy: actor.userId, disabledAt: ctx.now } }];

    case 'EnableAccount':
      return state.status === 'active' ? [] : [{ type: 'AccountEnabled', data: { enabledBy: actor.userId, enabledAt: ctx.now } }];

    case 'ResetPassword': {
      const { credentialId, passwordExpiresAt } = command.data;
      return [{ type: 'AccountPasswordReset', data: { credentialId, resetBy: actor.userId, resetAt: ctx.now, passwordExpiresAt } }];
    }

    case 'ResetMfa':
      return [{ type: 'AccountMfaReset', data: { resetBy: actor.userId, resetAt: ctx.now, passwordExpiresAt: command.data.passwordExpiresAt } }];

    default:
      return assertNever(command, 'account command');
  }
}

/** People keep their own address current; administrators may set anyone's. Nothing changes, nothing is recorded. */
function changeEmail(email: string | null, actor: Actor, state: AccountState, ctx: AccountDecideContext): AccountEvent[] {
  if (state.status === 'none') throw new DomainError('NOT_FOUND', 'No such account', 'username');
  if (actor.role !== 'admin' && actor.userId !== state.accountId) {
    throw new DomainError('ROLE_NOT_ALLOWED', "Only an administrator or the account's own person changes its email address");
  }
  if (state.email === email) return [];
  return [{ type: 'AccountEmailChanged', data: { email, changedBy: actor.userId, changedAt: ctx.now } }];
}

/**
 * Only the account's holder replaces a one-time password, and only before it expires: after that, the
 * person asks an administrator for a new one. (The identity service checks the password itself.)
 */
function choosePassword(credentialId: string, actor: Actor, state: AccountState, ctx: AccountDecideContext): AccountEvent[] {
  if (state.status === 'none') throw new DomainError('NOT_FOUND', 'No such account', 'username');
  if (actor.userId !== state.accountId) throw new DomainError('ROLE_NOT_ALLOWED', 'Only the account itself chooses its password');
  if (state.status === 'disabled') throw new DomainError('INVALID_CREDENTIALS', 'Unknown username or wrong password');
  if (state.oneTimePassword === null) {
    throw new DomainError('PASSWORD_NOT_ONE_TIME', 'This account already has a password of its own; an administrator can reset it', 'newPassword');
  }
  if (passwordExpired(state.oneTimePassword, ctx.now)) throw passwordExpiredError();
  return [{ type: 'AccountPasswordChosen', data: { credentialId, chosenAt: ctx.now } }];
}

export function passwordExpired(oneTime: { expiresAt: string | null }, now: string): boolean {
  return oneTime.expiresAt !== null && Date.parse(now) >= Date.parse(oneTime.expiresAt);
}

export function passwordExpiredError(): DomainError {
  return new DomainError(
    'PASSWORD_EXPIRED',
    'This password was set by an administrator and has expired unused; ask an administrator to reset your password',
    'password',
  );
}

/**
 * A role that is not privileged takes effect at once; a privileged one waits for a second
 * administrator, except when the machine bootstraps the first administrator (no enabled one exists).
 */
function assign(assignment: Assignment, grantId: string, actor: Actor, ctx: AccountDecideContext): AccountEvent {
  if (!isPrivileged(assignment.role)) {
    return { type: 'AccountRoleAssigned', data: { ...assignment, basis: 'not-privileged', assignedBy: actor.userId, assignedAt: ctx.now } };
  }
  if (isMachine(actor) && assignment.role === 'admin' && ctx.enabledAdmins === 0) {
    return { type: 'AccountRoleAssigned', data: { ...assignment, basis: 'bootstrap', assignedBy: actor.userId, assignedAt: ctx.now } };
  }
  return { type: 'AccountGrantRequested', data: { ...assignment, grantId, requestedBy: actor.userId, requestedAt: ctx.now } };
}

function requirePending<G extends { grantId: string }>(pending: G | null, grantId: string): G {
  if (pending === null || pending.grantId !== grantId) {
    throw new DomainError('GRANT_NOT_PENDING', `Grant ${grantId} is not awaiting approval on this account`, 'grantId');
  }
  return pending;
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  return a.role === b.role && a.jurisdiction === b.jurisdiction && a.organisationId === b.organisationId;
}
