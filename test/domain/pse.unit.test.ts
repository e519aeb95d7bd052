import { actors as who } from './noc-fixtures';
import { LATER, NOW, PSE, PSE_ID, answer, at, givenPse, pseCmd, pseEv } from './pse-fixtures';

describe('registering a PSE', () => {
  it('by an administrator puts the entity, its ministry and jurisdiction on the register', () => {
    const { state } = givenPse([]).when(pseCmd.register(), at()).then([pseEv.registered()]);
    expect(state).toEqual({ status: 'registered', pseId: PSE_ID, ...PSE, registeredBy: 'u-admin', registeredAt: NOW, procurements: {} });
  });

  it("is refused to anyone but an administrator or the province's provincial officers, the entity itself included", () => {
    for (const actor of [who.pse, who.reviewer, who.director, who.csp, who.auditor]) {
      givenPse([]).when(pseCmd.register(actor), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it("by a provincial officer puts an entity of the officer's own province on the register", () => {
    const command = { ...pseCmd.register(who.punjabOfficer), data: { ...pseCmd.register().data, jurisdiction: 'punjab' as const } };
    const { state } = givenPse([]).when(command, at()).then([
      { type: 'PseRegistered', data: { ...command.data, registeredBy: who.punjabOfficer.userId, registeredAt: NOW } },
    ]);
    expect(state.status === 'registered' && state.jurisdiction).toBe('punjab');
  });

  it("is refused to a provincial officer for another jurisdiction's entity, naming the field", () => {
    givenPse([]).when(pseCmd.register(who.punjabOfficer), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
    const sindh = { ...pseCmd.register(who.punjabOfficer), data: { ...pseCmd.register().data, jurisdiction: 'sindh' as const } };
    givenPse([]).when(sindh, at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
  });

  it('is refused to a provincial administrator for an entity outside that province, and allowed to a federal one for any', () => {
    const punjabAdmin = { ...who.admin, jurisdiction: 'punjab' as const };
    givenPse([]).when(pseCmd.register(punjabAdmin), at()).thenRefuses('OUTSIDE_JURISDICTION', 'jurisdiction');
    const sindh = { ...pseCmd.register(), data: { ...pseCmd.register().data, jurisdiction: 'sindh' as const } };
    givenPse([]).when(sindh, at()).then([{ type: 'PseRegistered', data: { ...sindh.data, registeredBy: 'u-admin', registeredAt: NOW } }]);
  });

  it('is refused when the entity is already registered', () => {
    givenPse([pseEv.registered()]).when(pseCmd.register(), at()).thenRefuses('PSE_ALREADY_REGISTERED', 'pseId');
  });
});

describe('recording a procurement', () => {
  it('keeps the workload with what the check said when it was allowed', () => {
    const { state } = givenPse([pseEv.registered()]).when(pseCmd.record(who.pse, answer('allowed')), at()).then([pseEv.recorded()]);
    expect(state.status === 'registered' && state.procurements['proc-1']?.status).toBe('active');
  });

  it('keeps the NOC that permits a procurement allowed by a NOC', () => {
    givenPse([pseEv.registered()])
      .when(pseCmd.record(who.pseColleague, answer('allowed-by-noc', { dataClass: 'restricted' })), at())
      .then([
        {
          type: 'ProcurementRecorded',
          data: {
            procurementId: 'proc-1',
            offeringId: 'off-gov',
            dataClass: 'restricted',
            system: 'e-Office',
            check: {
              decision: 'allowed-by-noc',
              reasons: ['HOSTING_RULE_NOT_MET', 'NOC_COVERS'],
              noc: { nocId: 'noc-1', validUntil: '2026-03-01T00:00:00.000Z' },
              evaluatedAt: NOW,
            },
            recordedBy: 'u-pse-2',
            recordedAt: NOW,
          },
        },
      ]);
  });

  it('is refused with the failed reasons when the check denies it', () => {
    const refusal = givenPse([pseEv.registered()]).when(pseCmd.record(who.pse, answer('denied')), at()).thenRefuses('PROCUREMENT_DENIED', 'offeringId');
    expect(refusal.kind).toBe('rule');
    expect(refusal.message).toContain('HOSTING_RULE_NOT_MET, OFFERING_NOT_ACCREDITED, NO_NOC_COVERS');
  });

  it('is refused when the answer is about another entity, offering or data class', () => {
    for (const other of [{ pseId: 'pse-other' }, { offeringId: 'off-other' }]) {
      const command = pseCmd.record(who.pse, answer('allowed', other));
      givenPse([pseEv.registered()])
        .when({ ...command, data: { ...command.data, offeringId: 'off-gov' } }, at())
        .thenRefuses('VALIDATION_FAILED', 'check');
    }
    const command = pseCmd.record(who.pse, answer('allowed', { dataClass: 'open' }));
    givenPse([pseEv.registered()]).when({ ...command, data: { ...command.data, dataClass: 'public' } }, at()).thenRefuses('VALIDATION_FAILED', 'check');
  });

  it('is refused when the procurement id is taken, even by an ended procurement', () => {
    givenPse([pseEv.registered(), pseEv.recorded()]).when(pseCmd.record(who.pse, answer('allowed')), at()).thenRefuses('PROCUREMENT_ALREADY_EXISTS');
    const ended = { type: 'ProcurementEnded' as const, data: { procurementId: 'proc-1', reason: 'gone', endedBy: 'u-pse', endedAt: NOW } };
    givenPse([pseEv.registered(), pseEv.recorded(), ended]).when(pseCmd.record(who.pse, answer('allowed')), at()).thenRefuses('PROCUREMENT_ALREADY_EXISTS');
  });

  it("is refused to another entity's officers and to anyone who is not a PSE officer", () => {
    givenPse([pseEv.registered()]).when(pseCmd.record(who.otherPse, answer('allowed')), at()).thenRefuses('NOT_CASE_OWNER');
    for (const actor of [who.admin, who.reviewer, who.csp]) {
      givenPse([pseEv.registered()]).when(pseCmd.record(actor, answer('allowed')), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused for an entity that is not registered', () => {
    givenPse([]).when(pseCmd.record(who.pse, answer('allowed')), at()).thenRefuses('PSE_NOT_REGISTERED');
  });
});

describe('ending a procurement', () => {
  it('marks the workload as gone from the offering', () => {
    const { state } = givenPse([pseEv.registered(), pseEv.recorded()])
      .when(pseCmd.end(who.pse), at(LATER))
      .then([{ type: 'ProcurementEnded', data: { procurementId: 'proc-1', reason: 'Moved to another offering', endedBy: 'u-pse', endedAt: LATER } }]);
    expect(state.status === 'registered' && state.procurements['proc-1']).toMatchObject({ status: 'ended', endedAt: LATER });
  });

  it('is refused for an unknown or already ended procurement', () => {
    givenPse([pseEv.registered()]).when(pseCmd.end(who.pse), at()).thenRefuses('PROCUREMENT_NOT_FOUND', 'procurementId');
    const ended = { type: 'ProcurementEnded' as const, data: { procurementId: 'proc-1', reason: 'gone', endedBy: 'u-pse', endedAt: NOW } };
    givenPse([pseEv.registered(), pseEv.recorded(), ended]).when(pseCmd.end(who.pse), at(LATER)).thenRefuses('PROCUREMENT_ENDED');
  });
});
