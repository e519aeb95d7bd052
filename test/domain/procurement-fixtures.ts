import {
  checkProcurement,
  ProcurementAnswer,
  type AccreditationFacts,
  type NocFacts,
  type OfferingFacts,
  type ProcurementInput,
  type ReasonCode,
} from '../../domain/procurement';
import type { DataClass } from '../../domain/shared/vocabulary';

/** One calendar for every procurement test, so each instant reads as "before/inside/after" something. */
export const T = {
  accreditedFrom: '2025-01-01T00:00:00.000Z',
  nocFrom: '2025-03-01T00:00:00.000Z',
  now: '2025-06-01T00:00:00.000Z',
  nocUntil: '2025-09-01T00:00:00.000Z',
  transitionUntil: '2025-12-01T00:00:00.000Z',
  accreditedUntil: '2028-01-01T00:00:00.000Z',
} as const;

export const oneMsBefore = (iso: string): string => new Date(Date.parse(iso) - 1).toISOString();

export const PSE = { pseId: 'pse-moitt', jurisdiction: 'federal' } as const;

export function accreditation(over: Partial<AccreditationFacts> = {}): AccreditationFacts {
  return {
    status: 'accredited',
    baseline: 'highest',
    highestDataClass: 'secret',
    validFrom: T.accreditedFrom,
    validUntil: T.accreditedUntil,
    conditions: [],
    ...over,
  };
}

export const IN_PAKISTAN = [
  { city: 'Islamabad', country: 'PK' },
  { city: 'Karachi', country: 'PK' },
];
export const PARTLY_ABROAD = [
  { city: 'Karachi', country: 'PK' },
  { city: 'Dubai', country: 'AE' },
];

/** By default: a registered CSP's government cloud in Pakistan, accredited for secret at the highest baseline. */
export function offering(over: Partial<OfferingFacts> = {}): OfferingFacts {
  return {
    offeringId: 'off-gov',
    cspId: 'csp-nitb',
    cspRegistered: true,
    name: 'National Government Cloud',
    deploymentModel: 'government',
    dataCentres: IN_PAKISTAN,
    accreditation: accreditation(),
    ...over,
  };
}

/** By default: an active NOC of our PSE for using offering off-gov (not accredited) with secret data. */
export function noc(over: Partial<NocFacts> = {}): NocFacts {
  return {
    nocId: 'noc-1',
    pseId: PSE.pseId,
    status: 'active',
    deviation: 'non-accredited-offering',
    dataClass: 'secret',
    offeringId: 'off-gov',
    validFrom: T.nocFrom,
    validUntil: T.nocUntil,
    ...over,
  };
}

export function ask(
  dataClass: DataClass,
  on: OfferingFacts | undefined,
  extra: Partial<Pick<ProcurementInput, 'nocs' | 'offeringId'>> = {},
): ProcurementInput {
  return { pse: PSE, dataClass, offeringId: on?.offeringId ?? 'off-unknown', offering: on, nocs: [], ...extra };
}

/** Checks, and holds every answer to the published answer schema on the way. */
export function check(input: ProcurementInput, at: string = T.now): ProcurementAnswer {
  const answer = checkProcurement(input, at);
  expect(ProcurementAnswer.parse(answer)).toEqual(answer);
  return answer;
}

/** The codes of the conditions the hosting rule failed on (NOC reasons aside), sorted. */
export function failedConditions(answer: ProcurementAnswer): ReasonCode[] {
  return answer.reasons
    .filter((r) => r.outcome === 'failed' && r.code !== 'HOSTING_RULE_NOT_MET' && r.nocId === undefined && r.code !== 'NO_NOC_COVERS')
    .map((r) => r.code)
    .sort();
}

export function codes(answer: ProcurementAnswer): ReasonCode[] {
  return answer.reasons.map((r) => r.code);
}
