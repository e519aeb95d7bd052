import { isSystem, type Actor } from '../shared/actor';
import { DomainError } from '../shared/errors';
import type { Role } from '../shared/vocabulary';

export function requireRole(actor: Actor, roles: readonly Role[], what: string): void {
  if (!roles.includes(actor.role) || isSystem(actor)) {
    throw new DomainError('ROLE_NOT_ALLOWED', `Only a ${roles.join(' or ')} may ${what}`);
  }
}

export function requireSystem(actor: Actor, what: string): void {
  if (!isSystem(actor)) throw new DomainError('ROLE_NOT_ALLOWED', `${what} is done by the engine, not by a person`);
}

/** The provider acts through any of its representatives, not only the one who acted before. */
export function requireProvider(actor: Actor, cspId: string, what: string): void {
  if (actor.role !== 'csp') throw new DomainError('ROLE_NOT_ALLOWED', `Only the provider may ${what}`);
  if (actor.organisationId !== cspId) {
    throw new DomainError('NOT_CASE_OWNER', `Only the provider ${cspId} may ${what}`);
  }
}

/** Four eyes: nobody decides a case they opened, submitted or assessed. */
export function requireNotInvolved(actor: Actor, involved: readonly (string | undefined)[], what: string): void {
  if (involved.includes(actor.userId)) {
    throw new DomainError('FOUR_EYES_VIOLATION', `Nobody may ${what} on a case they opened, submitted or assessed`);
  }
}
