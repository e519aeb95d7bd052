import type { PseCommandOf } from '../../domain/pse/commands';
import type { PseEvent } from '../../domain/pse/events';
import type { Actor } from '../../domain/shared/actor';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { actors as who } from './noc-fixtures';
import { LATER, NOW, PSE, PSE_ID, answer, at, givenPse, pseCmd, pseEv } from './pse-fixtures';

const correct = (actor: Actor, data: { name?: string; ministry?: string }, reason = 'Renamed by notification'): PseCommandOf<'CorrectPseDetails'> => ({
  type: 'CorrectPseDetails',
  actor,
  data: { ...data, reason },
});
const move = (actor: Actor, jurisdiction: Jurisdiction, reason = 'Devolved under the 18th Amendment'): PseCommandOf<'ChangePseJurisdiction'> => ({
  type: 'ChangePseJurisdiction',
  actor,
  data: { jurisdiction, reason },
});

const punjabEntity = (): PseEvent => ({
  type: 'PseRegistered',
  data: { pseId: 'pse-pitb', name: 'Punjab IT Board', ministry: 'S&GAD Punjab', jurisdiction: 'punjab', registeredBy: 'u-pb-1', registeredAt: NOW },
});
const moved = (jurisdiction: Jurisdiction, was: Jurisdiction): PseEvent => ({
  type: 'PseJurisdictionChanged',
  data: { jurisdiction, was, reason: 'Devolved under the 18th Amendment', changedBy: 'u-admin', changedAt: NOW },
});

