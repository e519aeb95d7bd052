import { verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { apiClient, type ApiClient, type Reply } from '../support/api-client';
import { startStack, type Stack } from '../support/stack';
import { reportFigures } from '../support/figures';

/**
 * Issue 14, item 3, through the API: two people acting on the same case at the same instant. The
 * NOC's process takes one person's action at a time, so the second is judged against the state the
 * first left: one action is recorded, the other refused with a stable code, nothing is doubled.
 */
const TASK_QUEUE = 'system-decision-race';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer1: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  reviewer2: { username: 'raheel', role: 'reviewer', jurisdiction: 'federal', displayName: 'Raheel Reviewer' },
  director1: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  director2: { username: 'dina', role: 'director', jurisdiction: 'federal', displayName: 'Dina Director' },
} as const;
type Who = keyof typeof ACCOUNTS;
const CASES = 5;

let stack: Stack;
let client: ApiClient<Who>;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  client = await apiClient(stack, ACCOUNTS, PASSWORD);
});

afterAll(async () => {
  await stack?.close();
});

const call = (method: string, path: string, who?: Who, body?: unknown): Promise<Reply> => client.call(method, path, who, body);

const request = {
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises',
  justification: 'Migration is scheduled for next quarter',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};

async function newNoc(): Promise<string> {
  const created = await call('POST', '/api/nocs', 'pse', request);
  expect(created.status).toBe(201);
  return ((created.body.state ?? created.body) as { request: { nocId: string } }).request.nocId;
}

interface RaceOutcome {
  winners: Reply[];
  losers: Reply[];
}

/** Both actions sent at once; exactly one must be taken. */
async function race(first: () => Promise<Reply>, second: () => Promise<Reply>): Promise<RaceOutcome> {
  const answers = await Promise.all([first(), second()]);
  return { winners: answers.filter((a) => a.status === 200), losers: answers.filter((a) => a.status !== 200) };
}

const codeOf = (a: Reply): string => (a.body.error as { code: string }).code;

function tallyOf(outcomes: readonly RaceOutcome[]): { winners: number; losers: number; codes: string } {
  const codes = new Map<string, number>();
  for (const o of outcomes) for (const l of o.losers) codes.set(`${l.status} ${codeOf(l)}`, (codes.get(`${l.status} ${codeOf(l)}`) ?? 0) + 1);
  return {
    winners: outcomes.reduce((n, o) => n + o.winners.length, 0),
    losers: outcomes.reduce((n, o) => n + o.losers.length, 0),
    codes: [...codes].map(([code, n]) => `${code} x${n}`).join(', '),
  };
}

describe('two people acting on the same NOC at the same instant', () => {
  it(`records one of each pair of simultaneous actions on ${CASES} NOCs and refuses the other with a stable conflict code, writing nothing twice`, async () => {
    const nocIds = await Promise.all(Array.from({ length: CASES }, () => newNoc()));

    // Two reviewers take up the same NOC at once.
    const starts = await Promise.all(
      nocIds.map((id) =>
        race(
          () => call('POST', `/api/nocs/${id}/start-review`, 'reviewer1', {}),
          () => call('POST', `/api/nocs/${id}/start-review`, 'reviewer2', {}),
        ),
      ),
    );
    // Two reviewers recommend the same NOC at once, one to approve, one to reject.
    const recommendations = await Promise.all(
      nocIds.map((id) =>
        race(
          () => call('POST', `/api/nocs/${id}/recommend`, 'reviewer1', { recommendation: 'approve', reasons: 'Justified' }),
          () => call('POST', `/api/nocs/${id}/recommend`, 'reviewer2', { recommendation: 'reject', reasons: 'Not justified' }),
        ),
      ),
    );
    // Two directors decide the same NOC at once, one approving, one rejecting.
    const decisions = await Promise.all(
      nocIds.map((id) =>
        race(
          () => call('POST', `/api/nocs/${id}/decide`, 'director1', { decision: 'approve', reasons: 'Agreed' }),
          () => call('POST', `/api/nocs/${id}/decide`, 'director2', { decision: 'reject', reasons: 'Declined' }),
        ),
      ),
    );

    for (const outcome of [...starts, ...recommendations, ...decisions]) {
      expect(outcome.winners).toHaveLength(1);
      expect(outcome.losers).toHaveLength(1);
      expect(outcome.losers[0]!.status).toBe(409);
    }
    for (const o of [...starts, ...recommendations]) expect(codeOf(o.losers[0]!)).toBe('NOC_WRONG_STATE');
    for (const o of decisions) expect(codeOf(o.losers[0]!)).toBe('NOC_ALREADY_DECIDED');

    let doubled = 0;
    for (const [i, id] of nocIds.entries()) {
      const events = await stack.store.readStream(`noc-${id}`);
      const decision = (decisions[i]!.winners[0]!.body.state as { status: string }).status === 'active' ? 'NocApproved' : 'NocRejected';
      expect(events.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended', decision]);
      expect(verifyStreamChain(`noc-${id}`, events)).toBeUndefined();
      doubled += events.length - new Set(events.map((e) => e.type)).size;
      // The state the API answered the winner with is the one the log holds: the loser changed nothing.
      const detail = await call('GET', `/api/nocs/${id}`, 'director1');
      expect((detail.body.history as unknown[]).length).toBe(4);
    }
    expect(doubled).toBe(0);
    reportFigures('API race, start review', tallyOf(starts));
    reportFigures('API race, recommend', tallyOf(recommendations));
    reportFigures('API race, decide', { ...tallyOf(decisions), doubledEvents: doubled });
  });
});
