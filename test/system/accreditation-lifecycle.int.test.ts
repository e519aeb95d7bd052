import { offeringKey } from '../../api/accreditation-gateway';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { accreditationWorkflowId } from '../../workflows/accreditation/messages';
import { startStack, type Stack } from '../support/stack';

/**
 * A CSP's way to an accreditation on the real Temporal dev server, no time skipping: HTTP API → CSP
 * and accreditation processes → event store, with real identity.
 */
const TASK_QUEUE = 'system-accreditation';
const PASSWORD = 'a long enough password';
const CSP_ID = 'csp-nimbus';
const ACCOUNTS = {
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus representative' },
  otherCsp: { username: 'stratus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-stratus', displayName: 'Stratus representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
} as const;
type Who = keyof typeof ACCOUNTS;

let stack: Stack;
let base: string;
/** The application that accredits off-gov in the first test; later tests build on it. */
let govApplicationId: string;
const tokens = {} as Record<Who, string>;
const frameworks = createFrameworkLibrary(loadConfig({}).framework);

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  base = stack.base;
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    const res = await call('POST', '/api/auth/login', undefined, { username: ACCOUNTS[who].username, password: PASSWORD, code: stack.totp.code(ACCOUNTS[who].username) });
    tokens[who] = (res.body as { token: string }).token;
  }
});

afterAll(async () => {
  await stack?.close();
});

/** The public read side answers from projections: wait until they have caught up with the log. */
async function projected(): Promise<void> {
  await stack.runner.waitFor(await stack.store.headPosition());
}

async function check(dataClass: string): Promise<{ decision: string; reasons: { code: string }[] }> {
  await projected();
  const res = await call('GET', `/api/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=${dataClass}`);
  expect(res.status).toBe(200);
  return res.body as unknown as { decision: string; reasons: { code: string }[] };
}

async function call(method: string, path: string, who?: Who, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Live = { state: { status: string; application?: { applicationId: string }; grant?: Record<string, unknown> }; revision: number };
const live = (res: { body: Record<string, unknown> }): Live => res.body as unknown as Live;
const errorCode = (res: { body: Record<string, unknown> }): string | undefined => (res.body.error as { code?: string } | undefined)?.code;

const GOV_CLOUD = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [
    { city: 'Islamabad', country: 'PK' },
    { city: 'Karachi', country: 'PK' },
  ],
};
const EVIDENCE = [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }];
const enhancedScores = (): Record<string, number> =>
  Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.enhanced]));