describe("correcting an entity's name and ministry", () => {
  it('by a federal administrator records both as they now read and as they read before, and the entry shows the correction', () => {
    const { state } = givenPse([pseEv.registered()])
      .when(correct(who.admin, { name: 'Ministry of IT & Telecommunication' }), at(LATER))
      .then([
        {
          type: 'PseDetailsCorrected',
          data: {
            name: 'Ministry of IT & Telecommunication',
            ministry: PSE.ministry,
            was: { name: PSE.name, ministry: PSE.ministry },
            reason: 'Renamed by notification',
            correctedBy: 'u-admin',
            correctedAt: LATER,
          },
        },
      ]);
    expect(state).toMatchObject({ name: 'Ministry of IT & Telecommunication', ministry: PSE.ministry, jurisdiction: 'federal' });
    expect(state.status === 'registered' && state.amendments).toEqual([
      {
        kind: 'details-corrected',
        at: LATER,
        by: 'u-admin',
        reason: 'Renamed by notification',
        from: { name: PSE.name },
        to: { name: 'Ministry of IT & Telecommunication' },
      },
    ]);
  });

  it("by a provincial officer corrects an entity of the officer's own province, the ministry alone included", () => {
    const { state } = givenPse([punjabEntity()])
      .when(correct(who.punjabOfficer, { ministry: 'Services and General Administration Department' }), at(LATER))
      .then([
        {
          type: 'PseDetailsCorrected',
          data: {
            name: 'Punjab IT Board',
            ministry: 'Services and General Administration Department',
            was: { name: 'Punjab IT Board', ministry: 'S&GAD Punjab' },
            reason: 'Renamed by notification',
            correctedBy: 'u-pb-1',
            correctedAt: LATER,
          },
        },
      ]);
    expect(state.status === 'registered' && state.ministry).toBe('Services and General Administration Department');
  });

  it("is refused to another province's officer and to a provincial administrator outside their province, naming the jurisdiction", () => {
    givenPse([punjabEntity()]).when(correct(who.sindhOfficer, { name: 'PITB' }), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
    givenPse([pseEv.registered()]).when(correct(who.punjabOfficer, { name: 'MoITT' }), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
    const sindhAdmin: Actor = { ...who.admin, userId: 'u-sd-admin', jurisdiction: 'sindh' };
    givenPse([punjabEntity()]).when(correct(sindhAdmin, { name: 'PITB' }), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
  });

  it("is refused to the entity's own officers and to staff who do not keep the register", () => {
    for (const actor of [who.pse, who.reviewer, who.director, who.auditor, who.csp]) {
      givenPse([pseEv.registered()]).when(correct(actor, { name: 'MoITT' }), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused when it leaves the name and ministry as they are, naming the field', () => {
    givenPse([pseEv.registered()]).when(correct(who.admin, { name: PSE.name }), at()).thenRefuses('PSE_UNCHANGED', 'name');
    givenPse([pseEv.registered()]).when(correct(who.admin, { ministry: PSE.ministry }), at()).thenRefuses('PSE_UNCHANGED', 'ministry');
    givenPse([pseEv.registered()]).when(correct(who.admin, {}), at()).thenRefuses('PSE_UNCHANGED', 'ministry');
  });

  it('is refused for an entity that is not registered', () => {
    givenPse([]).when(correct(who.admin, { name: 'MoITT' }), at()).thenRefuses('PSE_NOT_REGISTERED');
  });
});

describe('moving an entity to another jurisdiction', () => {
  it('by a federal administrator records the new jurisdiction and the one it leaves, and the entry shows the move', () => {
    const { state } = givenPse([punjabEntity()])
      .when(move(who.admin, 'federal'), at(LATER))
      .then([
        {
          type: 'PseJurisdictionChanged',
          data: { jurisdiction: 'federal', was: 'punjab', reason: 'Devolved under the 18th Amendment', changedBy: 'u-admin', changedAt: LATER },
        },
      ]);
    expect(state.status === 'registered' && state.jurisdiction).toBe('federal');
    expect(state.status === 'registered' && state.amendments).toEqual([
      { kind: 'jurisdiction-changed', at: LATER, by: 'u-admin', reason: 'Devolved under the 18th Amendment', from: { jurisdiction: 'punjab' }, to: { jurisdiction: 'federal' } },
    ]);
  });

  it("is refused to the province's own officers, either way, and to a provincial administrator", () => {
    givenPse([punjabEntity()]).when(move(who.punjabOfficer, 'sindh'), at()).thenRefuses('ROLE_NOT_ALLOWED');
    givenPse([pseEv.registered()]).when(move(who.punjabOfficer, 'punjab'), at()).thenRefuses('ROLE_NOT_ALLOWED');
    const punjabAdmin: Actor = { ...who.admin, userId: 'u-pb-admin', jurisdiction: 'punjab' };
    givenPse([punjabEntity()]).when(move(punjabAdmin, 'sindh'), at()).thenRefuses('ROLE_NOT_ALLOWED');
    for (const actor of [who.pse, who.director, who.reviewer]) {
      givenPse([pseEv.registered()]).when(move(actor, 'sindh'), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused when the entity is already in that jurisdiction, naming the field', () => {
    givenPse([punjabEntity()]).when(move(who.admin, 'punjab'), at()).thenRefuses('PSE_UNCHANGED', 'jurisdiction');
    givenPse([punjabEntity(), moved('sindh', 'punjab')]).when(move(who.admin, 'sindh'), at()).thenRefuses('PSE_UNCHANGED', 'jurisdiction');
  });

  it("hands the entry to the new province's officers and takes it from the old one's", () => {
    const history = [punjabEntity(), moved('sindh', 'punjab')];
    givenPse(history).when(correct(who.punjabOfficer, { name: 'PITB' }), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
    givenPse(history)
      .when(correct(who.sindhOfficer, { name: 'Sindh IT Board' }), at(LATER))
      .then([
        {
          type: 'PseDetailsCorrected',
          data: {
            name: 'Sindh IT Board',
            ministry: 'S&GAD Punjab',
            was: { name: 'Punjab IT Board', ministry: 'S&GAD Punjab' },
            reason: 'Renamed by notification',
            correctedBy: 'u-sd-1',
            correctedAt: LATER,
          },
        },
      ]);
  });

  it("leaves the entity's procurements as they were, and its officers keep recording them", () => {
    const { state } = givenPse([pseEv.registered(), pseEv.recorded(), moved('punjab', 'federal')])
      .when(pseCmd.record(who.pse, answer('allowed'), 'proc-2'), at(LATER))
      .then([
        {
          type: 'ProcurementRecorded',
          data: {
            procurementId: 'proc-2',
            offeringId: 'off-gov',
            dataClass: 'public',
            system: 'e-Office',
            check: { decision: 'allowed', reasons: ['HOSTING_RULE_MET', 'CSP_REGISTERED'], evaluatedAt: NOW },
            recordedBy: 'u-pse',
            recordedAt: LATER,
          },
        },
      ]);
    expect(state.status === 'registered' && Object.keys(state.procurements)).toEqual(['proc-1', 'proc-2']);
    expect(state.status === 'registered' && state.pseId).toBe(PSE_ID);
  });
});
