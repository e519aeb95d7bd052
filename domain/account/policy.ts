import type { Actor } from '../shared/actor';
import { isSystem } from '../shared/actor';
import type { Role } from '../shared/vocabulary';

/**
 * Roles that decide cases, see everything, or manage accounts. Granting one takes effect only when a
 * second administrator approves it (four eyes); the other roles take effect at once.
 */
export const PRIVILEGED_ROLES: readonly Role[] = ['director', 'security-reviewer', 'auditor', 'admin'];

export function isPrivileged(role: Role): boolean {
  return PRIVILEGED_ROLES.includes(role);
}

/** Recorded on every account event: the rule set the account decisions were taken under. */
export const ACCOUNT_POLICY_VERSION = 'cloud-office/accounts-1';

/**
 * Someone at the machine running `npm run accounts`: trusted with the database files, so recorded as
 * an administrator, but not a person who signed in, so never the second pair of eyes.
 */
export const OPERATOR_CONSOLE_ACTOR: Actor = {
  userId: 'operator-console',
  name: 'operator console',
  role: 'admin',
  jurisdiction: 'federal',
};

/** The engine or the operator console: may bootstrap the first administrator, may never approve. */
export function isMachine(actor: Actor): boolean {
  return isSystem(actor) || actor.userId === OPERATOR_CONSOLE_ACTOR.userId;
}
