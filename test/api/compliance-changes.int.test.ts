import { startStack, type Stack } from '../support/stack';
import { ACCOUNTS, CSP_ID, PASSWORD, accreditedOffering, apiClient, errorOf, eventually, type ApiClient } from './compliance-api-support';

/**
 * A significant change through the HTTP API on the dev server: the provider notifies it too late,
 * which opens a compliance review by itself; a reviewer recommends and a director decides; the
 * compliance dashboard counts the late notice. Other providers see none of it.
 */
const TASK_QUEUE = 'api-compliance-changes';
const DAY = 24 * 60 * 60 * 1000;

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  api = await apiClient(stack);
});

afterAll(async () => {
  await stack?.close();
});

type ChangeState = { status: string; lateNotice: boolean; change: { changeId: string; offeringId: string; cspId: string } };

describe('a significant change through the API', () => {
  it('records a late notice, opens a review for it, and is recommended and decided by two people', async () => {
    const { call, ok, projected } = api;
    const applicationId = await accreditedOffering(api);
    const change = {
      applicationId,
      kind: 'data-centre-location',
      description: 'Move the primary region from Islamabad to Lahore',
      plannedFor: new Date(Date.now() + 10 * DAY).toISOString(),
    };

    const bad = await call('POST', '/api/changes', 'csp', { ...change, plannedFor: 'soon' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'plannedFor' });
    expect(errorOf(await call('POST', '/api/changes', 'otherCsp', change))?.code).toBe('NOT_FOUND');
    expect(errorOf(await call('POST', '/api/changes', 'reviewer', change))?.code).toBe('ROLE_NOT_ALLOWED');

    const requested = (await ok('POST', '/api/changes', 'csp', change)).state as ChangeState;
    expect(requested).toMatchObject({ status: 'requested', lateNotice: true, change: { offeringId: 'off-gov', cspId: CSP_ID } });
    const changeId = requested.change.changeId;
    expect(changeId).toMatch(/^CHG-\d{4}-[0-9A-Z]{8}$/);
    expect((await call('GET', `/api/changes/${changeId}`, 'otherCsp')).status).toBe(404);

    // Ten days' notice where thirty are required: a compliance review of the lateness opens by itself.
    const lateReview = `/api/reviews/${applicationId}-change-${changeId}`;
    const review = await eventually(
      () => call('GET', lateReview, 'reviewer'),
      (res) => res.status === 200,
      'the review of the late notice',
    );
    expect((review.body.live as { state: { trigger: string; status: string } }).state).toMatchObject({ trigger: 'significant-change', status: 'opened' });

    const early = await call('POST', `/api/changes/${changeId}/decide`, 'director', { decision: 'approve', reasons: 'Fine' });
    expect(errorOf(early)?.code).toBe('CHANGE_WRONG_STATE');
    await ok('POST', `/api/changes/${changeId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Same controls in Lahore' });
    const decided = (await ok('POST', `/api/changes/${changeId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed' })).state as ChangeState;
    expect(decided.status).toBe('approved');

    const detail = await ok('GET', `/api/changes/${changeId}`, 'csp');
    expect((detail.history as { type: string }[]).map((e) => e.type)).toEqual([
      'SignificantChangeRequested',
      'SignificantChangeNotifiedLate',
      'SignificantChangeRecommended',
      'SignificantChangeApproved',
    ]);

    await projected();
    const rows = (await ok('GET', '/api/compliance/dashboard?offering=off-gov', 'director')).items as {
      applicationId: string;
      significantChanges: { changeId: string; status: string; notifiedLate: boolean }[];
    }[];
    expect(rows.find((r) => r.applicationId === applicationId)?.significantChanges).toEqual([
      expect.objectContaining({ changeId, status: 'approved', notifiedLate: true }),
    ]);
  });
});
