import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { ChangeCase } from '../../domain/compliance/change-state';
import { C, CHANGE, actors, at, ccmd, cev, givenChange as given } from './compliance-fixtures';

const requestedEvent = (plannedFor: string) => ({
  type: 'SignificantChangeRequested' as const,
  data: { ...CHANGE, plannedFor, requestedBy: 'u-csp', requestedAt: C.requested },
});

describe('requesting a significant change', () => {
  it('records a change notified with enough notice', () => {
    const { state } = given([]).when(ccmd.request(), at(C.requested)).then([requestedEvent(C.plannedWithNotice)]);
    expect(state).toMatchObject({ status: 'requested', lateNotice: false });
  });

  it('accepts exactly the required notice', () => {
    given([]).when(ccmd.request(actors.csp, { ...CHANGE, plannedFor: C.plannedAtLimit }), at(C.requested)).then([requestedEvent(C.plannedAtLimit)]);
  });

  it('records a finding when notified less than 30 days ahead', () => {
    const { state } = given([])
      .when(ccmd.request(actors.csp, { ...CHANGE, plannedFor: C.plannedLate }), at(C.requested))
      .then([
        requestedEvent(C.plannedLate),
        { type: 'SignificantChangeNotifiedLate', data: { applicationId: 'APP-1', noticeDays: 10, requiredDays: 30 } },
      ]);
    expect((state as ChangeCase).lateNotice).toBe(true);
  });

  it('counts a change notified after it was made as late, with negative notice', () => {
    given([])
      .when(ccmd.request(actors.csp, { ...CHANGE, plannedFor: '2025-05-30T09:00:00.000Z' }), at(C.requested))
      .then([
        requestedEvent('2025-05-30T09:00:00.000Z'),
        { type: 'SignificantChangeNotifiedLate', data: { applicationId: 'APP-1', noticeDays: -2, requiredDays: 30 } },
      ]);
  });

  it('follows the pinned notice period', () => {
    given([])
      .when(ccmd.request(actors.csp, { ...CHANGE, plannedFor: C.plannedLate }), at(C.requested, { ...DEFAULT_COMPLIANCE_POLICY, significantChangeNoticeDays: 7 }))
      .then([requestedEvent(C.plannedLate)]);
  });

  it('refuses another provider requesting for this one', () => {
    given([]).when(ccmd.request(actors.otherCsp), at(C.requested)).thenRefuses('NOT_CASE_OWNER');
  });

  it('refuses anyone but a provider requesting', () => {
    given([]).when(ccmd.request(actors.reviewer), at(C.requested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a second request under the same id', () => {
    given([cev.requested()]).when(ccmd.request(), at(C.requested)).thenRefuses('CHANGE_ALREADY_EXISTS', 'changeId');
  });
});

describe('reviewing and deciding a significant change', () => {
  it('takes a reviewer recommendation, then waits for the director', () => {
    const { state } = given([cev.requested()]).when(ccmd.recommend(), at(C.requested)).then([cev.recommended()]);
    expect(state.status).toBe('awaiting-decision');
  });

  it('refuses anyone but a reviewer recommending', () => {
    given([cev.requested()]).when(ccmd.recommend(actors.director), at(C.requested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a second recommendation', () => {
    given([cev.requested(), cev.recommended()]).when(ccmd.recommend(actors.reviewer2), at(C.requested)).thenRefuses('CHANGE_WRONG_STATE');
  });

  it('lets the director approve', () => {
    const { state } = given([cev.requested(), cev.recommended()])
      .when(ccmd.decide(), at(C.requested))
      .then([{ type: 'SignificantChangeApproved', data: { applicationId: 'APP-1', reasons: 'On the file', decidedBy: 'u-dir', decidedByName: 'Person u-dir' } }]);
    expect(state.status).toBe('approved');
  });

  it('lets the director reject', () => {
    const { state } = given([cev.requested(), cev.recommended()])
      .when(ccmd.decide(actors.director, 'reject'), at(C.requested))
      .then([{ type: 'SignificantChangeRejected', data: { applicationId: 'APP-1', reasons: 'On the file', decidedBy: 'u-dir', decidedByName: 'Person u-dir' } }]);
    expect(state.status).toBe('rejected');
  });

  it('refuses a decision before the recommendation', () => {
    given([cev.requested()]).when(ccmd.decide(), at(C.requested)).thenRefuses('CHANGE_WRONG_STATE');
  });

  it('refuses anyone but a director deciding', () => {
    given([cev.requested(), cev.recommended()]).when(ccmd.decide(actors.reviewer2), at(C.requested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a director deciding a change they recommended on', () => {
    const recommendedByDirector = { type: 'SignificantChangeRecommended' as const, data: { recommendation: 'approve' as const, reasons: 'Fine', recommendedBy: 'u-dir', recommendedByName: 'Person u-dir' } };
    given([cev.requested(), recommendedByDirector]).when(ccmd.decide(), at(C.requested)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses deciding twice', () => {
    const approved = { type: 'SignificantChangeApproved' as const, data: { applicationId: 'APP-1', reasons: 'On the file', decidedBy: 'u-dir', decidedByName: 'Person u-dir' } };
    given([cev.requested(), cev.recommended(), approved]).when(ccmd.decide(), at(C.requested)).thenRefuses('CHANGE_WRONG_STATE');
  });

  it('refuses acting on a change that was never requested', () => {
    given([]).when(ccmd.recommend(), at(C.requested)).thenRefuses('CHANGE_NOT_REQUESTED');
  });
});
