import { isAtOrAfter, isBefore } from '../shared/time';
import { reason, type Reason } from './answer';
import type { AccreditationFacts, OfferingFacts, ProcurementInput } from './facts';
import { baselineMeets, dataCentresOutside, dataClassCovers, type HostingRule } from './hosting-rules';

/**
 * Each condition of a hosting rule, evaluated on its own so that a denial lists every condition that
 * fails, not just the first. Pure: `at` is the instant the question is asked about.
 */
export function evaluateRule(rule: HostingRule, input: ProcurementInput, at: string): Reason[] {
  const { offering } = input;
  if (offering === undefined) {
    return [reason('UNKNOWN_OFFERING', `Offering ${input.offeringId} is not on the register of offerings`)];
  }
  const label = offeringLabel(offering);
  const reasons: Reason[] = [
    offering.cspRegistered
      ? reason('CSP_REGISTERED', `${label} is provided by ${offering.cspId}, a registered CSP`)
      : reason('CSP_NOT_REGISTERED', `${label} is provided by ${offering.cspId}, which is not a registered CSP`),
  ];
  if (rule.requiresAccreditation) reasons.push(...accreditationConditions(rule, input, offering, at));
  if (rule.requiresGovernmentCloud) {
    reasons.push(
      offering.deploymentModel === 'government'
        ? reason('GOVERNMENT_CLOUD', `${label} is a government cloud`)
        : reason('NOT_GOVERNMENT_CLOUD', `${label} is a ${offering.deploymentModel} cloud; ${rule.dataClass} data needs a government cloud`),
    );
  }
  if (rule.dataCentresOnlyIn !== null) reasons.push(locationCondition(rule, offering, rule.dataCentresOnlyIn));
  return reasons;
}

export function offeringLabel(offering: OfferingFacts): string {
  return `${offering.name} (${offering.offeringId})`;
}

function accreditationConditions(rule: HostingRule, input: ProcurementInput, offering: OfferingFacts, at: string): Reason[] {
  const label = offeringLabel(offering);
  const acc = offering.accreditation;
  if (acc === undefined) return [reason('OFFERING_NOT_ACCREDITED', `${label} is not accredited`)];

  const reasons: Reason[] = [...validityConditions(label, acc, at)];
  const status = statusCondition(label, acc, at);
  if (status) reasons.push(status);
  if (!reasons.some((r) => r.outcome === 'failed') && acc.status === 'accredited') {
    reasons.push(
      reason(
        'ACCREDITATION_IN_FORCE',
        `${label} is accredited at baseline ${acc.baseline} from ${acc.validFrom} until ${acc.validUntil}`,
      ),
    );
  }
  reasons.push(
    dataClassCovers(acc.highestDataClass, input.dataClass)
      ? reason('ACCREDITED_FOR_DATA_CLASS', `${label} is accredited for data up to ${acc.highestDataClass}, which covers ${input.dataClass}`)
      : reason('DATA_CLASS_ABOVE_ACCREDITED', `${label} is accredited for data up to ${acc.highestDataClass} only, below ${input.dataClass}`),
  );
  if (rule.minimumBaseline !== null) {
    reasons.push(
      baselineMeets(acc.baseline, rule.minimumBaseline)
        ? reason('BASELINE_MET', `${label} holds baseline ${acc.baseline}; ${rule.dataClass} data needs ${rule.minimumBaseline} or higher`)
        : reason('BASELINE_TOO_LOW', `${label} holds baseline ${acc.baseline}; ${rule.dataClass} data needs ${rule.minimumBaseline} or higher`),
    );
  }
  if (acc.conditions.length > 0) {
    reasons.push(reason('ACCREDITATION_CONDITIONS', `The accreditation of ${label} carries conditions: ${acc.conditions.join('; ')}`));
  }
  return reasons;
}

/** The validity window [validFrom, validUntil): at exactly validUntil the accreditation counts no more. */
function validityConditions(label: string, acc: AccreditationFacts, at: string): Reason[] {
  if (isBefore(at, acc.validFrom)) {
    return [reason('ACCREDITATION_NOT_YET_VALID', `The accreditation of ${label} takes effect only at ${acc.validFrom}`)];
  }
  if (isAtOrAfter(at, acc.validUntil)) {
    return [reason('ACCREDITATION_EXPIRED_AT', `The accreditation of ${label} expired at ${acc.validUntil}${migration(acc, at)}`)];
  }
  if (acc.status === 'expired') {
    return [reason('ACCREDITATION_EXPIRED_AT', `The accreditation of ${label} has expired (it ran until ${acc.validUntil})${migration(acc, at)}`)];
  }
  return [];
}

function statusCondition(label: string, acc: AccreditationFacts, at: string): Reason | undefined {
  switch (acc.status) {
    case 'accredited':
    case 'expired':
      return undefined;
    case 'suspended':
      return reason(
        'ACCREDITATION_SUSPENDED',
        `The accreditation of ${label} is suspended; nothing new may be procured on it until it is reinstated (workloads already on it continue)`,
      );
    case 'withdrawn':
      return reason('ACCREDITATION_WITHDRAWN', `The accreditation of ${label} was withdrawn by its CSP${migration(acc, at)}`);
    case 'revoked':
      return reason('ACCREDITATION_REVOKED', `The accreditation of ${label} was revoked${migration(acc, at)}`);
  }
}

/**
 * An accreditation that ended leaves the workloads already on the offering a migration period; it
 * never lets anything new on (SPEC §3.1): the period is about the past, not a permission.
 */
function migration(acc: AccreditationFacts, at: string): string {
  if (acc.transitionUntil === undefined) return '';
  if (isAtOrAfter(at, acc.transitionUntil)) return `; its migration period ended at ${acc.transitionUntil}`;
  return `; nothing new may be procured on it, and workloads already on it must leave by ${acc.transitionUntil}`;
}

function locationCondition(rule: HostingRule, offering: OfferingFacts, country: string): Reason {
  const label = offeringLabel(offering);
  if (offering.dataCentres.length === 0) {
    return reason('NO_DATA_CENTRE_DECLARED', `${label} declares no data centre, so it cannot be shown to be in Pakistan`);
  }
  const outside = dataCentresOutside(offering.dataCentres, country);
  if (outside.length > 0) {
    const where = outside.map((dc) => `${dc.city} (${dc.country.toUpperCase()})`).join(', ');
    return reason('DATA_CENTRE_OUTSIDE_PAKISTAN', `${label} has data centres outside Pakistan: ${where}; ${rule.dataClass} data must stay in Pakistan`);
  }
  const where = offering.dataCentres.map((dc) => dc.city).join(', ');
  return reason('DATA_CENTRES_IN_PAKISTAN', `Every data centre of ${label} is in Pakistan: ${where}`);
}
