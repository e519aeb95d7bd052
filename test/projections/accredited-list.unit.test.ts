import { accreditedListProjection } from '../../projections/accreditation/accredited-list';
import { createAccreditedListQueries } from '../../projections/accreditation/queries';
import { GOV_CLOUD, PUBLIC_CLOUD, addOffering, application, cspEvent, registerCsp } from './accredited-fixtures';
import { TestLog, dump, memoryDb, project } from './support';

const T0 = '2025-01-06T09:00:00.000Z';
const GRANTED = '2025-02-03T10:00:00.000Z';
const SUSPENDED = '2025-06-01T08:00:00.000Z';
const REINSTATED = '2025-07-01T08:00:00.000Z';
const VALID_UNTIL = '2028-02-03T10:00:00.000Z';
const TERMS = { baseline: 'intermediate', highestDataClass: 'restricted', validFrom: GRANTED, validUntil: VALID_UNTIL } as const;

function setup() {
  const db = memoryDb(accreditedListProjection);
  const log = new TestLog();
  const queries = createAccreditedListQueries(db);
  const apply = (): void => project(db, [accreditedListProjection], log.events.splice(0));
  registerCsp(log, 'csp-one', 'One Cloud Pvt Ltd', T0);
  addOffering(log, 'csp-one', GOV_CLOUD, T0);
  addOffering(log, 'csp-one', PUBLIC_CLOUD, T0);
  return { db, log, queries, apply, changes: () => queries.changes({ limit: 100, offset: 0 }) };
}

