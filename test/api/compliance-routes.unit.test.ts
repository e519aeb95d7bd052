import type { FastifyInstance } from 'fastify';
import type { ComplianceGateway, OpenReviewPayload } from '../../api/compliance-gateway';
import { buildApi } from '../../api/server';
import { loadConfig } from '../../config/config';
import {
  decideChange,
  decideMonitoring,
  decideReview,
  foldChange,
  foldMonitoring,
  foldReview,
  type ChangeCommand,
  type ChangeEvent,
  type MonitoringEvent,
  type ReviewCommand,
  type ReviewEvent,
} from '../../domain/compliance';
import type { Actor } from '../../domain/shared/actor';
import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { type AccountInput, type Identity } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import type { ChangeActionInput, ChangeView } from '../../workflows/compliance/change-messages';
import type { MonitoringActionInput, MonitoringView, ReviewActionInput, ReviewView } from '../../workflows/compliance/messages';
import { FakeEventStore, officeWithFakes } from './fakes';

/**
 * The review, monitoring and significant change routes over an in-memory gateway that runs the real
 * deciders and the real visibility rule, so the API answers with the refusals the processes would give.
 */
const config = loadConfig({});
const policy = config.compliancePolicy;
const PASSWORD = 'correct horse battery';
const ACCOUNTS = {
  reviewer: { username: 'reviewer', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'director', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  pse: { username: 'pse-officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
  csp: { username: 'csp-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one', displayName: 'Chaudhry CSP' },
  otherCsp: { username: 'csp-two-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-two', displayName: 'Tariq CSP' },
} as const;
type Who = keyof typeof ACCOUNTS;

const STAFF = ['reviewer', 'security-reviewer', 'director', 'auditor', 'admin'];
const canSee = (actor: Actor, cspId: string): boolean => STAFF.includes(actor.role) || (actor.role === 'csp' && actor.organisationId === cspId);
const SUBJECT = { applicationId: 'ACC-1', offeringId: 'off-gov', cspId: 'csp-one' };

class FakeComplianceGateway implements ComplianceGateway {
  readonly reviews = new Map<string, ReviewEvent[]>();
  readonly monitorings = new Map<string, MonitoringEvent[]>();
  readonly changes = new Map<string, ChangeEvent[]>();
  readonly commandIds: string[] = [];
  now = (): string => new Date().toISOString();

  private reviewView(id: string): ReviewView {
    const events = this.reviews.get(id) ?? [];
    return { state: foldReview(events), revision: events.length - 1 };
  }
  private changeView(id: string): ChangeView {
    const events = this.changes.get(id) ?? [];
    return { state: foldChange(events), revision: events.length - 1 };
  }
  private monitoringView(id: string): MonitoringView {
    const events = this.monitorings.get(id) ?? [];
    return { state: foldMonitoring(events), revision: events.length - 1 };
  }

  async openReview(actor: Actor, payload: OpenReviewPayload, commandId: string): Promise<ReviewView> {
    this.commandIds.push(commandId);
    if (payload.applicationId !== SUBJECT.applicationId) throw new DomainError('NOT_FOUND', `No application ${payload.applicationId}`, 'applicationId');
    const reviewId = `REV-TEST-${this.reviews.size + 1}`;
    const command: ReviewCommand = { type: 'OpenReview', actor, data: { ...SUBJECT, reviewId, trigger: payload.trigger, description: payload.description } };
    this.reviews.set(reviewId, decideReview(command, { status: 'none' }, { now: this.now(), policy }));
    return this.reviewView(reviewId);
  }
  async reviewAction(reviewId: string, action: ReviewActionInput): Promise<ReviewView> {
    this.commandIds.push(action.commandId);
    const events = this.reviews.get(reviewId);
    if (!events || !canSee(action.actor, SUBJECT.cspId)) throw new DomainError('NOT_FOUND', `No review ${reviewId}`);
    const command = { type: action.type, actor: action.actor, data: action.data } as ReviewCommand;
    events.push(...decideReview(command, foldReview(events), { now: this.now(), policy }));
    return this.reviewView(reviewId);
  }
  async review(actor: Actor, reviewId: string): Promise<ReviewView | undefined> {
    return this.reviews.has(reviewId) && canSee(actor, SUBJECT.cspId) ? this.reviewView(reviewId) : undefined;
  }
  async submitReport(applicationId: string, action: MonitoringActionInput): Promise<MonitoringView> {
    this.commandIds.push(action.commandId);
    const events = this.monitorings.get(applicationId);
    if (!events || !canSee(action.actor, SUBJECT.cspId)) throw new DomainError('NOT_FOUND', `No monitoring of ${applicationId}`);
    events.push(...decideMonitoring({ type: action.type, actor: action.actor, data: action.data }, foldMonitoring(events), { now: this.now(), policy }));
    return this.monitoringView(applicationId);
  }
  async monitoring(actor: Actor, applicationId: string): Promise<MonitoringView | undefined> {
    return this.monitorings.has(applicationId) && canSee(actor, SUBJECT.cspId) ? this.monitoringView(applicationId) : undefined;
  }
  async requestChange(actor: Actor, payload: Parameters<ComplianceGateway['requestChange']>[1], commandId: string): Promise<ChangeView> {
    this.commandIds.push(commandId);
    const changeId = `CHG-TEST-${this.changes.size + 1}`;
    const command: ChangeCommand = { type: 'RequestSignificantChange', actor, data: { ...payload, changeId, offeringId: SUBJECT.offeringId, cspId: SUBJECT.cspId } };
    this.changes.set(changeId, decideChange(command, { status: 'none' }, { now: this.now(), policy }));
    return this.changeView(changeId);
  }
  async changeAction(changeId: string, action: ChangeActionInput): Promise<ChangeView> {
    this.commandIds.push(action.commandId);
    const events = this.changes.get(changeId);
    if (!events) throw new DomainError('NOT_FOUND', `No change ${changeId}`);
    events.push(...decideChange({ type: action.type, actor: action.actor, data: action.data } as ChangeCommand, foldChange(events), { now: this.now(), policy }));
    return this.changeView(changeId);
  }
  async change(actor: Actor, changeId: string): Promise<ChangeView | undefined> {
    return this.changes.has(changeId) && canSee(actor, SUBJECT.cspId) ? this.changeView(changeId) : undefined;
  }
}

let app: FastifyInstance;
let identity: Identity;
let gateway: FakeComplianceGateway;
let eventStore: FakeEventStore;
const tokens = {} as Record<Who, string>;

function build(withGateway: boolean): FastifyInstance {
  return buildApi(officeWithFakes({ dataDir: config.dataDir, identity, eventStore }, withGateway ? { complianceGateway: gateway } : {}));
}

beforeAll(async () => {
  identity = await createTestIdentity();
  for (const [who, account] of Object.entries(ACCOUNTS) as [Who, (typeof ACCOUNTS)[Who]][]) {
    tokens[who] = (await seedEnrolledAccount(identity, { ...account, password: PASSWORD } as AccountInput)).token;
  }
});
afterAll(() => identity.close());

beforeEach(async () => {
  gateway = new FakeComplianceGateway();
  eventStore = new FakeEventStore();
  app = build(true);
  await app.ready();
});
afterEach(() => app.close());

async function call(method: 'GET' | 'POST', url: string, who?: Who, body?: unknown, headers: Record<string, string> = {}) {
  const res = await app.inject({
    method,
    url,
    headers: { ...headers, ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; field?: string } } };
}
const stateOf = (res: { body: Record<string, unknown> }): Record<string, unknown> => (res.body.state ?? {}) as Record<string, unknown>;

const OPEN = { applicationId: 'ACC-1', trigger: 'incident', description: 'Six hours of outage in the Karachi region' };

async function openedReview(): Promise<string> {
  const res = await call('POST', '/api/reviews', 'reviewer', OPEN);
  expect(res.status).toBe(201);
  return (stateOf(res).subject as { reviewId: string }).reviewId;
}

describe('the compliance review routes', () => {
  it("opens a review for a reviewer, passing the Idempotency-Key on as the command's id", async () => {
    const res = await call('POST', '/api/reviews', 'reviewer', OPEN, { 'idempotency-key': 'open-review-0001' });
    expect(res.status).toBe(201);
    expect(stateOf(res)).toMatchObject({ status: 'opened', trigger: 'incident', subject: { applicationId: 'ACC-1', cspId: 'csp-one' } });
    expect(gateway.commandIds).toEqual(['open-review-0001']);
  });

  it('refuses to open a review for other roles with the stable code, and names the field of a bad body', async () => {
    for (const who of ['csp', 'director', 'pse'] as const) {
      const res = await call('POST', '/api/reviews', who, OPEN);
      expect({ who, status: res.status, code: res.body.error?.code }).toEqual({ who, status: 403, code: 'ROLE_NOT_ALLOWED' });
    }
    const anniversary = await call('POST', '/api/reviews', 'reviewer', { ...OPEN, trigger: 'anniversary' });
    expect(anniversary.status).toBe(400);
    expect(anniversary.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'trigger' });
    const blank = await call('POST', '/api/reviews', 'reviewer', { ...OPEN, description: '   ' });
    expect(blank.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'description' });
    expect((await call('POST', '/api/reviews', 'reviewer', { ...OPEN, applicationId: 'ACC-9' })).body.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(gateway.reviews.size).toBe(0);
  });

  it('works a review action by action, each role on its own route', async () => {
    const reviewId = await openedReview();
    const url = (action: string): string => `/api/reviews/${reviewId}/${action}`;

    expect((await call('POST', url('request-evidence'), 'director', { request: 'x' })).status).toBe(403);
    const requested = await call('POST', url('request-evidence'), 'reviewer', { request: 'The incident report and the root cause analysis' });
    expect(requested.status).toBe(200);
    expect(stateOf(requested)).toMatchObject({ status: 'evidence-requested', evidenceDueBy: expect.any(String) });

    expect((await call('POST', url('submit-evidence'), 'reviewer', { summary: 'x' })).status).toBe(403);
    expect((await call('POST', url('submit-evidence'), 'otherCsp', { summary: 'x' })).body.error?.code).toBe('NOT_FOUND');
    const submitted = await call('POST', url('submit-evidence'), 'csp', { summary: 'Report attached', documents: ['rca.pdf'] });
    expect(stateOf(submitted).status).toBe('evidence-submitted');

    const badFinding = await call('POST', url('assess'), 'reviewer', { summary: 'x', findings: [{ id: 'F1', title: 'No DR test', severity: 'severe' }] });
    expect(badFinding.status).toBe(400);
    expect(badFinding.body.error?.field).toBe('findings.0.severity');
    const assessed = await call('POST', url('assess'), 'reviewer', {
      summary: 'Disaster recovery was never tested',
      findings: [{ id: 'F1', title: 'No DR test', severity: 'high' }],
    });
    expect(stateOf(assessed)).toMatchObject({ status: 'remediation', findings: [{ id: 'F1', severity: 'high', status: 'open' }] });

    // A decision on a review that is not escalated is refused by the review's own rules.
    const early = await call('POST', url('decide-suspend'), 'director', { reasons: 'Too early' });
    expect(early.status).toBe(409);
    expect(early.body.error?.code).toBe('REVIEW_WRONG_STATE');
    expect((await call('POST', url('decide-suspend'), 'reviewer', { reasons: 'x' })).status).toBe(403);

    await call('POST', url('submit-remediation'), 'csp', { findingId: 'F1', description: 'DR test run on 1 March' });
    const verified = await call('POST', url('verify-finding'), 'reviewer', { findingId: 'F1', outcome: 'verified', notes: 'Test report checked' });
    expect(stateOf(verified).status).toBe('closed-remediated');
  });

  it('shows a review with its history to staff and its own provider only', async () => {
    const reviewId = await openedReview();
    eventStore.add(`review-${reviewId}`, 'ReviewOpened', { ...SUBJECT, reviewId, trigger: 'incident', description: 'x', openedBy: 'u', openedAt: new Date().toISOString() }, SYSTEM_ACTOR);
    for (const who of ['reviewer', 'director', 'csp'] as const) {
      const res = await call('GET', `/api/reviews/${reviewId}`, who);
      expect({ who, status: res.status }).toEqual({ who, status: 200 });
      expect((res.body.live as { state: { status: string } }).state.status).toBe('opened');
      expect((res.body.history as { type: string }[]).map((e) => e.type)).toEqual(['ReviewOpened']);
    }
    for (const who of ['otherCsp', 'pse'] as const) expect((await call('GET', `/api/reviews/${reviewId}`, who)).status).toBe(404);
    expect((await call('GET', '/api/reviews/REV-NONE', 'director')).status).toBe(404);
    expect((await call('GET', '/api/reviews/bad%20id', 'director')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'reviewId' });
  });
});

describe('the monitoring routes', () => {
  beforeEach(() => {
    gateway.monitorings.set(
      'ACC-1',
      decideMonitoring({ type: 'StartMonitoring', actor: SYSTEM_ACTOR, data: { ...SUBJECT, firstPeriod: '2026-01' } }, { status: 'none' }, {
        now: '2026-01-10T00:00:00.000Z',
        policy,
      }),
    );
  });

  it("takes the provider's monthly report and shows the monitoring to staff and the provider", async () => {
    const report = { period: '2026-01', summary: 'Patched everything', vulnerabilities: { high: 0, moderate: 2, low: 5 } };
    expect((await call('POST', '/api/monitoring/ACC-1/reports', 'reviewer', report)).status).toBe(403);
    const bad = await call('POST', '/api/monitoring/ACC-1/reports', 'csp', { ...report, period: '2026-13' });
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'period' });
    const res = await call('POST', '/api/monitoring/ACC-1/reports', 'csp', report, { 'idempotency-key': 'report-2026-01' });
    expect(res.status).toBe(200);
    expect((stateOf(res).periods as Record<string, { outcome: string }>)['2026-01']?.outcome).toMatch(/submitted|late/);
    expect(gateway.commandIds).toEqual(['report-2026-01']);

    expect((await call('GET', '/api/monitoring/ACC-1', 'director')).status).toBe(200);
    expect((await call('GET', '/api/monitoring/ACC-1', 'csp')).status).toBe(200);
    expect((await call('GET', '/api/monitoring/ACC-1', 'otherCsp')).status).toBe(404);
    expect((await call('GET', '/api/monitoring/ACC-9', 'director')).status).toBe(404);
  });
});

