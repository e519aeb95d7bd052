import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import type { CspCommandOf } from '../../domain/csp/commands';
import type { CspEvent, CspEventOf } from '../../domain/csp/events';
import { CSP_ID, GOV_CLOUD, at, cspActors as who, cspCmd, cspHistory, givenCsp } from './csp-fixtures';

const APPLICATION = 'APP-1';
const KARACHI_ONLY = [{ city: 'Karachi', country: 'PK' }];

const standing = (held: boolean, data: Partial<CspCommandOf<'RecordAccreditationStanding'>['data']> = {}): CspCommandOf<'RecordAccreditationStanding'> => ({
  type: 'RecordAccreditationStanding',
  actor: SYSTEM_ACTOR,
  data: { applicationId: APPLICATION, cspId: CSP_ID, offeringId: GOV_CLOUD.offeringId, status: held ? 'accredited' : 'revoked', held, ...data },
});

const approvedChange = (data: Partial<CspCommandOf<'ApplyApprovedChange'>['data']> = {}): CspCommandOf<'ApplyApprovedChange'> => ({
  type: 'ApplyApprovedChange',
  actor: SYSTEM_ACTOR,
  data: {
    changeId: 'CHG-1',
    cspId: CSP_ID,
    offeringId: GOV_CLOUD.offeringId,
    status: 'approved',
    decidedBy: 'u-director',
    offeringChanges: { dataCentres: KARACHI_ONLY },
    ...data,
  },
});

const held: CspEventOf<'OfferingAccreditationHeld'> = {
  type: 'OfferingAccreditationHeld',
  data: { offeringId: GOV_CLOUD.offeringId, applicationId: APPLICATION, status: 'accredited' },
};
const accredited: CspEvent[] = [...cspHistory.withOffering, held];

const changedByApproval: CspEventOf<'OfferingUpdated'> = {
  type: 'OfferingUpdated',
  data: { ...GOV_CLOUD, dataCentres: KARACHI_ONLY, changed: ['dataCentres'], updatedBy: 'u-director', changeId: 'CHG-1' },
};

describe("the register's record of an offering's accreditation", () => {
  it('records that the offering holds an application’s accreditation, once', () => {
    const { state } = givenCsp(cspHistory.withOffering).when(standing(true), at()).then([held]);
    expect(state.status === 'registered' && state.offerings[GOV_CLOUD.offeringId]?.heldBy).toEqual([APPLICATION]);
    givenCsp(accredited).when(standing(true), at()).then([]);
  });

  it('releases the offering when the accreditation ends, and records nothing for an application it never held', () => {
    const { state } = givenCsp(accredited)
      .when(standing(false), at())
      .then([{ type: 'OfferingAccreditationReleased', data: { offeringId: GOV_CLOUD.offeringId, applicationId: APPLICATION, status: 'revoked' } }]);
    expect(state.status === 'registered' && state.offerings[GOV_CLOUD.offeringId]?.heldBy).toBeUndefined();
    givenCsp(cspHistory.withOffering).when(standing(false), at()).then([]);
  });

  it("is refused for another CSP's application and to anyone but the engine", () => {
    givenCsp(cspHistory.withOffering).when(standing(true, { cspId: 'csp-other' }), at()).thenRefuses('NOT_CASE_OWNER', 'cspId');
    givenCsp(cspHistory.withOffering).when({ ...standing(true), actor: who.csp }, at()).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('a direct change to an accredited offering', () => {
  it('is refused for its data centres or deployment model while it holds an accreditation, naming the field', () => {
    givenCsp(accredited).when(cspCmd.updateOffering(who.csp, { dataCentres: KARACHI_ONLY }), at()).thenRefuses('OFFERING_ACCREDITED', 'dataCentres');
    givenCsp(accredited).when(cspCmd.updateOffering(who.csp, { deploymentModel: 'public' }), at()).thenRefuses('OFFERING_ACCREDITED', 'deploymentModel');
  });

  it('is accepted for its name, and for its data centres once the accreditation is released', () => {
    givenCsp(accredited)
      .when(cspCmd.updateOffering(who.csp, { name: 'Nimbus GovCloud' }), at())
      .then([{ type: 'OfferingUpdated', data: { ...GOV_CLOUD, name: 'Nimbus GovCloud', changed: ['name'], updatedBy: 'u-csp' } }]);
    const released: CspEvent = { type: 'OfferingAccreditationReleased', data: { ...held.data, status: 'expired' } };
    givenCsp([...accredited, released])
      .when(cspCmd.updateOffering(who.csp, { dataCentres: KARACHI_ONLY }), at())
      .then([{ type: 'OfferingUpdated', data: { ...GOV_CLOUD, dataCentres: KARACHI_ONLY, changed: ['dataCentres'], updatedBy: 'u-csp' } }]);
  });
});

describe('an approved significant change taking effect', () => {
  it('updates the accredited offering, naming the change and the director who approved it, and keeps the accreditation', () => {
    const { state } = givenCsp(accredited).when(approvedChange(), at()).then([changedByApproval]);
    expect(state.status === 'registered' && state.offerings[GOV_CLOUD.offeringId]).toMatchObject({
      dataCentres: KARACHI_ONLY,
      heldBy: [APPLICATION],
      appliedChanges: ['CHG-1'],
    });
  });

  it('takes effect once: the same change again records nothing', () => {
    givenCsp([...accredited, changedByApproval]).when(approvedChange(), at()).then([]);
  });

  it('is refused for a change that was rejected or is still undecided, and records nothing for one that changes no field', () => {
    givenCsp(accredited).when(approvedChange({ status: 'rejected' }), at()).thenRefuses('CHANGE_WRONG_STATE');
    givenCsp(accredited).when(approvedChange({ status: 'awaiting-decision' }), at()).thenRefuses('CHANGE_WRONG_STATE');
    givenCsp(accredited).when(approvedChange({ offeringChanges: { dataCentres: GOV_CLOUD.dataCentres } }), at()).then([]);
  });

  it("is refused for another CSP's change, for an offering this CSP does not have, and to anyone but the engine", () => {
    givenCsp(accredited).when(approvedChange({ cspId: 'csp-other' }), at()).thenRefuses('NOT_CASE_OWNER', 'cspId');
    givenCsp(accredited).when(approvedChange({ offeringId: 'off-elsewhere' }), at()).thenRefuses('OFFERING_NOT_FOUND', 'offeringId');
    givenCsp(accredited).when({ ...approvedChange(), actor: who.csp }, at()).thenRefuses('ROLE_NOT_ALLOWED');
  });
});