describe('the accredited list projection', () => {
  it('lists a granted offering with its CSP, deployment, service models, data centres and the terms of its accreditation', () => {
    const { log, apply, queries } = setup();
    application(log, 'app-1')
      .submit('csp-one', GOV_CLOUD, T0)
      .screen('2025-01-08T09:00:00.000Z')
      .grant({ ...TERMS, conditions: ['Quarterly vulnerability report'] }, GRANTED);
    apply();
    expect(queries.list()).toEqual([
      {
        offeringId: 'off-gov',
        offeringName: 'Sovereign Gov Cloud',
        cspId: 'csp-one',
        cspName: 'One Cloud Pvt Ltd',
        deploymentModel: 'government',
        serviceModels: ['IaaS', 'PaaS'],
        dataCentres: GOV_CLOUD.dataCentres,
        applicationId: 'app-1',
        status: 'accredited',
        baseline: 'intermediate',
        highestDataClass: 'restricted',
        accreditedSince: GRANTED,
        validFrom: GRANTED,
        validUntil: VALID_UNTIL,
        conditions: ['Quarterly vulnerability report'],
        updatedAt: GRANTED,
      },
    ]);
  });

  it('does not list an application that is still being assessed', () => {
    const { log, apply, queries, changes } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).screen('2025-01-08T09:00:00.000Z');
    apply();
    expect(queries.list()).toEqual([]);
    expect(changes()).toEqual([]);
  });

  it('keeps a suspended offering on the list, marked suspended, and marks it accredited again on reinstatement', () => {
    const { log, apply, queries } = setup();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).suspend('Breach under investigation', SUSPENDED);
    apply();
    expect(queries.list()).toEqual([expect.objectContaining({ offeringId: 'off-gov', status: 'suspended', updatedAt: SUSPENDED })]);
    app.reinstate('Breach remediated', REINSTATED);
    apply();
    expect(queries.list()).toEqual([expect.objectContaining({ offeringId: 'off-gov', status: 'accredited', updatedAt: REINSTATED })]);
  });

  it.each([
    ['is revoked', (a: ReturnType<typeof application>) => a.revoke('Data found abroad', '2025-12-01T00:00:00.000Z', SUSPENDED)],
    ['expires', (a: ReturnType<typeof application>) => a.expire(VALID_UNTIL)],
    ['is withdrawn by its CSP', (a: ReturnType<typeof application>) => a.withdraw('Product discontinued', 'accredited', SUSPENDED)],
  ])('drops the offering from the list when its accreditation %s', (_how, end) => {
    const { log, apply, queries } = setup();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
    application(log, 'app-2').submit('csp-one', PUBLIC_CLOUD, T0).grant({ ...TERMS, baseline: 'baseline', highestDataClass: 'public' }, GRANTED);
    apply();
    expect(queries.list().map((r) => r.offeringId)).toEqual(['off-pub', 'off-gov']);
    end(app);
    apply();
    expect(queries.list().map((r) => r.offeringId)).toEqual(['off-pub']);
  });

  it('extends the validity on renewal and logs the renewal with its new validity, the status unchanged', () => {
    const { log, apply, queries, changes } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).renew(VALID_UNTIL, '2031-02-03T10:00:00.000Z', '2027-12-01T00:00:00.000Z');
    apply();
    expect(queries.list()[0]).toMatchObject({ validUntil: '2031-02-03T10:00:00.000Z', accreditedSince: GRANTED });
    expect(changes().map((c) => [c.kind, c.from, c.to, c.validUntil])).toEqual([
      ['renewed', 'accredited', 'accredited', '2031-02-03T10:00:00.000Z'],
      ['granted', null, 'accredited', VALID_UNTIL],
    ]);
  });

  it('logs a change of a listed offering, and not of an offering that is not listed', () => {
    const { log, apply, changes } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
    cspEvent(log, 'csp-one', 'OfferingUpdated', { ...GOV_CLOUD, dataCentres: [{ city: 'Lahore', country: 'PK' }], changed: ['dataCentres'], updatedBy: 'u-dir', changeId: 'CHG-1' }, SUSPENDED);
    cspEvent(log, 'csp-one', 'OfferingUpdated', { ...PUBLIC_CLOUD, name: 'Renamed', changed: ['name'], updatedBy: 'u-csp' }, SUSPENDED);
    apply();
    expect(changes()[0]).toMatchObject({ kind: 'changed', offeringId: 'off-gov', from: 'accredited', to: 'accredited', reasons: 'Significant change CHG-1 took effect: data centres' });
    expect(changes().map((c) => c.offeringId)).toEqual(['off-gov', 'off-gov']);
  });

  it("keeps an offering's public record: its accreditation while listed, its history, and its last status once it ended", () => {
    const { log, apply, queries } = setup();
    const app = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant({ ...TERMS, conditions: ['Quarterly report'] }, GRANTED);
    apply();
    expect(queries.offering('off-gov')).toMatchObject({
      retired: false,
      offeringName: 'Sovereign Gov Cloud',
      cspName: 'One Cloud Pvt Ltd',
      status: 'accredited',
      accreditation: { baseline: 'intermediate', highestDataClass: 'restricted', conditions: ['Quarterly report'] },
      history: [expect.objectContaining({ kind: 'granted' })],
    });
    app.revoke('Data found abroad', '2025-12-01T00:00:00.000Z', SUSPENDED);
    apply();
    expect(queries.offering('off-gov')).toMatchObject({
      status: 'revoked',
      accreditation: null,
      dataCentres: GOV_CLOUD.dataCentres,
      history: [expect.objectContaining({ kind: 'revoked', reasons: 'Data found abroad' }), expect.objectContaining({ kind: 'granted' })],
    });
    expect(queries.offering('off-pub')).toBeUndefined();
    expect(queries.offering('no-such-offering')).toBeUndefined();
  });

  it('marks an accredited offering its provider retired: off the list, its record still public', () => {
    const { log, apply, queries } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
    cspEvent(log, 'csp-one', 'OfferingRetired', { offeringId: 'off-gov', reason: 'End of life', retiredBy: 'u-csp' }, SUSPENDED);
    apply();
    expect(queries.list()).toEqual([]);
    expect(queries.offering('off-gov')).toMatchObject({ retired: true, status: 'accredited', accreditation: { baseline: 'intermediate' } });
  });

  it('shows the offering as the CSP register last described it', () => {
    const { log, apply, queries } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
    cspEvent(log, 'csp-one', 'OfferingUpdated', { ...GOV_CLOUD, name: 'Sovereign Gov Cloud 2', changed: ['name'], updatedBy: 'u-csp' }, SUSPENDED);
    apply();
    expect(queries.list()[0]).toMatchObject({ offeringName: 'Sovereign Gov Cloud 2' });
  });

  it('lets a newer grant take the offering over, and ignores what later happens to the superseded application', () => {
    const { log, apply, queries } = setup();
    const first = application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED);
    application(log, 'app-2')
      .submit('csp-one', GOV_CLOUD, SUSPENDED)
      .grant({ ...TERMS, baseline: 'enhanced', highestDataClass: 'confidential', validFrom: REINSTATED }, REINSTATED);
    first.withdraw('Replaced by the enhanced accreditation', 'accredited', '2025-08-01T00:00:00.000Z');
    apply();
    expect(queries.list()).toEqual([expect.objectContaining({ applicationId: 'app-2', baseline: 'enhanced', status: 'accredited' })]);
  });
});

