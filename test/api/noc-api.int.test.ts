import { createTemporalNocGateway } from '../../api/noc-gateway';
import { createTemporalPseGateway } from '../../api/pse-gateway';
import { NOC_REQUEST } from './harness';
import { startWorkflowApi, type WorkflowApi } from './workflow-api';

/**
 * The API over the real NOC workflow on the Temporal dev server: every refusal the workflow raises
 * arrives at the client as the error code, field and status the API promises. The register is left
 * empty, so reads go through the process itself.
 */
const TASK_QUEUE = 'api-int';
const ACCOUNTS = {
  pse: { username: 'pse-fed', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' },
  punjabPse: { username: 'pse-pb', role: 'pse', jurisdiction: 'punjab', organisationId: 'pse-lahore' },
  unregisteredPse: { username: 'pse-new', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-unregistered' },
  reviewer: { username: 'rev', role: 'reviewer', jurisdiction: 'federal' },
  director: { username: 'dir', role: 'director', jurisdiction: 'federal' },
  officerA: { username: 'officer-a', role: 'provincial-officer', jurisdiction: 'punjab' },
  officerB: { username: 'officer-b', role: 'provincial-officer', jurisdiction: 'punjab' },
} as const;
type Who = keyof typeof ACCOUNTS;

let api: WorkflowApi<Who>;

beforeAll(async () => {
  api = await startWorkflowApi({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    deps: async ({ env, config, signing }) => {
      // The PSE register holds the two entities that request NOCs here; their NOCs take its jurisdictions.
      const register = createTemporalPseGateway({ client: env.client, config, signing, procurementCheck: () => { throw new Error('no procurements here'); } });
      const registrar = { userId: 'registrar', name: 'Registrar', role: 'admin', jurisdiction: 'federal' } as const;
      await register.register(registrar, { pseId: 'pse-moitt', name: 'MoITT', ministry: 'IT', jurisdiction: 'federal' }, 'reg-moitt');
      await register.register(registrar, { pseId: 'pse-lahore', name: 'Lahore', ministry: 'Local Government', jurisdiction: 'punjab' }, 'reg-lahore');
      return { nocGateway: createTemporalNocGateway(env.client, config, signing) };
    },
  });
});

afterAll(async () => {
  await api?.close();
});

const as = (who: Who) => ({ authorization: `Bearer ${api.tokens[who]}` });

async function post(who: Who, url: string, payload?: object, headers: Record<string, string> = {}) {
  const res = await api.app.inject({ method: 'POST', url, headers: { ...as(who), ...headers }, payload });
  return { status: res.statusCode, body: res.json() };
}

async function newNoc(who: Who = 'pse'): Promise<string> {
  const res = await post(who, '/api/nocs', NOC_REQUEST);
  expect(res.status).toBe(201);
  return res.body.state.request.nocId as string;
}

describe('the NOC API over the real workflow', () => {
  it('requests a NOC, and shows it with its recorded event before any projection has run', async () => {
    const created = await post('pse', '/api/nocs', NOC_REQUEST);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ revision: 0, state: { status: 'requested', request: { pseId: 'pse-moitt', jurisdiction: 'federal' } } });
    const nocId = created.body.state.request.nocId as string;
    expect(nocId).toMatch(/^NOC-\d{4}-[0-9A-Z]{8}$/);

    const shown = await api.app.inject({ method: 'GET', url: `/api/nocs/${nocId}`, headers: as('pse') });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      register: null,
      live: { revision: 0 },
      history: [{ type: 'NocRequested', revision: 0, actor: { role: 'pse' }, metadata: { correlationId: `noc:${nocId}` } }],
    });
    const stranger = await api.app.inject({ method: 'GET', url: `/api/nocs/${nocId}`, headers: as('punjabPse') });
    expect(stranger.statusCode).toBe(404);
  });

  it('refuses a NOC request from an entity that is not on the PSE register, naming the field', async () => {
    const res = await post('unregisteredPse', '/api/nocs', NOC_REQUEST);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'PSE_NOT_REGISTERED', field: 'pseId' });
    expect(res.body.error.message).toContain('pse-unregistered');
  });

  it("gives a provincial entity's NOC the jurisdiction the register holds for it", async () => {
    const created = await post('punjabPse', '/api/nocs', NOC_REQUEST);
    expect(created.status).toBe(201);
    expect(created.body.state.request).toMatchObject({ pseId: 'pse-lahore', jurisdiction: 'punjab' });
  });

  it("answers a request the workflow refuses with the decider's code, field and status", async () => {
    const res = await post('pse', '/api/nocs', { ...NOC_REQUEST, requestedMonths: 24 });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'NOC_DURATION_TOO_LONG', field: 'requestedMonths' });
  });

  it('answers a retried request with the same Idempotency-Key with the same NOC', async () => {
    const first = await post('pse', '/api/nocs', NOC_REQUEST, { 'idempotency-key': 'retry-me-1' });
    const again = await post('pse', '/api/nocs', NOC_REQUEST, { 'idempotency-key': 'retry-me-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.state.request.nocId).toBe(first.body.state.request.nocId);
  });

  it('takes a federal NOC through review to approval, refusing a repeated step as a conflict', async () => {
    const nocId = await newNoc();
    expect((await post('reviewer', `/api/nocs/${nocId}/start-review`)).body.state.status).toBe('under-review');
    const twice = await post('reviewer', `/api/nocs/${nocId}/start-review`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('NOC_WRONG_STATE');
    expect((await post('reviewer', `/api/nocs/${nocId}/recommend`, { recommendation: 'approve', reasons: 'Justified' })).status).toBe(200);
    const badValidity = await post('director', `/api/nocs/${nocId}/decide`, {
      decision: 'approve',
      reasons: 'Agreed',
      validFrom: '2099-06-01T00:00:00Z',
      validUntil: '2099-01-01T00:00:00Z',
    });
    expect(badValidity.status).toBe(422);
    expect(badValidity.body.error).toMatchObject({ code: 'NOC_INVALID_VALIDITY', field: 'validUntil' });
    const approved = await post('director', `/api/nocs/${nocId}/decide`, { decision: 'approve', reasons: 'Agreed' });
    expect(approved.status).toBe(200);
    expect(approved.body.state).toMatchObject({ status: 'active', validUntil: expect.any(String) });
  });

  it('acts once for a retried action with the same Idempotency-Key', async () => {
    const nocId = await newNoc();
    const key = { 'idempotency-key': 'start-once' };
    const first = await post('reviewer', `/api/nocs/${nocId}/start-review`, undefined, key);
    const again = await post('reviewer', `/api/nocs/${nocId}/start-review`, undefined, key);
    expect(first.status).toBe(200);
    expect(again).toEqual(first);
  });

  it('refuses, with 403 FOUR_EYES_VIOLATION, a provincial officer deciding what they recommended', async () => {
    const nocId = await newNoc('punjabPse');
    await post('officerA', `/api/nocs/${nocId}/start-review`);
    await post('officerA', `/api/nocs/${nocId}/recommend`, { recommendation: 'reject', reasons: 'Not justified' });
    const same = await post('officerA', `/api/nocs/${nocId}/decide`, { decision: 'reject', reasons: 'Not justified' });
    expect(same.status).toBe(403);
    expect(same.body.error.code).toBe('FOUR_EYES_VIOLATION');
    // A federal director oversees the province's NOCs (reads them) but does not decide them.
    const read = await api.app.inject({ method: 'GET', url: `/api/nocs/${nocId}`, headers: as('director') });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ live: { state: { request: { nocId, jurisdiction: 'punjab' } } } });
    const federal = await post('director', `/api/nocs/${nocId}/decide`, { decision: 'reject', reasons: 'No' });
    expect(federal.status).toBe(403);
    expect(federal.body.error).toMatchObject({ code: 'ROLE_NOT_ALLOWED', message: 'Only a provincial-officer decides a punjab NOC' });
    expect((await post('officerB', `/api/nocs/${nocId}/decide`, { decision: 'reject', reasons: 'Not justified' })).body.state.status).toBe('rejected');
  });

  it('answers 409 for an action on a finished NOC and 404 for one that never existed', async () => {
    const nocId = await newNoc();
    expect((await post('pse', `/api/nocs/${nocId}/withdraw`, { reason: 'No longer needed' })).body.state.status).toBe('withdrawn');
    // The process closes once it reaches a final state; wait for that before acting again.
    await api.env.client.workflow.getHandle(`noc:${nocId}`).result();
    const late = await post('pse', `/api/nocs/${nocId}/provide-information`, { answer: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'NOC_WRONG_STATE', message: `NOC ${nocId} is withdrawn; it takes no more actions` });
    const missing = await post('reviewer', '/api/nocs/NOC-2026-NOTHERE0/start-review');
    expect(missing.status).toBe(404);
  });
});
