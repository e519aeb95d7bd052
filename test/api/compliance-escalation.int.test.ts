import { followServerClock } from '../support/command-keys';
import { startStack, type Stack } from '../support/stack';
import { timeSkippingEnv } from '../support/temporal';
import { timeSkippingApiDeps } from '../support/time-skipping-stack';
import { ACCOUNTS, CSP_ID, PASSWORD, accreditedOffering, apiClient, errorOf, eventually, type ApiClient } from './compliance-api-support';

/**
 * The escalation path of a compliance review through the HTTP API (SPEC §3.2): a reviewer opens an
 * incident review of an accredited offering and requests evidence; the provider does not deliver;
 * 30 days later the review escalates by itself; the director's queue shows the decision; the
 * director suspends, and the accreditation's own process suspends it, which the public list, its
 * change log and the compliance dashboard all show.
 *
 * The 30 days pass on Temporal's time-skipping test server, with the rest of the stack as in
 * production. That server has no visibility store (listing workflows fails), and the only listing
 * on this path is the accreditation gateway's cooling-off look-up of the offering's rejected
 * applications: this test's gateway sees an empty list (test/support/time-skipping-stack.ts), which is
 * the truth here (nothing was rejected).
 * One scenario per file: a second long case in the same file hangs the time-skipping server.
 */
const TASK_QUEUE = 'api-compliance-escalation';
const DAY = 24 * 60 * 60 * 1000;

let stack: Stack;
let api: ApiClient;

beforeAll(async () => {
  stack = await startStack({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    password: PASSWORD,
    env: timeSkippingEnv(),
    apiDeps: timeSkippingApiDeps,
  });
  api = await apiClient(stack);
});

afterAll(async () => {
  await stack?.close();
});

type ReviewDetail = { live: { state: { status: string; evidenceDueBy?: string; escalation?: { reason: string } } }; history: { type: string }[] };

