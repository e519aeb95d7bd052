import type { ComplianceGateway } from '../../api/compliance-gateway';
import { decideChange } from '../../domain/compliance/change-decide';
import type { ChangeEvent } from '../../domain/compliance/change-events';
import { foldChange } from '../../domain/compliance/change-evolve';
import type { ChangeCommand } from '../../domain/compliance/change-commands';
import type { ComplianceDashboardRow, ComplianceQueries } from '../../projections/compliance/queries';
import { FakeEventStore } from '../api/fakes';
import { ACCREDITATION, C, CHANGE, actors, at, cev } from '../domain/compliance-fixtures';
import { openPageHarness, type PageHarness } from './page-harness';

/** The significant change pages and their queue tasks, through HTTP, over a gateway that runs the real change decider. */
const STREAM = 'change-CHG-1';

let store: FakeEventStore;
let page: PageHarness;

const history = (): ChangeEvent[] => (store.streams.get(STREAM) ?? []).map((r) => ({ type: r.type, data: r.data }) as ChangeEvent);
const view = () => ({ state: foldChange(history()), revision: history().length - 1 });

const gateway: ComplianceGateway = {
  openReview: async () => {
    throw new Error('not used');
  },
  reviewAction: async () => {
    throw new Error('not used');
  },
  review: async () => undefined,
  submitReport: async () => {
    throw new Error('not used');
  },
  monitoring: async () => undefined,
  requestChange: async () => {
    throw new Error('not used');
  },
  async changeAction(_changeId, action) {
    const events = decideChange({ type: action.type, actor: action.actor, data: action.data } as ChangeCommand, foldChange(history()), at('2025-06-05T09:00:00.000Z'));
    for (const e of events) store.add(STREAM, e.type, e.data, action.actor);
    return view();
  },
  change: async (actor, changeId) => (changeId === 'CHG-1' && actor.role !== 'csp' && store.streams.has(STREAM) ? view() : undefined),
};

/** The dashboard's view of the change, as the compliance projection keeps it. */
function dashboardRow(): ComplianceDashboardRow {
  const state = foldChange(history());
  const status =
    state.status === 'requested' ? 'requested' : state.status === 'awaiting-decision' ? (`recommended-${state.recommendation?.recommendation ?? 'approve'}` as const) : state.status === 'none' ? 'requested' : state.status;
  return {
    ...ACCREDITATION,
    offeringName: 'Nimbus Government Cloud',
    accreditationStatus: 'accredited',
    monitoring: { status: 'monitoring', firstPeriod: '2025-03', consecutiveMisses: 0, submitted: 3, late: 0, missed: 0, periods: [] },
    openFindings: { high: 0, moderate: 0, low: 0 },
    overdue: { findings: [], evidence: [] },
    pending: { findings: [], evidence: [] },
    lastReview: null,
    escalations: [],
    significantChanges: [{ changeId: 'CHG-1', kind: CHANGE.kind, plannedFor: CHANGE.plannedFor, requestedAt: C.requested, status, notifiedLate: false, noticeDays: 45, requiredDays: 30 }],
    updatedAt: C.requested,
  };
}

const complianceQueries: ComplianceQueries = {
  dashboard: (actor) => (['reviewer', 'director', 'auditor', 'security-reviewer'].includes(actor.role) ? [dashboardRow()] : []),
  queue: () => [],
};

beforeEach(async () => {
  store = new FakeEventStore();
  const requested = cev.requested();
  store.add(STREAM, requested.type, requested.data, actors.csp);
  page = await openPageHarness({
    name: 'change-pages',
    // A long service level: the change's planned date is what the queue's due date shows.
    env: { SERVICE_LEVELS: '{"change.recommend-change":365,"change.decide-change":365}' },
    people: [
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
      { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
      { username: 'dua', role: 'director', jurisdiction: 'federal', displayName: 'Dua Director' },
      { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus', displayName: 'Nimbus Rep' },
    ],
    deps: () => ({ complianceGateway: gateway, complianceQueries, eventStore: store as never }),
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

describe('the significant change pages', () => {
  it('list the changes and put a requested one in the reviewers’ queue, due by its planned date', async () => {
    const reviewer = await signedIn('rania');
    const list = await reviewer.request('GET', '/ui/changes');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<a href="/ui/changes/CHG-1">CHG-1</a>');
    expect(list.body).toContain('Nimbus Government Cloud');
    const queue = await reviewer.request('GET', '/ui/queue');
    expect(queue.body).toContain('<a href="/ui/changes/CHG-1">CHG-1</a>');
    expect(queue.body).toContain('Recommend change');
    expect(queue.body).toContain(`datetime="${CHANGE.plannedFor}"`);
    expect((await (await signedIn('dawood')).request('GET', '/ui/queue')).body).not.toContain('CHG-1');
  });

  it('take a reviewer’s recommendation, keeping what was typed when it is incomplete, then a director’s decision', async () => {
    const reviewer = await signedIn('rania');
    const page = await reviewer.request('GET', '/ui/changes/CHG-1');
    expect(page.body).toContain('Add a second data centre in Lahore');
    expect(page.body).toContain('action="/ui/changes/CHG-1/recommend"');
    expect(page.body).not.toContain('action="/ui/changes/CHG-1/decide"');
    const _csrf = await reviewer.csrf('/ui/changes/CHG-1');
    const incomplete = await reviewer.request('POST', '/ui/changes/CHG-1/recommend', { _csrf, reasons: 'Same controls at the new site' });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.body).toContain('href="#change-recommend-recommendation"');
    expect(incomplete.body).toContain('>Same controls at the new site</textarea>');
    const recommended = await reviewer.request('POST', '/ui/changes/CHG-1/recommend', { _csrf, recommendation: 'approve', reasons: 'Same controls at the new site' });
    expect(recommended.statusCode).toBe(303);

    const director = await signedIn('dawood');
    expect((await director.request('GET', '/ui/queue')).body).toContain('Decide change');
    const csrfD = await director.csrf('/ui/changes/CHG-1');
    expect((await director.request('GET', '/ui/changes/CHG-1')).body).toContain('<dt>Recommendation</dt><dd>Approve by ');
    const decided = await director.request('POST', '/ui/changes/CHG-1/decide', { _csrf: csrfD, decision: 'approve', reasons: 'On the file' });
    expect(decided.statusCode).toBe(303);
    expect(foldChange(history()).status).toBe('approved');
  });

  it('show a refusal on the form, with what was typed, when the change was decided meanwhile', async () => {
    const recommended = cev.recommended();
    store.add(STREAM, recommended.type, recommended.data, actors.reviewer);
    const dawood = await signedIn('dawood');
    const dua = await signedIn('dua');
    const csrfA = await dawood.csrf('/ui/changes/CHG-1');
    const csrfB = await dua.csrf('/ui/changes/CHG-1');
    expect((await dawood.request('POST', '/ui/changes/CHG-1/decide', { _csrf: csrfA, decision: 'approve', reasons: 'On the file' })).statusCode).toBe(303);
    const late = await dua.request('POST', '/ui/changes/CHG-1/decide', { _csrf: csrfB, decision: 'reject', reasons: 'Too risky' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('>Too risky</textarea>');
    expect(late.body).toContain('role="alert"');
  });

  it('are for the Cloud Office staff: a provider is refused, and an unknown change is not found', async () => {
    const provider = await signedIn('nimbus');
    expect((await provider.request('GET', '/ui/changes')).statusCode).toBe(403);
    const reviewer = await signedIn('rania');
    expect((await reviewer.request('GET', '/ui/changes/CHG-404')).statusCode).toBe(404);
  });
});
