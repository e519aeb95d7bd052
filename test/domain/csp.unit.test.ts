import { foldCsp } from '../../domain/csp/evolve';
import { CspCommandPayloads } from '../../domain/csp/commands';
import { CSP_ID, GOV_CLOUD, NOW, ORGANISATION, PUBLIC_SAAS, at, cspActors as who, cspCmd, cspEv, cspHistory, givenCsp } from './csp-fixtures';

describe('registering a CSP', () => {
  it('by an administrator puts the organisation on the register', () => {
    const { state } = givenCsp([])
      .when(cspCmd.register(who.admin), at())
      .then([{ type: 'CspRegistered', data: { ...ORGANISATION, cspId: CSP_ID, registeredBy: 'u-admin', registeredAt: NOW } }]);
    expect(state).toEqual({ status: 'registered', cspId: CSP_ID, organisation: ORGANISATION, registeredBy: 'u-admin', registeredAt: NOW, offerings: {} });
  });

  it("may be done by the CSP's own representative", () => {
    givenCsp([]).when(cspCmd.register(who.csp), at()).then([cspEv.registered(who.csp)]);
  });

  it('is refused to a representative registering another organisation', () => {
    givenCsp([]).when(cspCmd.register(who.otherCsp), at()).thenRefuses('NOT_CASE_OWNER', 'cspId');
  });

  it('is refused to Cloud Office reviewers, directors, PSEs and auditors', () => {
    for (const actor of [who.reviewer, who.director, who.pse, who.auditor]) {
      givenCsp([]).when(cspCmd.register(actor), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused when the CSP is already registered', () => {
    givenCsp(cspHistory.registered).when(cspCmd.register(who.admin), at()).thenRefuses('CSP_ALREADY_REGISTERED', 'cspId');
  });
});

describe('adding an offering', () => {
  it('records the offering as active', () => {
    const { state } = givenCsp(cspHistory.registered)
      .when(cspCmd.addOffering(who.csp), at())
      .then([{ type: 'OfferingAdded', data: { ...GOV_CLOUD, addedBy: 'u-csp' } }]);
    expect(state).toMatchObject({ offerings: { [GOV_CLOUD.offeringId]: { ...GOV_CLOUD, status: 'active' } } });
  });

  it('keeps several offerings side by side', () => {
    const { state } = givenCsp(cspHistory.withOffering).when(cspCmd.addOffering(who.cspColleague, PUBLIC_SAAS), at()).then([cspEv.offeringAdded(PUBLIC_SAAS, who.cspColleague)]);
    expect(Object.keys(state.status === 'registered' ? state.offerings : {})).toEqual(['off-gov', 'off-mail']);
  });

  it('is refused for a CSP that is not registered', () => {
    givenCsp([]).when(cspCmd.addOffering(who.csp), at()).thenRefuses('CSP_NOT_REGISTERED');
  });

  it('is refused when the offering id is taken, even by a retired offering', () => {
    givenCsp(cspHistory.withOffering).when(cspCmd.addOffering(who.csp), at()).thenRefuses('OFFERING_ALREADY_EXISTS', 'offeringId');
    givenCsp(cspHistory.withRetiredOffering).when(cspCmd.addOffering(who.csp), at()).thenRefuses('OFFERING_ALREADY_EXISTS', 'offeringId');
  });

  it("is refused to another CSP's representative", () => {
    givenCsp(cspHistory.registered).when(cspCmd.addOffering(who.otherCsp), at()).thenRefuses('NOT_CASE_OWNER');
  });

  it('is refused to anyone who is not a CSP representative, administrators included', () => {
    for (const actor of [who.admin, who.reviewer, who.director, who.pse]) {
      givenCsp(cspHistory.registered).when(cspCmd.addOffering(actor), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });
});

describe('updating an offering', () => {
  it('records the whole offering after the change and names the fields that changed', () => {
    const dataCentres = [...GOV_CLOUD.dataCentres, { city: 'Lahore', country: 'PK' }];
    const { state } = givenCsp(cspHistory.withOffering)
      .when(cspCmd.updateOffering(who.csp, { name: 'Nimbus GovCloud', dataCentres }), at())
      .then([{ type: 'OfferingUpdated', data: { ...GOV_CLOUD, name: 'Nimbus GovCloud', dataCentres, changed: ['name', 'dataCentres'], updatedBy: 'u-csp' } }]);
    expect(state).toMatchObject({ offerings: { 'off-gov': { name: 'Nimbus GovCloud', dataCentres, status: 'active' } } });
  });

  it('changes nothing, and records nothing, when the values sent are those already recorded', () => {
    givenCsp(cspHistory.withOffering)
      .when(cspCmd.updateOffering(who.csp, { name: GOV_CLOUD.name, deploymentModel: 'government' }), at())
      .then([]);
  });

  it('is refused for an unknown offering', () => {
    givenCsp(cspHistory.withOffering).when(cspCmd.updateOffering(who.csp, { name: 'X' }, 'off-nope'), at()).thenRefuses('OFFERING_NOT_FOUND', 'offeringId');
  });

  it('is refused for a retired offering', () => {
    givenCsp(cspHistory.withRetiredOffering).when(cspCmd.updateOffering(who.csp, { name: 'X' }), at()).thenRefuses('OFFERING_RETIRED', 'offeringId');
  });

  it("is refused to another CSP's representative", () => {
    givenCsp(cspHistory.withOffering).when(cspCmd.updateOffering(who.otherCsp, { name: 'X' }), at()).thenRefuses('NOT_CASE_OWNER');
  });

  it('is refused for a CSP that is not registered', () => {
    givenCsp([]).when(cspCmd.updateOffering(who.csp, { name: 'X' }), at()).thenRefuses('CSP_NOT_REGISTERED');
  });
});

describe('retiring an offering', () => {
  it('marks it retired and keeps it on record', () => {
    const { state } = givenCsp(cspHistory.withOffering).when(cspCmd.retireOffering(who.csp), at()).then([cspEv.offeringRetired()]);
    expect(state).toMatchObject({ offerings: { 'off-gov': { ...GOV_CLOUD, status: 'retired' } } });
  });

  it('is refused twice', () => {
    givenCsp(cspHistory.withRetiredOffering).when(cspCmd.retireOffering(who.csp), at()).thenRefuses('OFFERING_RETIRED');
  });

  it('is refused for an unknown offering', () => {
    givenCsp(cspHistory.withOffering).when(cspCmd.retireOffering(who.csp, 'off-nope'), at()).thenRefuses('OFFERING_NOT_FOUND');
  });

  it('is refused to a director: only the CSP retires its offerings', () => {
    givenCsp(cspHistory.withOffering).when(cspCmd.retireOffering(who.director), at()).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('the CSP command payloads', () => {
  it('need at least one service model, without repeats, and at least one data centre with a two-letter country code', () => {
    const add = CspCommandPayloads.AddOffering;
    expect(add.safeParse(GOV_CLOUD).success).toBe(true);
    expect(add.safeParse({ ...GOV_CLOUD, serviceModels: [] }).success).toBe(false);
    expect(add.safeParse({ ...GOV_CLOUD, serviceModels: ['IaaS', 'IaaS'] }).success).toBe(false);
    expect(add.safeParse({ ...GOV_CLOUD, serviceModels: ['FaaS'] }).success).toBe(false);
    expect(add.safeParse({ ...GOV_CLOUD, dataCentres: [] }).success).toBe(false);
    expect(add.safeParse({ ...GOV_CLOUD, dataCentres: [{ city: 'Islamabad', country: 'PAK' }] }).success).toBe(false);
    expect(add.safeParse({ ...GOV_CLOUD, deploymentModel: 'community' }).success).toBe(false);
  });

  it('refuse an update that changes no field', () => {
    expect(CspCommandPayloads.UpdateOffering.safeParse({ offeringId: 'off-gov' }).success).toBe(false);
    expect(CspCommandPayloads.UpdateOffering.safeParse({ offeringId: 'off-gov', name: 'New' }).success).toBe(true);
  });

  it('need a valid contact e-mail to register', () => {
    const register = CspCommandPayloads.RegisterCsp;
    expect(register.safeParse({ ...ORGANISATION, cspId: CSP_ID }).success).toBe(true);
    expect(register.safeParse({ ...ORGANISATION, cspId: CSP_ID, contact: { ...ORGANISATION.contact, email: 'nope' } }).success).toBe(false);
  });
});

describe('folding the CSP history', () => {
  it('ignores offering events before the CSP is registered, and a retirement of an unknown offering', () => {
    expect(foldCsp([cspEv.offeringAdded()])).toEqual({ status: 'none' });
    expect(foldCsp([...cspHistory.registered, cspEv.offeringRetired('off-nope')])).toEqual(foldCsp(cspHistory.registered));
  });
});
