import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureBinary } from '../../config/temporal-binaries';
import { allProjections } from '../../projections';
import { nocWorkflowId } from '../../workflows/noc/messages';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { verifyStreamChain } from '../../eventstore/integrity/hash-chain';
import { startStack, type Stack } from '../support/stack';
import { dumpModel } from '../../projections/model-dump';

/**
 * The whole NOC path on the real Temporal dev server, no time skipping: HTTP API → workflow → event
 * store → projections → register, with real identity and real read models.
 */
const TASK_QUEUE = 'system-noc';
const PASSWORD = 'a long enough password';
const ACCOUNTS = {
  pse: { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  sindh: { username: 'sana', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Sana Officer' },
  auditor: { username: 'asma', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor' },
} as const;
type Who = keyof typeof ACCOUNTS;

let stack: Stack;
let env: Stack['env'];
let store: Stack['store'];
let readModels: Stack['readModels'];
let runner: Stack['runner'];
let signer: Stack['signer'];
let base: string;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  ({ env, store, readModels, runner, signer, base } = stack);
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    const res = await call('POST', '/api/auth/login', undefined, { username: ACCOUNTS[who].username, password: PASSWORD, code: stack.totp.code(ACCOUNTS[who].username) });
    tokens[who] = (res.body as { token: string }).token;
  }
});

afterAll(async () => {
  await stack?.close();
});

