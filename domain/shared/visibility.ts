import type { Actor } from './actor';
import type { Jurisdiction, Role } from './vocabulary';

/**
 * Who may see (and therefore act on) an organisation's records, one rule per kind of record. What a
 * person may not see does not exist for them: the API answers it exactly as it answers a missing
 * record, so nobody learns another organisation's case ids by trying them. The NOC rule lives with
 * the NOC decider (domain/noc/rules.ts, `canSeeNoc`), which applies it to every command too.
 */

/** The Cloud Office's own staff; none of them acts for an organisation. */
export const OFFICE_STAFF: readonly Role[] = ['reviewer', 'security-reviewer', 'director', 'auditor', 'admin'];

/**
 * A provider's records: its register entry and offerings, its accreditation applications, and the
 * monitoring, compliance reviews and significant changes of its offerings. Accreditation is federal
 * work, so the Office's staff see every provider; a provider's representatives see only their own.
 */
export function canSeeCspRecord(actor: Actor, cspId: string): boolean {
  return OFFICE_STAFF.includes(actor.role) || (actor.role === 'csp' && actor.organisationId === cspId);
}

/**
 * A public service entity's records: its register entry, its procurements and its non-compliant
 * workloads. Its own officers; the provincial officers of its jurisdiction; the Office's staff of the
 * federal jurisdiction, who oversee every province, or of the entity's own. Providers never.
 */
export function canSeePseRecord(actor: Actor, pse: { pseId: string; jurisdiction: Jurisdiction }): boolean {
  switch (actor.role) {
    case 'pse':
      return actor.organisationId === pse.pseId;
    case 'provincial-officer':
      return actor.jurisdiction === pse.jurisdiction;
    case 'csp':
      return false;
    case 'reviewer':
    case 'security-reviewer':
    case 'director':
    case 'auditor':
    case 'admin':
      return actor.jurisdiction === 'federal' || actor.jurisdiction === pse.jurisdiction;
  }
}
