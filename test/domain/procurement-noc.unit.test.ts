import type { NocFacts, ProcurementInput } from '../../domain/procurement';
import { PARTLY_ABROAD, T, accreditation, ask, check, codes, failedConditions, noc, oneMsBefore, offering } from './procurement-fixtures';

/** Restricted data on a government cloud in Pakistan that is not accredited: the direct rule fails. */
const unaccredited = offering({ accreditation: undefined });
const asking = (nocs: NocFacts[], over: Partial<ProcurementInput> = {}): ProcurementInput => ({ ...ask('restricted', unaccredited, { nocs }), ...over });
const nocReason = (answer: ReturnType<typeof check>, nocId: string) => answer.reasons.filter((r) => r.nocId === nocId).map((r) => r.code);

describe('a NOC that covers', () => {
  it('allows by NOC, saying why the rule failed and which NOC covers until when', () => {
    const answer = check(asking([noc({ dataClass: 'restricted' })]));
    expect(answer.decision).toBe('allowed-by-noc');
    expect(answer.noc).toEqual({ nocId: 'noc-1', validUntil: T.nocUntil });
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'OFFERING_NOT_ACCREDITED', 'NOC_COVERS']);
    expect(answer.reasons[2]?.message).toBe(
      `NOC noc-1 (non-accredited-offering, data up to restricted) excuses OFFERING_NOT_ACCREDITED until ${T.nocUntil}`,
    );
  });

  it('covers a less sensitive class than the one it names', () => {
    expect(check(asking([noc({ dataClass: 'secret' })])).decision).toBe('allowed-by-noc');
  });

  it('still covers while an extension is being requested', () => {
    expect(check(asking([noc({ status: 'extension-requested' })])).decision).toBe('allowed-by-noc');
  });

  it('covers one millisecond before its validUntil', () => {
    expect(check(asking([noc()]), oneMsBefore(T.nocUntil)).decision).toBe('allowed-by-noc');
  });

  it('covers from exactly its validFrom', () => {
    expect(check(asking([noc()]), T.nocFrom).decision).toBe('allowed-by-noc');
  });

  it('excuses every standing failure of a suspended, too-weak accreditation of a public cloud', () => {
    const weak = offering({ deploymentModel: 'public', accreditation: accreditation({ status: 'suspended', baseline: 'baseline' }) });
    const answer = check({ ...ask('restricted', weak), nocs: [noc()] });
    expect(answer.decision).toBe('allowed-by-noc');
    expect(failedConditions(answer)).toEqual(['ACCREDITATION_SUSPENDED', 'BASELINE_TOO_LOW', 'NOT_GOVERNMENT_CLOUD']);
  });

  it('covers an offering the register does not know, when it names that offering', () => {
    const answer = check(ask('public', undefined, { offeringId: 'off-foreign', nocs: [noc({ offeringId: 'off-foreign' })] }));
    expect(answer.decision).toBe('allowed-by-noc');
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'UNKNOWN_OFFERING', 'NOC_COVERS']);
  });

  it('lets an "other" deviation naming the offering cover whatever fails', () => {
    const abroad = offering({ dataCentres: PARTLY_ABROAD, accreditation: undefined });
    const answer = check({ ...ask('secret', abroad), nocs: [noc({ deviation: 'other' })] });
    expect(answer.decision).toBe('allowed-by-noc');
    expect(failedConditions(answer)).toEqual(['DATA_CENTRE_OUTSIDE_PAKISTAN', 'OFFERING_NOT_ACCREDITED']);
  });

  it('lets a NOC for restricted data outside Pakistan, naming no offering, cover the location of an accredited offering', () => {
    const abroad = offering({ dataCentres: PARTLY_ABROAD });
    const answer = check({ ...ask('confidential', abroad), nocs: [noc({ deviation: 'restricted-data-outside-pakistan', offeringId: undefined })] });
    expect(answer.decision).toBe('allowed-by-noc');
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'NOC_COVERS']);
  });

  it('combines NOCs when each excuses a different failure, and lasts until the first expires', () => {
    const abroad = offering({ dataCentres: PARTLY_ABROAD, accreditation: undefined });
    const location = noc({ nocId: 'noc-location', deviation: 'restricted-data-outside-pakistan', validUntil: '2025-07-01T00:00:00.000Z' });
    const answer = check({ ...ask('restricted', abroad), nocs: [noc(), location] });
    expect(answer.decision).toBe('allowed-by-noc');
    expect(answer.noc).toEqual({ nocId: 'noc-location', validUntil: '2025-07-01T00:00:00.000Z' });
    expect(answer.reasons.filter((r) => r.code === 'NOC_COVERS').map((r) => r.nocId)).toEqual(['noc-1', 'noc-location']);
  });

  it('uses the longest-lasting of two NOCs that cover the same failure', () => {
    const later = noc({ nocId: 'noc-later', validUntil: '2026-01-01T00:00:00.000Z' });
    const answer = check(asking([noc(), later]));
    expect(answer.noc).toEqual({ nocId: 'noc-later', validUntil: '2026-01-01T00:00:00.000Z' });
  });

  it('is not consulted when the hosting rule is met directly', () => {
    const answer = check({ ...ask('restricted', offering()), nocs: [noc()] });
    expect(answer.decision).toBe('allowed');
    expect(answer.noc).toBeUndefined();
    expect(answer.reasons.some((r) => r.nocId !== undefined)).toBe(false);
  });
});

