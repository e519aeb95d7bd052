import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../config/config';
import { buildApi } from '../../api/server';
import { HEALTHY, NOC_REQUEST, PASSWORD, startTestApi, type TestApi } from './harness';
import { FakeEventStore, FakeNocGateway, officeWithFakes } from './fakes';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ loginThrottle: { perAccountAndAddress: [{ max: 3, windowMs: 60_000 }] } });
});
afterAll(() => api.close());

describe('logging in and out', () => {
  it('gives a token, its expiry and the actor for a right password, and the token opens /api/me', async () => {
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'Reviewer', password: PASSWORD, code: api.totp.code('Reviewer') } });
    expect(login.statusCode).toBe(200);
    const session = login.json();
    expect(session).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      actor: { userId: api.actors.reviewer.userId, name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' },
    });
    const me = await api.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${session.token}` } });
    expect(me.json()).toEqual(session.actor);
  });

  it('answers a wrong password with 401 INVALID_CREDENTIALS', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'director', password: 'not the password' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Unknown username or wrong password' } });
  });

  it('answers a login without a password with 400 naming the field', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'director' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('password');
  });

  it('ends the session on logout, after which the token gets 401', async () => {
    const { token } = (await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'auditor', password: PASSWORD, code: api.totp.code('auditor') } })).json();
    const headers = { authorization: `Bearer ${token}` };
    const logout = await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers });
    expect(logout.statusCode).toBe(204);
    const me = await api.app.inject({ method: 'GET', url: '/api/me', headers });
    expect(me.statusCode).toBe(401);
  });

  it('refuses the attempt after three failures within the window for one username and address with 429', async () => {
    const attempt = () => api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'csp-rep', password: 'wrong password!' } });
    for (let i = 0; i < 3; i++) expect((await attempt()).statusCode).toBe(401);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right password waits: the lockout is decided before the password is checked.
    const right = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'CSP-REP', password: PASSWORD, code: api.totp.code('CSP-REP') } });
    expect(right.statusCode).toBe(429);
    // Another username from the same address is not affected.
    const other = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'director', password: PASSWORD, code: api.totp.code('director') } });
    expect(other.statusCode).toBe(200);
  });
});

describe('accounts', () => {
  it('lets an admin create an account and returns a generated password once', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: api.as('admin'),
      payload: { username: 'New.Officer', role: 'provincial-officer', jurisdiction: 'sindh', displayName: 'Nadia Officer' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.account).toMatchObject({ username: 'new.officer', role: 'provincial-officer', jurisdiction: 'sindh', organisationId: null, disabled: false });
    expect(body.generatedPassword).toEqual(expect.any(String));
    expect(JSON.stringify(body.account)).not.toContain('hash');
    // The generated password is right: what is missing is the authenticator the account enrols first.
    const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'new.officer', password: body.generatedPassword } });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('MFA_ENROLMENT_REQUIRED');
  });

  it('does not echo a password the admin chose', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: api.as('admin'),
      payload: { username: 'chosen', role: 'auditor', jurisdiction: 'federal', password: 'a chosen passphrase' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('generatedPassword');
  });

  it('names organisationId when a PSE account lacks one, and answers 409 for a taken username', async () => {
    const missing = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: api.as('admin'),
      payload: { username: 'pse-two', role: 'pse', jurisdiction: 'federal' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'organisationId' });
    const taken = await api.app.inject({
      method: 'POST',
      url: '/api/accounts',
      headers: api.as('admin'),
      payload: { username: 'reviewer', role: 'reviewer', jurisdiction: 'federal' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error).toMatchObject({ code: 'ACCOUNT_EXISTS', field: 'username' });
  });

  it('lists accounts for admins only', async () => {
    const list = await api.app.inject({ method: 'GET', url: '/api/accounts', headers: api.as('admin') });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((a: { username: string }) => a.username)).toEqual(expect.arrayContaining(['root', 'reviewer', 'pse-officer']));
    const forbidden = await api.app.inject({ method: 'GET', url: '/api/accounts', headers: api.as('director') });
    expect(forbidden.statusCode).toBe(403);
    const create = await api.app.inject({ method: 'POST', url: '/api/accounts', headers: api.as('auditor'), payload: {} });
    expect(create.statusCode).toBe(403);
  });
});

describe('the request log', () => {
  it('writes one line per request with method, url, status, duration, actor and case', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const gateway = new FakeNocGateway();
    const app = buildApi(
      officeWithFakes(
        { dataDir: loadConfig({}).dataDir, identity: api.identity, eventStore: new FakeEventStore() },
        { nocGateway: gateway, health: async () => HEALTHY, logger: pino({ level: 'info' }, sink) },
      ),
    );
    const view = await gateway.request(api.actors.pse, NOC_REQUEST as never, 'c1');
    const nocId = view.state.status === 'none' ? '' : view.state.request.nocId;
    await app.inject({ method: 'POST', url: `/api/nocs/${nocId}/start-review`, headers: api.as('reviewer') });
    await app.close();
    const requestLines = lines.filter((l) => l.msg === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      method: 'POST',
      url: `/api/nocs/${nocId}/start-review`,
      status: 200,
      durationMs: expect.any(Number),
      actorId: api.actors.reviewer.userId,
      caseId: nocId,
    });
    expect(lines).toHaveLength(1);
  });
});