async function call(method: string, path: string, who?: Who, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(who ? { authorization: `Bearer ${tokens[who]}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function registerRow(nocId: string): Promise<Record<string, unknown> | undefined> {
  const res = await call('GET', `/api/nocs?limit=500`, 'director');
  const items = (res.body.items ?? res.body.nocs ?? res.body) as Record<string, unknown>[];
  return items.find((r) => r.nocId === nocId);
}

/** Polls the register until the row satisfies `predicate`; returns how long it took. */
async function until(nocId: string, predicate: (row: Record<string, unknown>) => boolean, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const row = await registerRow(nocId);
    if (row && predicate(row)) return Date.now() - started;
    if (Date.now() - started > limitMs) throw new Error(`NOC ${nocId} did not reach the state within ${limitMs} ms: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const request = {
  deviation: 'on-premises-hosting',
  description: 'Keep the payroll system on premises',
  justification: 'Migration is scheduled for next quarter',
  dataClass: 'restricted',
  systems: ['payroll'],
  requestedMonths: 6,
};

async function countAll(): Promise<number> {
  return (await store.readAll()).length;
}

describe('a NOC through the API on the real dev server', () => {
  it('is in the register within 1 s of approval and expired there within 2 s after its instant', async () => {
    const created = await call('POST', '/api/nocs', 'pse', request);
    expect(created.status).toBe(201);
    const nocId = ((created.body.state ?? created.body) as { request?: { nocId: string } }).request?.nocId as string;
    expect(nocId).toMatch(/^NOC-/);

    expect((await call('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {})).status).toBe(200);
    const recommended = await call('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' });
    expect(recommended.status).toBe(200);

    const validUntil = new Date(Date.now() + 5000).toISOString();
    const approved = await call('POST', `/api/nocs/${nocId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil });
    expect(approved.status).toBe(200);
    const approvedAt = Date.now();
    await until(nocId, (row) => row.status === 'active' && row.validUntil === validUntil, 1000);
    expect(Date.now() - approvedAt).toBeLessThan(1000);

    await until(nocId, (row) => row.status === 'expired', 5000 + 2000);
    expect(Date.now() - Date.parse(validUntil)).toBeLessThan(2000);

    const detail = await call('GET', `/api/nocs/${nocId}`, 'director');
    const history = detail.body.history as { type: string; actor?: { userId: string } }[];
    expect(history.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended', 'NocApproved', 'NocExpired']);
    expect(verifyStreamChain(`noc-${nocId}`, await store.readStream(`noc-${nocId}`))).toBeUndefined();

    // The operator's view: Temporal itself lists the case by its search attributes.
    const { stdout } = await promisify(execFile)(ensureBinary('cli'), [
      'workflow', 'list', '--address', env.address, '--namespace', env.namespace ?? 'cloud-office',
      '--query', `CaseKind="noc" AND CaseStatus="expired"`, '--output', 'json',
    ]);
    expect(stdout).toContain(nocWorkflowId(nocId));
  });

  it('refuses a four-eyes violation with no trace in the workflow history and nothing written', async () => {
    const created = await call('POST', '/api/nocs', 'pse', request);
    const nocId = ((created.body.state ?? created.body) as { request: { nocId: string } }).request.nocId;
    await call('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {});
    const handle = env.client.workflow.getHandle(nocWorkflowId(nocId));
    const before = (await handle.fetchHistory()).events?.length;
    const eventsBefore = await countAll();

    const outside = await call('POST', `/api/nocs/${nocId}/recommend`, 'sindh', { recommendation: 'approve', reasons: 'x' });
    expect([403, 404]).toContain(outside.status);
    const early = await call('POST', `/api/nocs/${nocId}/decide`, 'director', { decision: 'approve', reasons: 'x' });
    expect(early.status).toBe(409);
    expect((early.body.error as { code: string }).code).toBe('NOC_NO_RECOMMENDATION');

    expect((await handle.fetchHistory()).events?.length).toBe(before);
    expect(await countAll()).toBe(eventsBefore);
  });

  it('answers a malformed or unauthorized request with the documented error and writes nothing', async () => {
    const eventsBefore = await countAll();
    const bad = await call('POST', '/api/nocs', 'pse', { ...request, dataClass: 'top-secret' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'dataClass' });
    const broken = await call('POST', '/api/nocs', 'pse', '{"deviation":');
    expect(broken.status).toBe(400);
    const anonymous = await call('POST', '/api/nocs', undefined, request);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toMatchObject({ code: 'UNAUTHENTICATED' });
    const wrongRole = await call('POST', '/api/nocs', 'reviewer', request);
    expect(wrongRole.status).toBe(403);
    const tooLong = await call('POST', '/api/nocs', 'pse', { ...request, requestedMonths: 13 });
    expect([400, 422]).toContain(tooLong.status);
    expect((tooLong.body.error as { field: string }).field).toBe('requestedMonths');
    expect(await countAll()).toBe(eventsBefore);
  });

  it('writes a retried request and a retried action only once', async () => {
    const key = { 'idempotency-key': `retry-${Date.now()}` };
    const first = await call('POST', '/api/nocs', 'pse', request, key);
    const again = await call('POST', '/api/nocs', 'pse', request, key);
    const id = (b: Record<string, unknown>) => ((b.state ?? b) as { request: { nocId: string } }).request.nocId;
    expect(id(again.body)).toBe(id(first.body));
    const actionKey = { 'idempotency-key': `start-${Date.now()}` };
    await call('POST', `/api/nocs/${id(first.body)}/start-review`, 'reviewer', {}, actionKey);
    const repeated = await call('POST', `/api/nocs/${id(first.body)}/start-review`, 'reviewer', {}, actionKey);
    expect(repeated.status).toBe(200);
    const events = await store.readStream(`noc-${id(first.body)}`);
    expect(events.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted']);
  });

  it('lets an auditor replay the register as of now, get a verified dossier and verify the whole log', async () => {
    const created = await call('POST', '/api/nocs', 'pse', request);
    const nocId = ((created.body.state ?? created.body) as { request: { nocId: string } }).request.nocId;
    await call('POST', `/api/nocs/${nocId}/start-review`, 'reviewer', {});
    await runner.waitFor(await store.headPosition());
    await new Checkpointer(store, signer).checkpoint(new Date().toISOString());

    const asOf = await call('GET', '/api/audit/read-models/noc-register', 'auditor');
    expect(asOf.status).toBe(200);
    const live = dumpModel(readModels, allProjections().find((p) => p.name === 'noc-register')!);
    expect(asOf.body.tables).toEqual(live.tables);
    const before = await call('GET', `/api/audit/read-models/noc-register?asOf=${encodeURIComponent('2000-01-01T00:00:00Z')}`, 'auditor');
    expect(before.body).toMatchObject({ events: 0, tables: { noc_register: [], noc_history: [] } });

    const dossier = await call('GET', `/api/audit/cases/noc-${nocId}/dossier`, 'auditor');
    expect(dossier.status).toBe(200);
    expect(dossier.body.verification).toMatchObject({ intact: true, coveredBy: { sequence: 0, revision: 1 } });
    expect((dossier.body.events as { actor: { name: string } }[]).map((e) => e.actor.name)).toEqual(['MoITT officer', 'Rania Reviewer']);

    const verification = await call('GET', '/api/audit/verification', 'auditor');
    expect(verification.body).toMatchObject({ breaks: [], checkpoints: { verified: 1, findings: [] } });
    expect((await call('GET', '/api/audit/verification', 'director')).status).toBe(403);
  });
});