describe('a NOC that does not cover', () => {
  it.each<[string, Partial<NocFacts>, string, string]>([
    ['expired by status', { status: 'expired' }, T.now, 'NOC_EXPIRED'],
    ['past its validUntil while still marked active', {}, '2025-10-01T00:00:00.000Z', 'NOC_EXPIRED'],
    ['at exactly its validUntil', {}, T.nocUntil, 'NOC_EXPIRED'],
    ['not yet valid', {}, oneMsBefore(T.nocFrom), 'NOC_NOT_YET_VALID'],
    ['revoked', { status: 'revoked' }, T.now, 'NOC_NOT_IN_FORCE'],
    ['withdrawn', { status: 'withdrawn' }, T.now, 'NOC_NOT_IN_FORCE'],
    ['still under review', { status: 'under-review', validFrom: undefined, validUntil: undefined }, T.now, 'NOC_NOT_IN_FORCE'],
    ['active but without a validity period', { validFrom: undefined, validUntil: undefined }, T.now, 'NOC_NOT_IN_FORCE'],
    ["another PSE's", { pseId: 'pse-other' }, T.now, 'NOC_FOR_OTHER_PSE'],
    ['for another offering', { offeringId: 'off-other' }, T.now, 'NOC_FOR_OTHER_OFFERING'],
    ['for a less sensitive data class', { dataClass: 'public' }, T.now, 'NOC_DATA_CLASS_TOO_LOW'],
    ['for a non-accredited offering that names none', { offeringId: undefined }, T.now, 'NOC_NAMES_NO_OFFERING'],
    ['for an "other" deviation that names no offering', { deviation: 'other', offeringId: undefined }, T.now, 'NOC_NAMES_NO_OFFERING'],
    ['for on-premises hosting', { deviation: 'on-premises-hosting', offeringId: undefined }, T.now, 'NOC_DEVIATION_NOT_APPLICABLE'],
    ['for a new own data centre', { deviation: 'new-own-data-centre', offeringId: undefined }, T.now, 'NOC_DEVIATION_NOT_APPLICABLE'],
    ['for restricted data outside Pakistan when the accreditation is what fails', { deviation: 'restricted-data-outside-pakistan' }, T.now, 'NOC_DOES_NOT_ADDRESS'],
  ])('denies with a NOC %s, saying why it does not cover', (_what, over, at, expected) => {
    const answer = check(asking([noc(over)]), at);
    expect(answer.decision).toBe('denied');
    expect(answer.noc).toBeUndefined();
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'OFFERING_NOT_ACCREDITED', 'NO_NOC_COVERS', expected]);
  });

  it('says the NOC allows nothing from the instant it expires', () => {
    const answer = check(asking([noc()]), T.nocUntil);
    expect(answer.reasons.find((r) => r.code === 'NOC_EXPIRED')?.message).toBe(`NOC noc-1 expired at ${T.nocUntil}; from then on it allows nothing`);
  });

  it("does not disclose another PSE's NOC beyond that it is not ours", () => {
    const answer = check(asking([noc({ pseId: 'pse-other', dataClass: 'public', status: 'revoked' })]));
    expect(nocReason(answer, 'noc-1')).toEqual(['NOC_FOR_OTHER_PSE']);
    expect(answer.reasons.find((r) => r.code === 'NOC_FOR_OTHER_PSE')?.message).toBe('NOC noc-1 was issued to another entity, not to pse-moitt');
  });

  it('lists every reason a NOC fails, not only the first', () => {
    const answer = check(asking([noc({ status: 'revoked', dataClass: 'open', offeringId: 'off-other' })]));
    expect(nocReason(answer, 'noc-1')).toEqual(['NOC_NOT_IN_FORCE', 'NOC_FOR_OTHER_OFFERING', 'NOC_DATA_CLASS_TOO_LOW']);
  });

  it('denies when NOCs excuse only part of what fails, saying what is left uncovered', () => {
    const abroad = offering({ dataCentres: PARTLY_ABROAD, accreditation: undefined });
    const answer = check({ ...ask('restricted', abroad), nocs: [noc()] });
    expect(answer.decision).toBe('denied');
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'OFFERING_NOT_ACCREDITED', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'NO_NOC_COVERS', 'NOC_COVERS_IN_PART']);
    expect(answer.reasons.find((r) => r.code === 'NO_NOC_COVERS')?.message).toBe('No NOC in force for pse-moitt excuses DATA_CENTRE_OUTSIDE_PAKISTAN');
  });

  it('denies with every failing condition and a reason for each NOC considered', () => {
    const weakAbroad = offering({ deploymentModel: 'hybrid', dataCentres: PARTLY_ABROAD, accreditation: accreditation({ status: 'suspended', baseline: 'baseline' }) });
    const nocs = [
      noc({ nocId: 'noc-a', status: 'expired' }),
      noc({ nocId: 'noc-b', pseId: 'pse-other' }),
      noc({ nocId: 'noc-c', offeringId: 'off-other' }),
    ];
    const answer = check({ ...ask('secret', weakAbroad), nocs: [...nocs].reverse() });
    expect(answer.decision).toBe('denied');
    expect(failedConditions(answer)).toEqual(['ACCREDITATION_SUSPENDED', 'BASELINE_TOO_LOW', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'NOT_GOVERNMENT_CLOUD']);
    expect(answer.reasons.filter((r) => r.nocId !== undefined).map((r) => [r.nocId, r.code])).toEqual([
      ['noc-a', 'NOC_EXPIRED'],
      ['noc-b', 'NOC_FOR_OTHER_PSE'],
      ['noc-c', 'NOC_FOR_OTHER_OFFERING'],
    ]);
  });

  it('denies with no NOC at all, saying none covers', () => {
    const answer = check(asking([]));
    expect(codes(answer)).toEqual(['HOSTING_RULE_NOT_MET', 'OFFERING_NOT_ACCREDITED', 'NO_NOC_COVERS']);
  });
});
