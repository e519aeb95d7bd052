import type { ProcurementAnswer, ReasonCode } from '../../domain/procurement';
import { procurementFactsProjection } from '../../projections/procurement/facts';
import { procurementCheck, procurementInput } from '../../projections/procurement/queries';
import { director, pse, reviewer } from '../support/actors';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, cspEvent, registerCsp } from './accredited-fixtures';
import { TestLog, dump, memoryDb, project } from './support';

const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const SUSPENDED = '2025-06-01T08:00:00.000Z';
const REINSTATED = '2025-07-01T08:00:00.000Z';
const VALID_UNTIL = '2028-02-03T10:00:00.000Z';
const NOW = '2026-01-01T00:00:00.000Z';
const RESTRICTED = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: VALID_UNTIL } as const;

function setup() {
  const db = memoryDb(procurementFactsProjection);
  const log = new TestLog();
  registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  addOffering(log, 'csp-one', PUBLIC_CLOUD, T0);
  const apply = (): void => project(db, [procurementFactsProjection], log.events.splice(0));
  const check = (offering: string, dataClass: ProcurementAnswer['query']['dataClass'], at?: string, pseId = 'pse-moitt') =>
    procurementCheck(db, { pse: pseId, offering, dataClass, ...(at === undefined ? {} : { at }) }, NOW);
  return { db, log, apply, check };
}

const codes = (answer: ProcurementAnswer): ReasonCode[] => answer.reasons.map((r) => r.code);

