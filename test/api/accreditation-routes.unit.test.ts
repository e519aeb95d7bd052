import type { FastifyInstance } from 'fastify';
import type { AccreditationGateway, SubmitAccreditationPayload } from '../../api/accreditation-gateway';
import type { CspGateway, RegisterCspPayload } from '../../api/csp-gateway';
import { buildApi } from '../../api/server';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { decideAccreditation, foldAccreditation, type AccreditationCommand, type AccreditationEvent } from '../../domain/accreditation';
import { decideCsp, foldCsp, type CspCommand, type CspEvent } from '../../domain/csp';
import type { Actor } from '../../domain/shared/actor';
import { type Identity } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import type { AccreditationActionInput, AccreditationView } from '../../workflows/accreditation/messages';
import type { CspActionInput, CspView } from '../../workflows/csp/messages';
import { FakeEventStore, officeWithFakes } from './fakes';

/**
 * The CSP and accreditation routes over in-memory gateways that run the real deciders, so the API
 * answers with the refusals the processes would give.
 */
const config = loadConfig({});
const frameworks = createFrameworkLibrary(config.framework);
const now = (): string => new Date().toISOString();

class FakeCspGateway implements CspGateway {
  readonly events = new Map<string, CspEvent[]>();
  readonly commandIds: string[] = [];
  private view(cspId: string): CspView {
    const events = this.events.get(cspId) ?? [];
    return { state: foldCsp(events), revision: events.length - 1 };
  }
  private run(cspId: string, command: CspCommand): CspView {
    const events = this.events.get(cspId) ?? [];
    this.events.set(cspId, [...events, ...decideCsp(command, foldCsp(events), { now: now() })]);
    return this.view(cspId);
  }
  async register(actor: Actor, payload: RegisterCspPayload, commandId: string): Promise<CspView> {
    this.commandIds.push(commandId);
    return this.run(payload.cspId, { type: 'RegisterCsp', actor, data: payload });
  }
  async act(cspId: string, action: CspActionInput): Promise<CspView> {
    this.commandIds.push(action.commandId);
    return this.run(cspId, { type: action.type, actor: action.actor, data: action.data } as CspCommand);
  }
  async state(cspId: string): Promise<CspView | undefined> {
    return this.events.has(cspId) ? this.view(cspId) : undefined;
  }
}

class FakeAccreditationGateway implements AccreditationGateway {
  readonly events = new Map<string, AccreditationEvent[]>();
  constructor(private readonly csps: FakeCspGateway) {}
  private view(id: string): AccreditationView {
    const events = this.events.get(id) ?? [];
    return { state: foldAccreditation(events), revision: events.length - 1, complianceRefusals: [] };
  }
  private run(id: string, command: AccreditationCommand): AccreditationView {
    const events = this.events.get(id) ?? [];
    const ctx = { now: now(), policy: config.accreditationPolicy, framework: frameworks.load('1.0') };
    this.events.set(id, [...events, ...decideAccreditation(command, foldAccreditation(events), ctx)]);
    return this.view(id);
  }
  async submit(actor: Actor, payload: SubmitAccreditationPayload): Promise<AccreditationView> {
    const csp = await this.csps.state(actor.organisationId ?? '');
    const offering = csp?.state.status === 'registered' ? csp.state.offerings[payload.offeringId] : undefined;
    if (!offering) throw new Error('test set-up: no offering');
    const { status: _status, ...facts } = offering;
    const id = `ACC-TEST-${this.events.size + 1}`;
    return this.run(id, {
      type: 'Submit',
      actor,
      data: { applicationId: id, cspId: actor.organisationId ?? '', offering: facts, requestedBaseline: payload.requestedBaseline, evidence: payload.evidence, frameworkVersion: '1.0' },
    });
  }
  async act(id: string, action: AccreditationActionInput): Promise<AccreditationView> {
    return this.run(id, { type: action.type, actor: action.actor, data: action.data } as AccreditationCommand);
  }
  async state(id: string): Promise<AccreditationView | undefined> {
    return this.events.has(id) ? this.view(id) : undefined;
  }
}

