import { DomainError, type ErrorCode } from '../../domain/shared/errors';
import { NOC_REQUEST, startTestApi, type TestApi } from './harness';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const ERROR_SHAPE = { error: { code: expect.any(String), message: expect.any(String) } };

async function requestNoc(): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/api/nocs', headers: api.as('pse'), payload: NOC_REQUEST });
  expect(res.statusCode).toBe(201);
  return res.json().state.request.nocId as string;
}

describe('the error shape and statuses', () => {
  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'No route GET /api/nothing-here' } });
  });

  it('answers a path segment over the length limit with 400 in the error shape, not the router\'s 414', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/api/nocs/${'0'.repeat(601)}`, headers: api.as('pse') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'A path segment is longer than 600 characters' } });
  });

  it('takes an identifier as long as the document allows, every character %-escaped, to the route', async () => {
    const res = await api.app.inject({ method: 'GET', url: `/api/nocs/${'%3A'.repeat(100)}`, headers: api.as('pse') });
    expect({ status: res.statusCode, code: res.json().error?.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers a malformed %-escape in the path with 400 in the error shape', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs/%E0%A4%A', headers: api.as('pse') });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
  });

  it('refuses a request without a token with 401 and a Bearer challenge', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('refuses an unknown token with 401', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${'A'.repeat(43)}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/unknown, expired or revoked/);
  });

  it('checks the token before it reads the body, so a stranger with bad JSON gets 401', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(res.statusCode).toBe(401);
  });

  it('refuses a role that may never use the route with 403 before calling the gateway', async () => {
    const before = api.gateway.calls.length;
    const res = await api.app.inject({ method: 'POST', url: '/api/nocs', headers: api.as('reviewer'), payload: NOC_REQUEST });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'ROLE_NOT_ALLOWED' } });
    expect(res.json().error.message).toContain('pse');
    expect(api.gateway.calls.length).toBe(before);
  });

  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: { ...api.as('pse'), 'content-type': 'application/json' },
      payload: '{"deviation": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(res.json().error.message).toMatch(/not valid JSON/);
  });

  it('answers a body of the wrong media type with 400 in the error shape', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: { ...api.as('pse'), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject(ERROR_SHAPE);
  });

  it('names the first failing field of a bad body and does not call the gateway', async () => {
    const before = api.gateway.calls.length;
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: api.as('pse'),
      payload: { ...NOC_REQUEST, systems: ['land-records', ''] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringMatching(/^systems\.1: /), field: 'systems.1' } });
    expect(api.gateway.calls.length).toBe(before);
  });

  it('names a missing field of an action body and does not call the gateway', async () => {
    const nocId = await requestNoc();
    const before = api.gateway.calls.length;
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/nocs/${nocId}/recommend`,
      headers: api.as('reviewer'),
      payload: { recommendation: 'approve' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'reasons' });
    expect(api.gateway.calls.length).toBe(before);
  });

  it('names a bad query parameter', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs?status=active,bogus', headers: api.as('auditor') });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'status.1' });
  });

  it('refuses a malformed Idempotency-Key, naming the header', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/nocs',
      headers: { ...api.as('pse'), 'idempotency-key': 'has spaces in it' },
      payload: NOC_REQUEST,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'Idempotency-Key' });
  });

  it('answers 404 for a NOC that does not exist', async () => {
    const res = await api.app.inject({ method: 'GET', url: '/api/nocs/NOC-2026-NOPE0000', headers: api.as('auditor') });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('answers 404 for an action on a NOC that does not exist', async () => {
    const res = await api.app.inject({ method: 'POST', url: '/api/nocs/NOC-2026-NOPE0000/start-review', headers: api.as('reviewer') });
    expect(res.statusCode).toBe(404);
  });

  it("passes the domain's own refusals through with their status: deciding before any recommendation is a conflict", async () => {
    const nocId = await requestNoc();
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/nocs/${nocId}/decide`,
      headers: api.as('director'),
      payload: { decision: 'approve', reasons: 'Looks fine' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { code: 'NOC_NO_RECOMMENDATION' } });
  });

  const mapping: [ErrorCode, number, string | undefined][] = [
    ['FOUR_EYES_VIOLATION', 403, undefined],
    ['OUTSIDE_JURISDICTION', 403, undefined],
    ['NOT_CASE_OWNER', 403, undefined],
    ['NOC_NOT_REQUESTED', 404, undefined],
    ['NOC_WRONG_STATE', 409, undefined],
    ['NOC_ALREADY_DECIDED', 409, undefined],
    ['NOC_EXTENSION_TOO_LONG', 422, 'months'],
    ['NOC_INVALID_VALIDITY', 422, 'validUntil'],
    ['REVIEW_EXTENSION_TOO_LONG', 422, 'newDeadline'],
    ['VALIDATION_FAILED', 400, 'questions'],
    ['UNAVAILABLE', 503, undefined],
    ['INTERNAL_ERROR', 500, undefined],
  ];
  it.each(mapping)('maps a %s refusal from the process to HTTP %i, keeping its field', async (code, status, field) => {
    const nocId = await requestNoc();
    api.gateway.failNext = new DomainError(code, `refused: ${code}`, field);
    const res = await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/start-review`, headers: api.as('reviewer') });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({ error: field ? { code, message: `refused: ${code}`, field } : { code, message: `refused: ${code}` } });
  });

  it('hides the details of an unexpected error behind INTERNAL_ERROR', async () => {
    const nocId = await requestNoc();
    api.gateway.failNext = undefined;
    const original = api.gateway.act.bind(api.gateway);
    api.gateway.act = async () => {
      throw new TypeError('secret internals: cannot read x of undefined');
    };
    try {
      const res = await api.app.inject({ method: 'POST', url: `/api/nocs/${nocId}/start-review`, headers: api.as('reviewer') });
      expect(res.statusCode).toBe(500);
      expect(res.json().error.code).toBe('INTERNAL_ERROR');
      expect(res.body).not.toContain('secret internals');
      // The client gets what finds the log line, nothing more.
      expect(res.json().error.message).toMatch(/logged under request id \S+/);
    } finally {
      api.gateway.act = original;
    }
  });
});