describe('the escalation path of a compliance review through the API', () => {
  it('escalates an incident review whose evidence is overdue, and the director suspends the accreditation', async () => {
    const { call, ok, projected } = api;
    const applicationId = await accreditedOffering(api);

    // The reviewer opens an incident review; the offering and provider come from the accreditation.
    const bad = await call('POST', '/api/reviews', 'reviewer', { applicationId, trigger: 'incident' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'description' });
    expect(errorOf(await call('POST', '/api/reviews', 'csp', { applicationId, trigger: 'incident', description: 'x' }))?.code).toBe('ROLE_NOT_ALLOWED');
    const opened = await ok('POST', '/api/reviews', 'reviewer', {
      applicationId,
      trigger: 'incident',
      description: 'Six hours of outage of the Islamabad data centre, reported by two PSEs',
    });
    const subject = (opened.state as { subject: { reviewId: string; offeringId: string; cspId: string } }).subject;
    expect(subject).toMatchObject({ offeringId: 'off-gov', cspId: CSP_ID });
    const reviewId = subject.reviewId;
    expect(reviewId).toMatch(/^REV-\d{4}-[0-9A-Z]{8}$/);
    const review = `/api/reviews/${reviewId}`;

    const requested = await ok('POST', `${review}/request-evidence`, 'reviewer', { request: 'The incident report and the root cause analysis' });
    const dueBy = (requested.state as { evidenceDueBy: string }).evidenceDueBy;
    // Nobody may decide yet: the review is not escalated.
    expect(errorOf(await call('POST', `${review}/decide-suspend`, 'director', { reasons: 'Too early' }))?.code).toBe('REVIEW_WRONG_STATE');
    expect((await call('GET', review, 'otherCsp')).status).toBe(404);

    // The provider delivers nothing; the evidence deadline passes on the server's clock.
    const skip = Date.parse(dueBy) + DAY - (await stack.env.currentTimeMs());
    expect(skip).toBeGreaterThan(29 * DAY);
    await stack.env.sleep(skip);
    await followServerClock(stack.env);
    const escalated = await eventually(
      async () => (await ok('GET', review, 'csp')) as unknown as ReviewDetail,
      (d) => d.live.state.status === 'escalated',
      'the review to escalate',
    );
    expect(escalated.live.state.escalation).toMatchObject({ reason: 'evidence-overdue' });
    expect(escalated.history.map((e) => e.type)).toEqual(['ReviewOpened', 'ReviewEvidenceRequested', 'ReviewEvidenceOverdue', 'ReviewEscalated']);

    // The director's compliance queue holds the decision; the reviewer's does not.
    await projected();
    const queue = (await ok('GET', '/api/compliance/queue', 'director')).items as { reviewId: string; kind: string; applicationId: string }[];
    expect(queue).toContainEqual(expect.objectContaining({ reviewId, kind: 'decide-escalation', applicationId }));
    const reviewerQueue = (await ok('GET', '/api/compliance/queue', 'reviewer')).items as { reviewId: string; kind: string }[];
    expect(reviewerQueue.filter((t) => t.reviewId === reviewId)).toEqual([]);

    // Only a director decides, and only with a body the decision takes.
    const byReviewer = await call('POST', `${review}/decide-suspend`, 'reviewer', { reasons: 'No evidence' });
    expect({ status: byReviewer.status, code: errorOf(byReviewer)?.code }).toEqual({ status: 403, code: 'ROLE_NOT_ALLOWED' });
    const byProvider = await call('POST', `${review}/decide-suspend`, 'csp', { reasons: 'No evidence' });
    expect({ status: byProvider.status, code: errorOf(byProvider)?.code }).toEqual({ status: 403, code: 'ROLE_NOT_ALLOWED' });
    const badExtension = await call('POST', `${review}/extend-deadline`, 'director', { newDeadline: 'next week', reasons: 'Asked nicely' });
    expect(badExtension.status).toBe(400);
    expect(errorOf(badExtension)).toMatchObject({ code: 'VALIDATION_FAILED', field: 'newDeadline' });

    const suspended = await ok('POST', `${review}/decide-suspend`, 'director', { reasons: 'No evidence on a six-hour outage within 30 days' });
    expect((suspended.state as { status: string }).status).toBe('suspended');

    // The accreditation's own process takes the measure: one source of truth per accreditation.
    const accreditation = await eventually(
      () => ok('GET', `/api/accreditations/${applicationId}`, 'director'),
      (d) => (d.live as { state: { status: string } }).state.status === 'suspended',
      'the accreditation to be suspended',
    );
    expect((accreditation.history as { type: string }[]).map((e) => e.type)).toContain('AccreditationSuspended');
    expect((accreditation.live as { complianceRefusals: unknown[] }).complianceRefusals).toEqual([]);

    // The public read side and the dashboard show it.
    await eventually(
      async () => {
        await projected();
        return call('GET', '/api/accredited-list');
      },
      (res) => (res.body.items as { applicationId: string; status: string }[]).some((r) => r.applicationId === applicationId && r.status === 'suspended'),
      'the accredited list to show the suspension',
    );
    const changes = (await call('GET', '/api/accredited-list/changes?offering=off-gov')).body.items as { to: string; reasons: string; decidedBy: { name: string | null; role: string } }[];
    expect(changes).toContainEqual(
      expect.objectContaining({ to: 'suspended', reasons: 'No evidence on a six-hour outage within 30 days', decidedBy: { name: 'Dawood Director', role: 'director' } }),
    );

    const dashboard = (await ok('GET', `/api/compliance/dashboard?offering=off-gov`, 'director')).items as {
      applicationId: string;
      accreditationStatus: string | null;
      escalations: { reviewId: string; reason: string; outcome: string | null }[];
      lastReview: { reviewId: string; trigger: string; status: string } | null;
    }[];
    const row = dashboard.find((r) => r.applicationId === applicationId);
    expect(row).toMatchObject({
      accreditationStatus: 'suspended',
      escalations: [expect.objectContaining({ reviewId, reason: 'evidence-overdue', outcome: 'suspended' })],
      lastReview: expect.objectContaining({ reviewId, trigger: 'incident', status: 'suspended' }),
    });
    // The provider sees its own row; the director's decision left the queue.
    expect(((await ok('GET', '/api/compliance/dashboard', 'csp')).items as { applicationId: string }[]).map((r) => r.applicationId)).toContain(applicationId);
    expect(((await ok('GET', '/api/compliance/queue', 'director')).items as { reviewId: string }[]).filter((t) => t.reviewId === reviewId)).toEqual([]);
  });
});