const ACCOUNTS = {
  csp: { username: 'csp-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one', displayName: 'Chaudhry CSP' },
  otherCsp: { username: 'csp-two', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-two', displayName: 'Other CSP' },
  reviewer: { username: 'reviewer', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'director', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  admin: { username: 'root', role: 'admin', jurisdiction: 'federal', displayName: 'Admin' },
  pse: { username: 'pse', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'PSE' },
} as const;
type Who = keyof typeof ACCOUNTS;

let identity: Identity;
let app: FastifyInstance;
let bare: FastifyInstance;
let csps: FakeCspGateway;
let accreditations: FakeAccreditationGateway;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  identity = await createTestIdentity();
  for (const [who, account] of Object.entries(ACCOUNTS) as [Who, (typeof ACCOUNTS)[Who]][]) {
    tokens[who] = (await seedEnrolledAccount(identity, { ...account, password: 'correct horse battery' })).token;
  }
  csps = new FakeCspGateway();
  accreditations = new FakeAccreditationGateway(csps);
  const base = officeWithFakes({ dataDir: config.dataDir, identity, eventStore: new FakeEventStore() });
  app = buildApi({ ...base, cspGateway: csps, accreditationGateway: accreditations });
  bare = buildApi(base);
  await app.ready();
  await bare.ready();
});

afterAll(async () => {
  await app?.close();
  await bare?.close();
  identity?.close();
});

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: Who, payload?: unknown, headers: Record<string, string> = {}, on = app) {
  const res = await on.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}
const code = (res: { body: Record<string, unknown> }): unknown => (res.body.error as { code?: unknown } | undefined)?.code;

const ORGANISATION = { cspId: 'csp-one', name: 'One Cloud', registrationNumber: 'R-1', contact: { name: 'A', email: 'a@one.example.pk' } };
const OFFERING = { offeringId: 'gov', name: 'One Gov', serviceModels: ['IaaS'], deploymentModel: 'government', dataCentres: [{ city: 'Islamabad', country: 'PK' }] };

