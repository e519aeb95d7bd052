import { isSystem, type Actor } from '../shared/actor';
import { DomainError } from '../shared/errors';
import { addDays, isBefore } from '../shared/time';
import type { Baseline, DataClass, Role } from '../shared/vocabulary';
import { baselineMeets, dataCentresOutside, hostingRuleFor } from '../procurement/hosting-rules';
import type { Offering } from '../csp/events';
import type { AccreditationPolicy } from './policy';
import type { AccreditationCase, AccreditationCaseStatus } from './state';

export function requireRole(actor: Actor, role: Role, what: string): void {
  if (actor.role !== role) throw new DomainError('ROLE_NOT_ALLOWED', `Only a ${role} may ${what}`);
}

/** The applicant is the CSP: any of its representatives, not only the one who submitted. */
export function requireApplicant(actor: Actor, c: AccreditationCase): void {
  if (actor.role !== 'csp' || actor.organisationId !== c.application.cspId) {
    throw new DomainError('NOT_CASE_OWNER', `Only the applicant CSP (${c.application.cspId}) may do this`);
  }
}

export function requireSystem(actor: Actor, what: string): void {
  if (!isSystem(actor)) throw new DomainError('ROLE_NOT_ALLOWED', `${what} is done by the engine, not by a person`);
}

export function requireStatus(c: AccreditationCase, allowed: readonly AccreditationCaseStatus[], what: string): void {
  if (allowed.includes(c.status)) return;
  throw new DomainError(
    'ACCREDITATION_WRONG_STATE',
    `Application ${c.application.applicationId} is ${c.status}; to ${what} it must be ${allowed.join(' or ')}`,
  );
}

export function requireNotSubmitter(actor: Actor, c: AccreditationCase): void {
  if (actor.userId === c.submittedBy) {
    throw new DomainError('FOUR_EYES_VIOLATION', 'Nobody reviews or decides a case they submitted');
  }
}

/**
 * Four eyes (SPEC §3.1): the technical reviewer, the security reviewer and the deciding director are
 * three different people. Each check looks at the people who already hold the other two parts.
 */
export function requireNotSecurityReviewer(actor: Actor, c: AccreditationCase): void {
  if (c.securityReview?.by === actor.userId) {
    throw new DomainError('FOUR_EYES_VIOLATION', 'The security reviewer may not also review technically or decide');
  }
}

export function requireNotTechnicalReviewer(actor: Actor, c: AccreditationCase): void {
  if (c.technicalReviewers.includes(actor.userId)) {
    throw new DomainError('FOUR_EYES_VIOLATION', 'A technical reviewer of this case may not also review its security or decide it');
  }
}

/**
 * Refuses a new application for an offering rejected less than the cooling-off period ago.
 * `lastRejectedAt` is when the offering's latest application was rejected, if ever.
 */
export function checkCoolingOff(lastRejectedAt: string | undefined, now: string, policy: AccreditationPolicy): void {
  if (lastRejectedAt === undefined) return;
  const reapplyAfter = addDays(lastRejectedAt, policy.coolingOffDays);
  if (isBefore(now, reapplyAfter)) {
    throw new DomainError(
      'ACCREDITATION_COOLING_OFF',
      `This offering was rejected at ${lastRejectedAt}; it may apply again from ${reapplyAfter}`,
      'offeringId',
    );
  }
}

/**
 * Why an offering accredited at `baseline` may not hold data of `dataClass`, or null when it may.
 * The hosting rules (SPEC §2) are the single source: restricted needs intermediate, confidential
 * enhanced, secret highest, and those three a government cloud with every data centre in Pakistan.
 */
export function dataClassRefusal(dataClass: DataClass, baseline: Baseline, offering: Offering): string | null {
  const rule = hostingRuleFor(dataClass);
  if (rule.minimumBaseline !== null && !baselineMeets(baseline, rule.minimumBaseline)) {
    return `${dataClass} data needs baseline ${rule.minimumBaseline} or higher; the grant is ${baseline}`;
  }
  if (rule.requiresGovernmentCloud && offering.deploymentModel !== 'government') {
    return `${dataClass} data needs a government cloud; the offering is deployed as ${offering.deploymentModel}`;
  }
  if (rule.dataCentresOnlyIn !== null) {
    const outside = dataCentresOutside(offering.dataCentres, rule.dataCentresOnlyIn);
    if (outside.length > 0) {
      const where = outside.map((dc) => `${dc.city} (${dc.country})`).join(', ');
      return `${dataClass} data must stay in ${rule.dataCentresOnlyIn}; the offering also uses ${where}`;
    }
  }
  return null;
}