describe('the significant change routes', () => {
  it('takes a change from the provider, a recommendation from a reviewer and a decision from a director', async () => {
    const plannedFor = new Date(Date.now() + 60 * 86_400_000).toISOString();
    const body = { applicationId: 'ACC-1', kind: 'data-centre-location', description: 'Add a Lahore data centre', plannedFor };
    expect((await call('POST', '/api/changes', 'reviewer', body)).status).toBe(403);
    expect((await call('POST', '/api/changes', 'csp', { ...body, kind: 'moving' })).body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'kind' });
    const requested = await call('POST', '/api/changes', 'csp', body);
    expect(requested.status).toBe(201);
    expect(stateOf(requested)).toMatchObject({ status: 'requested', lateNotice: false, change: { cspId: 'csp-one', offeringId: 'off-gov' } });
    const changeId = (stateOf(requested).change as { changeId: string }).changeId;

    expect((await call('POST', `/api/changes/${changeId}/decide`, 'reviewer', { decision: 'approve', reasons: 'x' })).status).toBe(403);
    const recommended = await call('POST', `/api/changes/${changeId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Same controls' });
    expect(stateOf(recommended).status).toBe('awaiting-decision');
    const decided = await call('POST', `/api/changes/${changeId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed' });
    expect(stateOf(decided).status).toBe('approved');

    expect((await call('GET', `/api/changes/${changeId}`, 'csp')).status).toBe(200);
    expect((await call('GET', `/api/changes/${changeId}`, 'otherCsp')).status).toBe(404);
  });
});

describe('without the compliance processes', () => {
  it('answers 503 on their routes', async () => {
    const bare = build(false);
    await bare.ready();
    const res = await bare.inject({ method: 'POST', url: '/api/reviews', headers: { authorization: `Bearer ${tokens.reviewer}` }, payload: OPEN });
    expect(res.statusCode).toBe(503);
    await bare.close();
  });
});