describe('the accreditation status-change log', () => {
  it('records every change of public status with when, why and who decided, by name and role, newest first', () => {
    const { log, apply, changes } = setup();
    application(log, 'app-1')
      .submit('csp-one', GOV_CLOUD, T0)
      .grant(TERMS, GRANTED)
      .suspend('Breach under investigation', SUSPENDED)
      .reinstate('Breach remediated', REINSTATED)
      .revoke('Data found abroad', '2025-12-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z');
    apply();
    const decidedBy = { name: 'Dawood Director', role: 'director' };
    expect(changes()).toEqual([
      {
        eventId: expect.any(String),
        kind: 'revoked',
        offeringId: 'off-gov',
        offeringName: 'Sovereign Gov Cloud',
        applicationId: 'app-1',
        from: 'accredited',
        to: 'revoked',
        at: '2025-09-01T00:00:00.000Z',
        reasons: 'Data found abroad',
        transitionUntil: '2025-12-01T00:00:00.000Z',
        validUntil: null,
        decidedBy,
      },
      expect.objectContaining({ from: 'suspended', to: 'accredited', at: REINSTATED, reasons: 'Breach remediated', decidedBy }),
      expect.objectContaining({ from: 'accredited', to: 'suspended', at: SUSPENDED, reasons: 'Breach under investigation', decidedBy }),
      expect.objectContaining({ kind: 'granted', from: null, to: 'accredited', at: GRANTED, reasons: 'Every criterion met at the baseline', transitionUntil: null }),
    ]);
    expect(new Set(changes().map((c) => c.eventId)).size).toBe(4);
  });

  it('records an expiry as decided by the engine, with the date the accreditation ran until', () => {
    const { log, apply, changes } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).expire(VALID_UNTIL);
    apply();
    expect(changes()[0]).toMatchObject({
      from: 'accredited',
      to: 'expired',
      at: VALID_UNTIL,
      reasons: `The accreditation ran until ${VALID_UNTIL} and was not renewed`,
      decidedBy: { name: 'Cloud Office engine', role: 'admin' },
    });
  });

  it('logs the migration deadline an expiry or a withdrawal gives the entities using the offering', () => {
    const { log, apply, changes } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).expire(VALID_UNTIL, '2028-08-01T00:00:00.000Z');
    application(log, 'app-2').submit('csp-one', PUBLIC_CLOUD, T0).grant(TERMS, GRANTED).withdraw('Product discontinued', 'accredited', SUSPENDED, '2025-12-01T00:00:00.000Z');
    apply();
    expect(changes().filter((c) => c.to === 'expired' || c.to === 'withdrawn').map((c) => [c.to, c.transitionUntil])).toEqual([
      ['expired', '2028-08-01T00:00:00.000Z'],
      ['withdrawn', '2025-12-01T00:00:00.000Z'],
    ]);
  });

  it('filters by offering and pages', () => {
    const { log, apply, queries } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).suspend('Breach', SUSPENDED);
    application(log, 'app-2').submit('csp-one', PUBLIC_CLOUD, T0).grant({ ...TERMS, baseline: 'baseline', highestDataClass: 'public' }, GRANTED);
    apply();
    expect(queries.changes({ offeringId: 'off-pub', limit: 10, offset: 0 }).map((c) => c.to)).toEqual(['accredited']);
    expect(queries.changes({ offeringId: 'off-gov', limit: 1, offset: 1 }).map((c) => c.to)).toEqual(['accredited']);
    expect(queries.changes({ limit: 10, offset: 0 })).toHaveLength(3);
  });

  it('is rebuilt to the same rows after a reset', () => {
    const { db, log, apply } = setup();
    application(log, 'app-1').submit('csp-one', GOV_CLOUD, T0).grant(TERMS, GRANTED).suspend('Breach', SUSPENDED);
    const events = [...log.events];
    apply();
    const before = [dump(db, 'accredited_list'), dump(db, 'accreditation_changes')];
    accreditedListProjection.reset(db);
    accreditedListProjection.setup(db);
    project(db, [accreditedListProjection], events);
    expect([dump(db, 'accredited_list'), dump(db, 'accreditation_changes')]).toEqual(before);
  });
});
