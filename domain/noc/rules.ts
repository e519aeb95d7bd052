import { isSystem, type Actor } from '../shared/actor';
import { DomainError } from '../shared/errors';
import type { NocCase, NocStatus } from './state';

/**
 * Who may see a NOC. Federal NOCs: reviewers review, directors decide. A province's NOCs: that
 * province's provincial officers do both (two different people). Federal directors oversee every
 * province's NOCs so that adoption stays uniform (SPEC §5): they read them, and the decider refuses
 * them every action on one (requireDecider), as it refuses everybody outside the province.
 */
export function canSee(actor: Actor, noc: Pick<NocCase['request'], 'jurisdiction' | 'pseId'>): boolean {
  switch (actor.role) {
    case 'auditor':
      return true;
    case 'pse':
      return actor.organisationId === noc.pseId;
    case 'director':
      return noc.jurisdiction === 'federal' || actor.jurisdiction === 'federal' || actor.jurisdiction === noc.jurisdiction;
    case 'reviewer':
    case 'security-reviewer':
      return noc.jurisdiction === 'federal';
    case 'provincial-officer':
      return actor.jurisdiction === noc.jurisdiction;
    case 'csp':
    case 'admin':
      return false;
  }
}

export function requireVisible(actor: Actor, noc: NocCase): void {
  if (isSystem(actor) || canSee(actor, noc.request)) return;
  if (actor.role === 'provincial-officer' || (noc.request.jurisdiction !== 'federal' && isStaff(actor))) {
    throw new DomainError('OUTSIDE_JURISDICTION', `NOC ${noc.request.nocId} belongs to the ${noc.request.jurisdiction} jurisdiction`);
  }
  throw new DomainError('FORBIDDEN', `You may not act on NOC ${noc.request.nocId}`);
}

function isStaff(actor: Actor): boolean {
  return actor.role === 'reviewer' || actor.role === 'director' || actor.role === 'security-reviewer';
}

export function requireReviewer(actor: Actor, noc: NocCase): void {
  const expected = noc.request.jurisdiction === 'federal' ? 'reviewer' : 'provincial-officer';
  if (actor.role !== expected) {
    throw new DomainError('ROLE_NOT_ALLOWED', `Only a ${expected} reviews a ${noc.request.jurisdiction} NOC`);
  }
}

export function requireDecider(actor: Actor, noc: NocCase): void {
  const expected = noc.request.jurisdiction === 'federal' ? 'director' : 'provincial-officer';
  if (actor.role !== expected) {
    throw new DomainError('ROLE_NOT_ALLOWED', `Only a ${expected} decides a ${noc.request.jurisdiction} NOC`);
  }
}

export function requireApplicant(actor: Actor, noc: NocCase): void {
  if (actor.role !== 'pse' || actor.organisationId !== noc.request.pseId) {
    throw new DomainError('NOT_CASE_OWNER', `Only the requesting entity (${noc.request.pseId}) may do this`);
  }
}

export function requireSystem(actor: Actor, what: string): void {
  if (!isSystem(actor)) throw new DomainError('ROLE_NOT_ALLOWED', `${what} is done by the engine, not by a person`);
}

export function requireStatus(noc: NocCase, allowed: readonly NocStatus[], what: string): void {
  if (allowed.includes(noc.status)) return;
  throw new DomainError(
    'NOC_WRONG_STATE',
    `NOC ${noc.request.nocId} is ${noc.status}; to ${what} it must be ${allowed.join(' or ')}`,
  );
}
