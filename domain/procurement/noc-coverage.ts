import { isAtOrAfter, isBefore, toMillis } from '../shared/time';
import { reason, type Reason, type ReasonCode } from './answer';
import { NOC_FACT_STATUSES_IN_FORCE, type NocFacts, type ProcurementInput } from './facts';
import { dataClassCovers } from './hosting-rules';

/**
 * Whether the PSE's NOCs excuse the conditions of the hosting rule that failed. A NOC is an exemption
 * from a named deviation, so each kind of deviation excuses only the conditions it is about:
 *   - `non-accredited-offering` (naming the offering): everything about the offering's standing —
 *     unknown to the register, CSP not registered, accreditation missing, not in force or too weak,
 *     not a government cloud; not where its data centres are;
 *   - `restricted-data-outside-pakistan`: only where the data centres are. It may name an offering;
 *     when it names none it is about the place, so it applies to whatever offering is asked about;
 *   - `other` (naming the offering): whatever fails, since the office judged that case as a whole; an
 *     `other` NOC naming no offering cannot be read as permission for any particular one;
 *   - `on-premises-hosting`, `new-own-data-centre`: hosting outside any cloud, so never a procurement.
 * Several NOCs may combine (one for the accreditation, one for the location); the permission then
 * lasts until the first of them expires.
 */
type Deviation = NocFacts['deviation'];

const STANDING_FAILURES: readonly ReasonCode[] = [
  'UNKNOWN_OFFERING',
  'CSP_NOT_REGISTERED',
  'OFFERING_NOT_ACCREDITED',
  'ACCREDITATION_NOT_YET_VALID',
  'ACCREDITATION_EXPIRED_AT',
  'ACCREDITATION_SUSPENDED',
  'ACCREDITATION_REVOKED',
  'ACCREDITATION_WITHDRAWN',
  'DATA_CLASS_ABOVE_ACCREDITED',
  'BASELINE_TOO_LOW',
  'NOT_GOVERNMENT_CLOUD',
];
const LOCATION_FAILURES: readonly ReasonCode[] = ['DATA_CENTRE_OUTSIDE_PAKISTAN', 'NO_DATA_CENTRE_DECLARED'];

export const NOC_EXCUSES: Readonly<Record<Deviation, readonly ReasonCode[]>> = {
  'non-accredited-offering': STANDING_FAILURES,
  'restricted-data-outside-pakistan': LOCATION_FAILURES,
  other: [...STANDING_FAILURES, ...LOCATION_FAILURES],
  'on-premises-hosting': [],
  'new-own-data-centre': [],
};

/** Deviations that only make sense for a named offering. */
const NEEDS_OFFERING: readonly Deviation[] = ['non-accredited-offering', 'other'];

/**
 * Which NOCs can bear on a procurement of an offering at all: those that may excuse something, and that
 * name this offering or (for a deviation tied to no offering) none. The others would only be listed as
 * not applicable, so the read side may leave them out of the check's input.
 */
export const NOC_DEVIATIONS_BEARING = {
  namingTheOffering: (Object.keys(NOC_EXCUSES) as Deviation[]).filter((d) => NOC_EXCUSES[d].length > 0),
  namingNoOffering: (Object.keys(NOC_EXCUSES) as Deviation[]).filter((d) => NOC_EXCUSES[d].length > 0 && !NEEDS_OFFERING.includes(d)),
} as const;

export interface NocVerdict {
  noc: NocFacts;
  /** The failed conditions this NOC excuses; empty when it has problems. */
  covers: ReasonCode[];
  /** Why the NOC does not count here; empty when it is usable. */
  problems: Reason[];
}

export interface Coverage {
  covered: boolean;
  reasons: Reason[];
  /** When covered: the NOC whose expiry ends the permission. */
  noc?: { nocId: string; validUntil: string };
}

export function assessNoc(noc: NocFacts, input: ProcurementInput, at: string, failing: readonly ReasonCode[]): NocVerdict {
  const id = noc.nocId;
  if (noc.pseId !== input.pse.pseId) {
    // Another entity's exemption says nothing about this one; its details are not ours to show.
    return { noc, covers: [], problems: [reason('NOC_FOR_OTHER_PSE', `NOC ${id} was issued to another entity, not to ${input.pse.pseId}`, id)] };
  }
  const problems = [...timeProblems(noc, at), ...scopeProblems(noc, input)];
  if (!dataClassCovers(noc.dataClass, input.dataClass)) {
    problems.push(reason('NOC_DATA_CLASS_TOO_LOW', `NOC ${id} covers data up to ${noc.dataClass}, below ${input.dataClass}`, id));
  }
  const excusable = NOC_EXCUSES[noc.deviation];
  const covers = failing.filter((code) => excusable.includes(code));
  if (problems.length === 0 && covers.length === 0 && excusable.length > 0) {
    problems.push(
      reason(
        'NOC_DOES_NOT_ADDRESS',
        `NOC ${id} exempts from "${noc.deviation}", which is not what fails here (${failing.join(', ')})`,
        id,
      ),
    );
  }
  return { noc, covers: problems.length === 0 ? covers : [], problems };
}

