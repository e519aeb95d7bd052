import type { ComplianceGateway } from '../../api/compliance-gateway';
import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { ComplianceDashboardRow, ComplianceQueries, ComplianceTaskRow } from '../../projections/compliance/queries';
import type { ReviewActionInput, ReviewView } from '../../workflows/compliance/messages';
import { FakeEventStore } from '../api/fakes';
import { openPageHarness, type PageHarness } from './page-harness';

/** The compliance review pages, queue rows and dashboard, through HTTP, over a fake gateway and a fake store. */
const REVIEW = 'REV-2026-TEST0001';
const STREAM = `review-${REVIEW}`;
const engine: Actor = SYSTEM_ACTOR;
const rania: Actor = { userId: 'u-rania', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const rafay: Actor = { userId: 'u-rafay', name: 'Rafay Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const csp: Actor = { userId: 'u-nimbus', name: 'Nimbus Rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus' };

let store: FakeEventStore;
let actions: ReviewActionInput[];
let refuse: DomainError | undefined;
let tasks: ComplianceTaskRow[];
let page: PageHarness;

const gateway: ComplianceGateway = {
  async openReview() {
    throw new Error('not used');
  },
  async reviewAction(_reviewId, action) {
    if (refuse) throw refuse;
    actions.push(action);
    return { state: { status: 'none' }, revision: 0 } as ReviewView;
  },
  async review() {
    return undefined;
  },
  async submitReport() {
    throw new Error('not used');
  },
  async monitoring() {
    return undefined;
  },
  async requestChange() {
    throw new Error('not used');
  },
  async changeAction() {
    throw new Error('not used');
  },
  async change() {
    return undefined;
  },
};

const dashboardRow: ComplianceDashboardRow = {
  applicationId: 'ACC-2026-AAAA',
  offeringId: 'off-gov',
  offeringName: 'Nimbus Government Cloud',
  cspId: 'csp-nimbus',
  accreditationStatus: 'accredited',
  monitoring: { status: 'monitoring', firstPeriod: '2026-10', consecutiveMisses: 1, submitted: 1, late: 0, missed: 1, periods: [] },
  openFindings: { high: 1, moderate: 0, low: 2 },
  overdue: { findings: [{ reviewId: REVIEW, findingId: 'F1', title: 'Unpatched hosts', severity: 'high', deadline: '2026-12-01T00:00:00.000Z' }], evidence: [] },
  pending: { findings: [{ reviewId: REVIEW, findingId: 'F1', title: 'Unpatched hosts', severity: 'high', deadline: '2026-12-01T00:00:00.000Z', overdue: true }], evidence: [] },
  lastReview: { reviewId: REVIEW, trigger: 'incident', status: 'remediation', openedAt: '2026-10-01T00:00:00.000Z', closedAt: null },
  escalations: [],
  significantChanges: [],
  updatedAt: '2026-11-01T00:00:00.000Z',
};

const complianceQueries: ComplianceQueries = {
  dashboard: (actor) => (['reviewer', 'director', 'auditor', 'security-reviewer'].includes(actor.role) ? [dashboardRow] : []),
  queue: (actor) => tasks.filter((t) => t.role === actor.role),
};

function opened(): void {
  store.add(STREAM, 'ReviewOpened', {
    reviewId: REVIEW,
    applicationId: 'ACC-2026-AAAA',
    offeringId: 'off-gov',
    cspId: 'csp-nimbus',
    trigger: 'incident',
    description: 'Data centre outage of 12 hours',
    openedBy: rania.userId,
    openedAt: '2026-10-01T00:00:00.000Z',
  }, rania);
}

beforeEach(async () => {
  store = new FakeEventStore();
  actions = [];
  refuse = undefined;
  tasks = [];
  page = await openPageHarness({
    name: 'review-pages',
    people: [
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
      { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
      { username: 'stratus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-stratus', displayName: 'Stratus Rep' },
    ],
    deps: () => ({ complianceGateway: gateway, complianceQueries, eventStore: store }),
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

/** The ids of the review forms on a page. */
const formsOn = (body: string): string[] => [...body.matchAll(/action="\/ui\/reviews\/[^/"]+\/([a-z-]+)"/g)].map((m) => m[1] as string);

describe('the compliance review page', () => {
  it('shows the subject, the description and the history, and offers a reviewer exactly the evidence request on an opened review', async () => {
    opened();
    const reviewer = await signedIn('rania');
    const res = await reviewer.request('GET', `/ui/reviews/${REVIEW}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/ui/accreditations/ACC-2026-AAAA"');
    expect(res.body).toContain('Data centre outage of 12 hours');
    expect(res.body).toContain('Opened a compliance review (incident)');
    expect(formsOn(res.body)).toEqual(['request-evidence']);

    const director = await signedIn('dawood');
    expect(formsOn((await director.request('GET', `/ui/reviews/${REVIEW}`)).body)).toEqual([]);
  });

  it('answers another provider with the same not-found as a review that does not exist', async () => {
    opened();
    const other = await signedIn('stratus');
    expect((await other.request('GET', `/ui/reviews/${REVIEW}`)).statusCode).toBe(404);
    expect((await other.request('GET', '/ui/reviews/REV-2026-NONE')).statusCode).toBe(404);
  });

  it('sends the findings typed into the fixed rows, with ids from their rows when left empty, and returns to the review', async () => {
    opened();
    store.add(STREAM, 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: '2026-11-01T00:00:00.000Z', requestedBy: rania.userId }, rania);
    store.add(STREAM, 'ReviewEvidenceSubmitted', { summary: 'Report attached', documents: ['IR-7'], submittedBy: csp.userId }, csp);
    const reviewer = await signedIn('rania');
    expect(formsOn((await reviewer.request('GET', `/ui/reviews/${REVIEW}`)).body)).toEqual(['assess']);
    const _csrf = await reviewer.csrf(`/ui/reviews/${REVIEW}`);
    const res = await reviewer.request('POST', `/ui/reviews/${REVIEW}/assess`, {
      _csrf,
      summary: 'Outage handling fell short',
      'finding-1-title': 'No failover test',
      'finding-1-severity': 'high',
      'finding-2-id': 'LOG-1',
      'finding-2-title': 'Logs kept 7 days',
      'finding-2-severity': 'low',
    });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/ui/reviews/${REVIEW}?done=assess`);
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({
      type: 'AssessReview',
      actor: { userId: expect.any(String), role: 'reviewer' },
      data: {
        summary: 'Outage handling fell short',
        findings: [
          { id: 'F1', title: 'No failover test', severity: 'high' },
          { id: 'LOG-1', title: 'Logs kept 7 days', severity: 'low' },
        ],
      },
    });
  });

  it('shows a finding without a severity next to its row, keeping everything typed, and sends nothing', async () => {
    opened();
    store.add(STREAM, 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: '2026-11-01T00:00:00.000Z', requestedBy: rania.userId }, rania);
    store.add(STREAM, 'ReviewEvidenceSubmitted', { summary: 'Report attached', documents: [], submittedBy: csp.userId }, csp);
    const reviewer = await signedIn('rania');
    const _csrf = await reviewer.csrf(`/ui/reviews/${REVIEW}`);
    const res = await reviewer.request('POST', `/ui/reviews/${REVIEW}/assess`, { _csrf, summary: 'Kept summary', 'finding-3-title': 'Weak passwords' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="act-assess-finding-3-severity-error">Finding 3: choose its severity</);
    expect(res.body).toMatch(/aria-describedby="act-assess-finding-3-severity-error" aria-invalid="true"/);
    expect(res.body).toContain('value="Weak passwords"');
    expect(res.body).toContain('>Kept summary</textarea>');
    expect(actions).toHaveLength(0);
  });

  it('requires reasons for a decision and shows a refusal of the engine next to the field, naming who moved the review meanwhile', async () => {
    opened();
    const reviewer = await signedIn('rania');
    const page = await reviewer.request('GET', `/ui/reviews/${REVIEW}`);
    const seen = /name="seen" value="(\d+)"/.exec(page.body)?.[1];
    expect(seen).toBe('0');
    const _csrf = await reviewer.csrf(`/ui/reviews/${REVIEW}`);
    const empty = await reviewer.request('POST', `/ui/reviews/${REVIEW}/request-evidence`, { _csrf, request: '  ', seen: '0' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toMatch(/id="act-request-evidence-request-error">Enter the evidence requested</);

    // Meanwhile a colleague requested evidence; the engine refuses the second request.
    store.add(STREAM, 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: '2026-11-01T00:00:00.000Z', requestedBy: rafay.userId }, rafay);
    refuse = new DomainError('REVIEW_WRONG_STATE', `Review ${REVIEW} is evidence-requested; to request evidence it must be opened`);
    const stale = await reviewer.request('POST', `/ui/reviews/${REVIEW}/request-evidence`, { _csrf, request: 'The outage report', seen: '0' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toMatch(/id="act-request-evidence-request-error">The review changed meanwhile: requested evidence from the provider by Rafay Reviewer/);
    expect(stale.body).toContain('>The outage report</textarea>');
  });

  it('offers a director the escalation decisions and shows a four-eyes refusal inline with the reasons kept', async () => {
    opened();
    store.add(STREAM, 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: '2026-11-01T00:00:00.000Z', requestedBy: rania.userId }, rania);
    store.add(STREAM, 'ReviewEvidenceOverdue', { dueBy: '2026-11-01T00:00:00.000Z' }, engine);
    store.add(STREAM, 'ReviewEscalated', { reason: 'evidence-overdue', findingIds: [], escalatedAt: '2026-11-01T00:00:00.000Z' }, engine);
    const director = await signedIn('dawood');
    const page = await director.request('GET', `/ui/reviews/${REVIEW}`);
    expect(formsOn(page.body)).toEqual(['extend-deadline', 'suspend', 'revoke']);
    expect(page.body).toContain('Escalated to the director');
    // The only deadline there is to extend is chosen already.
    expect(page.body).toMatch(/<option value="evidence" selected>The evidence deadline \(due 2026-11-01\)<\/option>/);

    const _csrf = await director.csrf(`/ui/reviews/${REVIEW}`);
    refuse = new DomainError('FOUR_EYES_VIOLATION', 'Nobody may suspend the accreditation on a case they opened, submitted or assessed');
    const res = await director.request('POST', `/ui/reviews/${REVIEW}/suspend`, { _csrf, reasons: 'Evidence never came' });
    expect(res.statusCode).toBe(403);
    expect(res.body).toMatch(/id="act-suspend-reasons-error">Nobody may suspend/);
    expect(res.body).toContain('>Evidence never came</textarea>');

    refuse = undefined;
    const extended = await director.request('POST', `/ui/reviews/${REVIEW}/extend-deadline`, { _csrf, findingId: 'evidence', newDeadline: '2026-12-15', reasons: 'Holiday' });
    expect(extended.statusCode).toBe(303);
    expect(actions[0]).toMatchObject({ type: 'ExtendDeadline', data: { newDeadline: '2026-12-15T23:59:59.000Z', reasons: 'Holiday' } });
    expect(actions[0]?.data).not.toHaveProperty('findingId');
  });
});

describe('compliance in the queue and on the dashboard', () => {
  it("lists a review task in the reviewer's queue with its due date, filters by case kind, and lets it be claimed", async () => {
    opened();
    tasks = [
      {
        taskId: `${REVIEW}:verify-remediation:F1:4`,
        reviewId: REVIEW,
        applicationId: 'ACC-2026-AAAA',
        offeringId: 'off-gov',
        cspId: 'csp-nimbus',
        kind: 'verify-remediation',
        role: 'reviewer',
        findingId: 'F1',
        reviewStatus: 'opened',
        createdAt: '2026-11-01T00:00:00.000Z',
        dueAt: '2026-12-01T00:00:00.000Z',
      },
    ];
    const reviewer = await signedIn('rania');
    const queue = await reviewer.request('GET', '/ui/queue?case=review');
    expect(queue.body).toContain(`href="/ui/reviews/${REVIEW}"`);
    expect(queue.body).toContain('Verify remediation');
    expect(queue.body).toContain('finding F1');
    // Due by its service level (verify-remediation: 10 working days from 2026-11-01), earlier than the finding's deadline.
    expect(queue.body).toContain('<time datetime="2026-11-13T00:00:00.000Z">');
    expect(queue.body).toContain('Opened');
    expect((await reviewer.request('GET', '/ui/queue?case=noc')).body).not.toContain(REVIEW);

    const _csrf = await reviewer.csrf('/ui/queue');
    const claimed = await reviewer.request('POST', '/ui/queue/claim', { _csrf, taskId: tasks[0]?.taskId as string });
    expect(claimed.headers.location).toBe('/ui/queue?done=claimed');
    expect((await reviewer.request('GET', '/ui/queue')).body).toContain('Claimed by you');

    // Not the director's own task; but directors supervise the queues, so it is listed among the tasks staff hold.
    const director = (await (await signedIn('dawood')).request('GET', '/ui/queue')).body;
    const [own, held] = director.split('Tasks held by staff');
    expect(own).not.toContain(REVIEW);
    expect(held).toContain(REVIEW);
  });

  it('shows staff each offering with its reports, open findings, overdue items and last review, and links to it from the navigation', async () => {
    const reviewer = await signedIn('rania');
    const res = await reviewer.request('GET', '/ui/compliance');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/ui/compliance" aria-current="page"');
    expect(res.body).toContain('Nimbus Government Cloud');
    expect(res.body).toMatch(/<strong>1<\/strong> \/ 0 \/ 2/);
    expect(res.body).toContain('F1 (high) of <a href="/ui/reviews/REV-2026-TEST0001">');
    expect(res.body).toContain('Incident, Remediation');

    const other = await signedIn('stratus');
    const page = await other.request('GET', '/ui/compliance');
    expect(page.body).not.toContain('Nimbus Government Cloud');
    expect(page.body).not.toContain('href="/ui/compliance"');
  });
});