describe('the CSP and accreditation routes', () => {
  it('registers a CSP for its own representative only, and passes the Idempotency-Key on as the command id', async () => {
    expect(code(await call('POST', '/api/csps', 'pse', ORGANISATION))).toBe('ROLE_NOT_ALLOWED');
    expect(code(await call('POST', '/api/csps', 'otherCsp', ORGANISATION))).toBe('NOT_CASE_OWNER');
    const created = await call('POST', '/api/csps', 'csp', ORGANISATION, { 'idempotency-key': 'reg-1' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ state: { status: 'registered', cspId: 'csp-one' }, revision: 0 });
    expect(csps.commandIds).toContain('reg-1');
    expect(code(await call('POST', '/api/csps', 'admin', ORGANISATION))).toBe('CSP_ALREADY_REGISTERED');
  });

  it('adds, changes and retires offerings with the offering named by the path', async () => {
    expect((await call('POST', '/api/csps/csp-one/offerings', 'csp', OFFERING)).status).toBe(201);
    const bad = await call('POST', '/api/csps/csp-one/offerings', 'csp', { ...OFFERING, offeringId: 'x', dataCentres: [{ city: 'Lahore', country: 'pk' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'dataCentres.0.country' });
    expect((await call('PUT', '/api/csps/csp-one/offerings/gov', 'csp', {})).status).toBe(400);
    const changed = await call('PUT', '/api/csps/csp-one/offerings/gov', 'csp', { name: 'One Gov 2' });
    expect(changed.body).toMatchObject({ state: { offerings: { gov: { name: 'One Gov 2', status: 'active' } } } });
    expect((await call('POST', '/api/csps/csp-one/offerings', 'csp', { ...OFFERING, offeringId: 'old' })).status).toBe(201);
    const retired = await call('DELETE', '/api/csps/csp-one/offerings/old', 'csp', { reason: 'End of life' });
    expect(retired.body).toMatchObject({ state: { offerings: { old: { status: 'retired' } } } });
    expect(code(await call('PUT', '/api/csps/csp-one/offerings/old', 'csp', { name: 'Back' }))).toBe('OFFERING_RETIRED');
    expect((await call('GET', '/api/csps/csp-one', 'director')).status).toBe(200);
    // Another organisation's record and a missing one get the same answer, on reads and on actions.
    const missing = (await call('GET', '/api/csps/nobody', 'director')).body.error;
    expect(missing).toEqual({ code: 'NOT_FOUND', message: 'No CSP nobody is registered' });
    for (const who of ['pse', 'otherCsp'] as const) {
      expect((await call('GET', '/api/csps/csp-one', who)).body.error).toEqual({ code: 'NOT_FOUND', message: 'No CSP csp-one is registered' });
    }
    expect((await call('POST', '/api/csps/csp-one/offerings', 'otherCsp', { ...OFFERING, offeringId: 'y' })).body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'No CSP csp-one is registered',
    });
  });

  it('takes an application from a CSP, checks roles per action and shows it only to staff and its CSP', async () => {
    expect((await call('POST', '/api/accreditations', 'reviewer', { offeringId: 'gov', requestedBaseline: 'baseline', evidence: [] })).status).toBe(403);
    const empty = await call('POST', '/api/accreditations', 'csp', { offeringId: 'gov', requestedBaseline: 'baseline', evidence: [] });
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'evidence' });
    const submitted = await call('POST', '/api/accreditations', 'csp', {
      offeringId: 'gov',
      requestedBaseline: 'baseline',
      evidence: [{ kind: 'iso-27001', reference: 'Cert 1' }],
    });
    expect(submitted.status).toBe(201);
    const id = (submitted.body as { state: { application: { applicationId: string } } }).state.application.applicationId;

    expect(code(await call('POST', `/api/accreditations/${id}/start-screening`, 'director', {}))).toBe('ROLE_NOT_ALLOWED');
    expect((await call('POST', `/api/accreditations/${id}/start-screening`, 'reviewer')).body).toMatchObject({ state: { status: 'screening' } });
    const asked = await call('POST', `/api/accreditations/${id}/request-information`, 'reviewer', { questions: 'SOC 2?' });
    expect(asked.body).toMatchObject({ state: { status: 'awaiting-applicant' } });
    expect((await call('POST', `/api/accreditations/${id}/provide-information`, 'otherCsp', { answer: 'x' })).body.error).toEqual({
      code: 'NOT_FOUND',
      message: `No application ${id}`,
    });
    expect((await call('POST', `/api/accreditations/${id}/provide-information`, 'csp', { answer: 'Attached' })).status).toBe(200);
    const badDecision = await call('POST', `/api/accreditations/${id}/decide`, 'director', { decision: 'maybe', reasons: 'x' });
    expect(badDecision.status).toBe(400);
    expect(code(await call('POST', `/api/accreditations/${id}/decide`, 'director', { decision: 'reject', reasons: 'x' }))).toBe('ACCREDITATION_WRONG_STATE');

    expect((await call('GET', `/api/accreditations/${id}`, 'csp')).body).toMatchObject({ live: { state: { status: 'screening' } }, history: [] });
    expect((await call('GET', `/api/accreditations/${id}`, 'director')).status).toBe(200);
    expect(code(await call('GET', `/api/accreditations/${id}`, 'otherCsp'))).toBe('NOT_FOUND');
    expect(code(await call('GET', `/api/accreditations/${id}`, 'pse'))).toBe('NOT_FOUND');
    expect(code(await call('GET', '/api/accreditations/ACC-NONE', 'director'))).toBe('NOT_FOUND');
  });

  it('answers 503 when the server runs without the accreditation processes', async () => {
    const res = await call('POST', '/api/accreditations', 'csp', { offeringId: 'gov', requestedBaseline: 'baseline', evidence: [{ kind: 'other', reference: 'x' }] }, {}, bare);
    expect(res.status).toBe(503);
    expect(code(await call('GET', '/api/csps/csp-one', 'csp', undefined, {}, bare))).toBe('UNAVAILABLE');
  });
});