/** In force at `at`: an in-force status and `at` within [validFrom, validUntil). */
function timeProblems(noc: NocFacts, at: string): Reason[] {
  const id = noc.nocId;
  if (noc.status === 'expired' || (noc.validUntil !== undefined && isAtOrAfter(at, noc.validUntil))) {
    const when = noc.validUntil === undefined ? '' : ` at ${noc.validUntil}`;
    return [reason('NOC_EXPIRED', `NOC ${id} expired${when}; from then on it allows nothing`, id)];
  }
  if (!NOC_FACT_STATUSES_IN_FORCE.includes(noc.status)) {
    return [reason('NOC_NOT_IN_FORCE', `NOC ${id} is ${noc.status}, not in force`, id)];
  }
  if (noc.validFrom === undefined || noc.validUntil === undefined) {
    return [reason('NOC_NOT_IN_FORCE', `NOC ${id} has no validity period, so it is not in force`, id)];
  }
  if (isBefore(at, noc.validFrom)) {
    return [reason('NOC_NOT_YET_VALID', `NOC ${id} takes effect only at ${noc.validFrom}`, id)];
  }
  return [];
}

function scopeProblems(noc: NocFacts, input: ProcurementInput): Reason[] {
  const id = noc.nocId;
  if (NOC_EXCUSES[noc.deviation].length === 0) {
    return [
      reason(
        'NOC_DEVIATION_NOT_APPLICABLE',
        `NOC ${id} exempts from "${noc.deviation}", hosting outside any cloud offering; it does not allow procuring one`,
        id,
      ),
    ];
  }
  if (noc.offeringId !== undefined && noc.offeringId !== input.offeringId) {
    return [reason('NOC_FOR_OTHER_OFFERING', `NOC ${id} concerns offering ${noc.offeringId}, not ${input.offeringId}`, id)];
  }
  if (noc.offeringId === undefined && NEEDS_OFFERING.includes(noc.deviation)) {
    return [
      reason(
        'NOC_NAMES_NO_OFFERING',
        `NOC ${id} exempts from "${noc.deviation}" without naming an offering, so it cannot stand for ${input.offeringId}`,
        id,
      ),
    ];
  }
  return [];
}

/**
 * Every failed condition must be excused by some usable NOC. For each, the NOC lasting longest is
 * used; the permission ends when the first of those expires.
 */
export function coverByNocs(input: ProcurementInput, at: string, failed: readonly Reason[]): Coverage {
  const failing = failed.map((r) => r.code);
  const verdicts = [...input.nocs]
    .sort((a, b) => (a.nocId < b.nocId ? -1 : a.nocId > b.nocId ? 1 : 0))
    .map((noc) => assessNoc(noc, input, at, failing));
  const usable = verdicts.filter((v) => v.covers.length > 0);

  const chosen = new Map<string, NocVerdict>();
  const uncovered: ReasonCode[] = [];
  for (const code of failing) {
    const best = usable
      .filter((v) => v.covers.includes(code))
      .reduce<NocVerdict | undefined>((acc, v) => (acc === undefined || lastsLonger(v.noc, acc.noc) ? v : acc), undefined);
    if (best === undefined) uncovered.push(code);
    else chosen.set(best.noc.nocId, best);
  }

  if (uncovered.length === 0) {
    const used = [...chosen.values()];
    const first = used.reduce((acc, v) => (lastsLonger(acc.noc, v.noc) ? v : acc));
    return {
      covered: true,
      noc: { nocId: first.noc.nocId, validUntil: validUntilOf(first.noc) },
      reasons: used.map((v) =>
        reason(
          'NOC_COVERS',
          `NOC ${v.noc.nocId} (${v.noc.deviation}, data up to ${v.noc.dataClass}) excuses ${v.covers.join(', ')} until ${validUntilOf(v.noc)}`,
          v.noc.nocId,
        ),
      ),
    };
  }

  const partial = usable.map((v) =>
    reason(
      'NOC_COVERS_IN_PART',
      `NOC ${v.noc.nocId} would excuse ${v.covers.join(', ')} until ${validUntilOf(v.noc)}, but not everything that fails`,
      v.noc.nocId,
    ),
  );
  return {
    covered: false,
    reasons: [
      reason('NO_NOC_COVERS', `No NOC in force for ${input.pse.pseId} excuses ${uncovered.join(', ')}`),
      ...partial,
      ...verdicts.flatMap((v) => v.problems),
    ],
  };
}

/** Only usable NOCs reach here, and those always have a validity period. */
function validUntilOf(noc: NocFacts): string {
  if (noc.validUntil === undefined) throw new Error(`NOC ${noc.nocId} in use without validUntil`);
  return noc.validUntil;
}

function lastsLonger(a: NocFacts, b: NocFacts): boolean {
  return toMillis(validUntilOf(a)) > toMillis(validUntilOf(b));
}