describe('the procurement check from the read model', () => {
  it('allows restricted data on an accredited government cloud in Pakistan at intermediate baseline, with every reason', () => {
    const { log, apply, check } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant({ ...RESTRICTED, conditions: ['Quarterly report'] }, GRANTED);
    apply();
    const answer = check('off-gov', 'restricted');
    expect(answer).toMatchObject({
      decision: 'allowed',
      query: { pseId: 'pse-moitt', offeringId: 'off-gov', dataClass: 'restricted' },
      rule: { id: 'cloud-first-2022/hosting-1/restricted' },
      evaluatedAt: NOW,
    });
    expect(codes(answer)).toEqual([
      'HOSTING_RULE_MET',
      'CSP_REGISTERED',
      'ACCREDITATION_IN_FORCE',
      'ACCREDITED_FOR_DATA_CLASS',
      'BASELINE_MET',
      'ACCREDITATION_CONDITIONS',
      'GOVERNMENT_CLOUD',
      'DATA_CENTRES_IN_PAKISTAN',
    ]);
  });

  it('denies restricted data on a public cloud abroad, naming every condition that fails', () => {
    const { log, apply, check } = setup();
    application(log, 'app-2').submit('csp-one', PUBLIC_CLOUD, T0).grant(RESTRICTED, GRANTED);
    apply();
    const answer = check('off-pub', 'restricted');
    expect(answer.decision).toBe('denied');
    expect(codes(answer)).toEqual(expect.arrayContaining(['HOSTING_RULE_NOT_MET', 'NOT_GOVERNMENT_CLOUD', 'DATA_CENTRE_OUTSIDE_PAKISTAN', 'NO_NOC_COVERS']));
  });

  it('denies restricted data on a government cloud accredited below intermediate', () => {
    const { log, apply, check } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant({ ...RESTRICTED, baseline: 'baseline' }, GRANTED);
    apply();
    const answer = check('off-gov', 'restricted');
    expect(answer.decision).toBe('denied');
    expect(codes(answer)).toContain('BASELINE_TOO_LOW');
  });

  it('denies while the accreditation is suspended and allows again after reinstatement', () => {
    const { log, apply, check } = setup();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).suspend('Breach', SUSPENDED);
    apply();
    const suspended = check('off-gov', 'restricted');
    expect(suspended.decision).toBe('denied');
    expect(codes(suspended)).toContain('ACCREDITATION_SUSPENDED');
    app.reinstate('Remediated', REINSTATED);
    apply();
    expect(check('off-gov', 'restricted').decision).toBe('allowed');
  });

  it('answers for the instant asked about from the facts as they stood then', () => {
    const { log, apply, check } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).suspend('Breach', SUSPENDED).reinstate('Remediated', REINSTATED);
    apply();
    expect(codes(check('off-gov', 'restricted', '2024-12-31T00:00:00.000Z'))).toContain('UNKNOWN_OFFERING');
    expect(codes(check('off-gov', 'restricted', '2025-01-20T00:00:00.000Z'))).toContain('OFFERING_NOT_ACCREDITED');
    expect(check('off-gov', 'restricted', '2025-03-01T00:00:00.000Z').decision).toBe('allowed');
    const during = check('off-gov', 'restricted', '2025-06-15T00:00:00.000Z');
    expect(during).toMatchObject({ decision: 'denied', evaluatedAt: '2025-06-15T00:00:00.000Z' });
    expect(codes(during)).toContain('ACCREDITATION_SUSPENDED');
    expect(check('off-gov', 'restricted', '2025-07-02T00:00:00.000Z').decision).toBe('allowed');
    expect(codes(check('off-gov', 'restricted', VALID_UNTIL))).toContain('ACCREDITATION_EXPIRED_AT');
  });

  it('allows by NOC while the entity holds an approved NOC that excuses what fails, and names the NOC and its expiry', () => {
    const { log, apply, check } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', deviation: 'non-accredited-offering', offeringId: 'off-pub', dataClass: 'public' }, pse(), '2025-03-01T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Migration under way', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
    apply();
    const answer = check('off-pub', 'public', '2025-04-01T00:00:00.000Z');
    expect(answer).toMatchObject({ decision: 'allowed-by-noc', noc: { nocId: 'NOC-1', validUntil: '2025-09-04T09:00:00.000Z' } });
    expect(codes(answer)).toEqual(expect.arrayContaining(['OFFERING_NOT_ACCREDITED', 'NOC_COVERS']));

    expect(check('off-pub', 'public', '2025-03-02T00:00:00.000Z').decision).toBe('denied');
    expect(codes(check('off-pub', 'public', '2025-09-04T09:00:00.000Z'))).toContain('NOC_EXPIRED');
    expect(check('off-pub', 'public', '2025-04-01T00:00:00.000Z', 'pse-other').decision).toBe('denied');
  });

  it('stops allowing by NOC once the NOC is revoked', () => {
    const { log, apply, check } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', deviation: 'non-accredited-offering', offeringId: 'off-pub', dataClass: 'public' }, pse(), '2025-03-01T09:00:00.000Z');
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Migration under way', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
    noc.at('2025-05-01T00:00:00.000Z').act('Revoke', director, { reasons: 'Conditions not met' });
    apply();
    expect(check('off-pub', 'public', '2025-04-01T00:00:00.000Z').decision).toBe('allowed-by-noc');
    const after = check('off-pub', 'public', '2025-06-01T00:00:00.000Z');
    expect(after.decision).toBe('denied');
    expect(after.reasons).toContainEqual(expect.objectContaining({ code: 'NOC_NOT_IN_FORCE', nocId: 'NOC-1' }));
  });

  it('leaves out the entity’s NOCs that name another offering, and keeps those that name this one or none', () => {
    const { log, apply, db } = setup();
    log.nocCase({ nocId: 'NOC-OTHER', deviation: 'non-accredited-offering', offeringId: 'off-gov' }, pse(), T0);
    log.nocCase({ nocId: 'NOC-THIS', deviation: 'non-accredited-offering', offeringId: 'off-pub' }, pse(), T0);
    log.nocCase({ nocId: 'NOC-PLACE', deviation: 'restricted-data-outside-pakistan' }, pse(), T0);
    apply();
    const input = procurementInput(db, { pse: 'pse-moitt', offering: 'off-pub', dataClass: 'restricted' }, NOW);
    expect(input.nocs.map((n) => n.nocId)).toEqual(['NOC-PLACE', 'NOC-THIS']);
  });

  it('treats a retired offering as no longer on the register', () => {
    const { log, apply, check } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED);
    cspEvent(log, 'csp-one', 'OfferingRetired', { offeringId: 'off-gov', reason: 'End of life', retiredBy: 'u-csp' }, SUSPENDED);
    apply();
    expect(check('off-gov', 'restricted', '2025-05-01T00:00:00.000Z').decision).toBe('allowed');
    expect(codes(check('off-gov', 'restricted'))).toContain('UNKNOWN_OFFERING');
  });

  it('carries a revocation’s transition period into the facts, knows the entity’s jurisdiction from its NOCs, and leaves out NOCs that cannot bear on the check', () => {
    const { log, apply, db } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).revoke('Breach', '2025-12-01T00:00:00.000Z', SUSPENDED);
    log.nocCase({ nocId: 'NOC-9' }, pse('pse-lhr', 'punjab'), T0);
    apply();
    const input = procurementInput(db, { pse: 'pse-lhr', offering: 'off-gov', dataClass: 'restricted' }, NOW);
    expect(input.pse).toEqual({ pseId: 'pse-lhr', jurisdiction: 'punjab' });
    expect(input.offering?.accreditation).toMatchObject({ status: 'revoked', transitionUntil: '2025-12-01T00:00:00.000Z' });
    // An on-premises-hosting NOC cannot bear on procuring a cloud offering: it is not part of the input.
    expect(input.nocs).toEqual([]);
  });

  it('carries the migration period of an expiry or a withdrawal into the facts, and denies anything new during it', () => {
    const { log, apply, db, check } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).withdraw('Discontinued', 'accredited', SUSPENDED, '2025-12-01T00:00:00.000Z');
    apply();
    const input = procurementInput(db, { pse: 'pse-moitt', offering: 'off-gov', dataClass: 'restricted' }, NOW);
    expect(input.offering?.accreditation).toMatchObject({ status: 'withdrawn', transitionUntil: '2025-12-01T00:00:00.000Z' });
    const answer = check('off-gov', 'restricted', '2025-07-01T00:00:00.000Z');
    expect(answer.decision).toBe('denied');
    expect(answer.reasons.find((r) => r.code === 'ACCREDITATION_WITHDRAWN')?.message).toContain('must leave by 2025-12-01T00:00:00.000Z');
  });

  it('is rebuilt to the same facts after a reset', () => {
    const { db, log } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(RESTRICTED, GRANTED).suspend('Breach', SUSPENDED);
    const events = [...log.events];
    project(db, [procurementFactsProjection], events);
    const before = [dump(db, 'pf_offering_versions'), dump(db, 'pf_accreditations')];
    procurementFactsProjection.reset(db);
    procurementFactsProjection.setup(db);
    project(db, [procurementFactsProjection], events);
    expect([dump(db, 'pf_offering_versions'), dump(db, 'pf_accreditations')]).toEqual(before);
  });
});