describe('accreditation through the API on the real dev server', () => {
  it('registers a CSP, accredits its government cloud at intermediate up to restricted, then suspends and reinstates it', async () => {
    const organisation = {
      cspId: CSP_ID,
      name: 'Nimbus Cloud (Pvt) Ltd',
      registrationNumber: '0123456',
      contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' },
    };
    expect(errorCode(await call('POST', '/api/csps', 'otherCsp', organisation))).toBe('NOT_CASE_OWNER');
    expect((await call('POST', '/api/csps', 'csp', organisation)).status).toBe(201);
    // The same registration sent again is a retry and answers the same; a different one is refused.
    expect((await call('POST', '/api/csps', 'csp', organisation)).status).toBe(201);
    expect(errorCode(await call('POST', '/api/csps', 'csp', { ...organisation, name: 'Nimbus Two' }))).toBe('CSP_ALREADY_REGISTERED');
    expect((await call('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', GOV_CLOUD)).status).toBe(201);
    expect(errorCode(await call('POST', `/api/csps/${CSP_ID}/offerings`, 'otherCsp', { ...GOV_CLOUD, offeringId: 'x' }))).toBe('NOT_FOUND');

    const submitted = await call('POST', '/api/accreditations', 'csp', { offeringId: 'off-gov', requestedBaseline: 'enhanced', evidence: EVIDENCE });
    expect(submitted.status).toBe(201);
    const id = live(submitted).state.application?.applicationId as string;
    expect(id).toMatch(/^ACC-\d{4}-/);
    govApplicationId = id;
    const step = async (path: string, who: Who, body: unknown = {}) => {
      const res = await call('POST', `/api/accreditations/${id}/${path}`, who, body);
      expect({ path, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({ path, status: 200, body: undefined });
      return live(res);
    };
    await step('start-screening', 'reviewer');
    await step('complete-screening', 'reviewer', { notes: 'Complete' });
    await step('score', 'reviewer', { scores: enhancedScores(), rationale: 'Evidence reviewed' });
    // Four eyes: the reviewer holds no security-reviewer account, and the director's account is another person.
    expect((await call('POST', `/api/accreditations/${id}/security-review`, 'reviewer', { outcome: 'passed', notes: 'x' })).status).toBe(403);
    await step('security-review', 'security', { outcome: 'passed', notes: 'Penetration test clean' });
    const approved = await step('decide', 'director', {
      decision: 'approve',
      baseline: 'intermediate',
      highestDataClass: 'restricted',
      reasons: 'Meets the intermediate baseline',
    });
    expect(approved.state.status).toBe('accredited');
    expect(approved.state.grant).toMatchObject({ baseline: 'intermediate', highestDataClass: 'restricted' });

    // Listed publicly, and the procurement check allows restricted data (government cloud, Pakistan, intermediate)
    // but nothing above what was granted.
    expect((await check('restricted')).decision).toBe('allowed');
    expect((await check('confidential')).decision).toBe('denied');
    const listed = await call('GET', '/api/accredited-list');
    expect(JSON.stringify(listed.body)).toContain('Nimbus Government Cloud');

    expect((await step('suspend', 'director', { reasons: 'Data-centre audit finding' })).state.status).toBe('suspended');
    const whileSuspended = await check('restricted');
    expect(whileSuspended.decision).toBe('denied');
    expect(whileSuspended.reasons.map((r) => r.code)).toContain('ACCREDITATION_SUSPENDED');

    expect((await step('reinstate', 'director', { reasons: 'Finding closed' })).state.status).toBe('accredited');
    expect((await check('restricted')).decision).toBe('allowed');
    await projected();
    const log = JSON.stringify((await call('GET', '/api/accredited-list/changes?offering=off-gov')).body);
    for (const text of ['suspended', 'Data-centre audit finding', 'Finding closed', 'Dawood Director']) expect(log).toContain(text);

    const detail = await call('GET', `/api/accreditations/${id}`, 'csp');
    expect(detail.status).toBe(200);
    expect((detail.body.history as { type: string }[]).map((e) => e.type)).toEqual([
      'AccreditationSubmitted',
      'AccreditationScreeningStarted',
      'AccreditationScreeningCompleted',
      'AccreditationCriteriaScored',
      'AccreditationSecurityReviewRecorded',
      'AccreditationGranted',
      'AccreditationSuspended',
      'AccreditationReinstated',
    ]);
    expect((await call('GET', `/api/accreditations/${id}`, 'otherCsp')).status).toBe(404);
    expect((await call('GET', `/api/accreditations/${id}`, 'pse')).status).toBe(404);

    const described = await stack.env.client.workflow.getHandle(accreditationWorkflowId(id)).describe();
    expect(described.searchAttributes).toMatchObject({
      CaseKind: ['accreditation'],
      CaseStatus: ['accredited'],
      Jurisdiction: ['federal'],
      OfferingId: [offeringKey(CSP_ID, 'off-gov')],
    });
  });

  it('refuses a new application for an offering rejected within the cooling-off period', async () => {
    const offering = { ...GOV_CLOUD, offeringId: 'off-edge', name: 'Nimbus Edge' };
    expect((await call('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', offering)).status).toBe(201);
    const first = await call('POST', '/api/accreditations', 'csp', { offeringId: 'off-edge', requestedBaseline: 'baseline', evidence: EVIDENCE });
    const id = live(first).state.application?.applicationId as string;
    for (const [path, who, body] of [
      ['start-screening', 'reviewer', {}],
      ['complete-screening', 'reviewer', { notes: 'Thin' }],
      ['decide', 'director', { decision: 'reject', reasons: 'No evidence of operations' }],
    ] as const) {
      expect((await call('POST', `/api/accreditations/${id}/${path}`, who, body)).status).toBe(200);
    }
    // Visibility follows the process closely but not in the same instant: wait until it lists the rejection.
    const query = `CaseKind="accreditation" AND OfferingId="${offeringKey(CSP_ID, 'off-edge')}" AND CaseStatus="rejected"`;
    for (let i = 0; i < 100 && (await stack.env.client.workflow.count(query)).count === 0; i++) await new Promise((r) => setTimeout(r, 50));

    const again = await call('POST', '/api/accreditations', 'csp', { offeringId: 'off-edge', requestedBaseline: 'baseline', evidence: EVIDENCE });
    expect(again.status).toBe(422);
    expect(errorCode(again)).toBe('ACCREDITATION_COOLING_OFF');
    // Another offering of the same CSP is not held back.
    const other = await call('POST', '/api/accreditations', 'csp', { offeringId: 'off-gov', requestedBaseline: 'baseline', evidence: EVIDENCE });
    expect(other.status).toBe(201);
  });

  it('changes and retires offerings, and refuses an application for a retired one', async () => {
    const offering = { ...GOV_CLOUD, offeringId: 'off-old', name: 'Nimbus Classic' };
    expect((await call('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', offering)).status).toBe(201);
    const changed = await call('PUT', `/api/csps/${CSP_ID}/offerings/off-old`, 'csp', { name: 'Nimbus Classic 2' });
    expect(changed.status).toBe(200);
    const retired = await call('DELETE', `/api/csps/${CSP_ID}/offerings/off-old`, 'csp', { reason: 'End of life' });
    expect(retired.status).toBe(200);
    const csp = await call('GET', `/api/csps/${CSP_ID}`, 'csp');
    expect((csp.body.state as { offerings: Record<string, { name: string; status: string }> }).offerings['off-old']).toMatchObject({
      name: 'Nimbus Classic 2',
      status: 'retired',
    });
    const refused = await call('POST', '/api/accreditations', 'csp', { offeringId: 'off-old', requestedBaseline: 'baseline', evidence: EVIDENCE });
    expect(errorCode(refused)).toBe('OFFERING_RETIRED');
  });

  it("refuses another CSP an offering id already taken, and the public list and check keep describing the first CSP's offering", async () => {
    const stratus = { cspId: 'csp-stratus', name: 'Stratus Cloud (Pvt) Ltd', registrationNumber: '0654321', contact: { name: 'Bilal Ahmed', email: 'ops@stratus.example.pk' } };
    expect((await call('POST', '/api/csps', 'otherCsp', stratus)).status).toBe(201);
    const abroad = { ...GOV_CLOUD, name: 'Stratus Public Cloud', deploymentModel: 'public', dataCentres: [{ city: 'Dubai', country: 'AE' }] };
    const taken = await call('POST', '/api/csps/csp-stratus/offerings', 'otherCsp', abroad);
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'OFFERING_ID_TAKEN', field: 'offeringId' });
    // Nor can it apply for, or be credited with, the other CSP's offering.
    const application = await call('POST', '/api/accreditations', 'otherCsp', { offeringId: 'off-gov', requestedBaseline: 'baseline', evidence: EVIDENCE });
    expect(errorCode(application)).toBe('OFFERING_NOT_FOUND');

    await projected();
    const listed = (await call('GET', '/api/accredited-list')).body.items as { offeringId: string; cspId: string; offeringName: string }[];
    expect(listed.filter((row) => row.offeringId === 'off-gov')).toEqual([expect.objectContaining({ cspId: CSP_ID, offeringName: 'Nimbus Government Cloud' })]);
    const answer = await check('restricted');
    expect(answer.decision).toBe('allowed');
    expect(JSON.stringify(answer)).toContain(`is provided by ${CSP_ID}`);
    expect(JSON.stringify(answer)).not.toContain('csp-stratus');
  });

  it("changes an accredited offering's data centres only through an approved significant change", async () => {
    const offering = async () =>
      ((await call('GET', `/api/csps/${CSP_ID}`, 'csp')).body.state as { offerings: Record<string, { dataCentres: unknown; heldBy?: string[] }> }).offerings['off-gov'];
    // The grant reaches the register by a message between processes: wait until it is recorded.
    for (let i = 0; i < 100 && !(await offering())?.heldBy?.includes(govApplicationId); i++) await new Promise((r) => setTimeout(r, 50));
    const newSites = [
      { city: 'Islamabad', country: 'PK' },
      { city: 'Lahore', country: 'PK' },
    ];
    const direct = await call('PUT', `/api/csps/${CSP_ID}/offerings/off-gov`, 'csp', { dataCentres: newSites });
    expect(direct.status).toBe(409);
    expect(direct.body.error).toMatchObject({ code: 'OFFERING_ACCREDITED', field: 'dataCentres' });

    const plannedFor = new Date(Date.now() + 45 * 86_400_000).toISOString();
    const requested = await call('POST', '/api/changes', 'csp', {
      applicationId: govApplicationId,
      kind: 'data-centre-location',
      description: 'Karachi site moves to Lahore',
      plannedFor,
      offeringChanges: { dataCentres: newSites },
    });
    expect(requested.status).toBe(201);
    const changeId = (live(requested).state as unknown as { change: { changeId: string } }).change.changeId;
    expect((await call('POST', `/api/changes/${changeId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Same controls' })).status).toBe(200);
    expect((await call('POST', `/api/changes/${changeId}/decide`, 'director', { decision: 'approve', reasons: 'As recommended' })).status).toBe(200);
    for (let i = 0; i < 100 && JSON.stringify((await offering())?.dataCentres) !== JSON.stringify(newSites); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await offering()).toMatchObject({ dataCentres: newSites, heldBy: [govApplicationId] });

    // The public list shows the offering as the approved change left it, still accredited.
    await projected();
    const listed = (await call('GET', '/api/accredited-list')).body.items as { offeringId: string; dataCentres: unknown; status: string }[];
    expect(listed.find((row) => row.offeringId === 'off-gov')).toMatchObject({ dataCentres: newSites, status: 'accredited' });
  });
});
