import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../config/config';
import type { Identity } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { composeOffice } from '../../server/compose';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { InjectBrowser as Browser } from './inject-browser';
import { testTotp } from '../support/mfa';

/** Headers, cookies and token kinds of the composed office (API and UI on one instance), without Temporal. */
const PASSWORD = 'a long enough password';
const HTTPS_PROXY = { 'x-forwarded-proto': 'https' };

let dir: string;
let identity: Identity;
const apps: FastifyInstance[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'web-security-'));
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer', password: PASSWORD });
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()?.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

function startOffice(env: Record<string, string> = {}): FastifyInstance {
  const app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: new FakeEventStore() }, { config: { ...loadConfig(env), dataDir: dir } }));
  apps.push(app);
  return app;
}

async function apiToken(app: FastifyInstance): Promise<string> {
  return (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'rania', password: PASSWORD, code: testTotp.code('rania') } })).json().token;
}

function expectHardened(res: LightMyRequestResponse): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('DENY');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
}

describe('security headers', () => {
  it('are on the API’s public, authenticated and error answers, and authenticated ones are never cached', async () => {
    const app = startOffice();
    const token = await apiToken(app);
    const open = await app.inject({ method: 'GET', url: '/openapi.json' });
    const mine = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    const refused = await app.inject({ method: 'GET', url: '/api/me' });
    const missing = await app.inject({ method: 'GET', url: '/api/no-such-thing' });
    const invalid = await app.inject({ method: 'POST', url: '/api/auth/login', payload: {} });
    expect([open.statusCode, mine.statusCode, refused.statusCode, missing.statusCode, invalid.statusCode]).toEqual([200, 200, 401, 404, 400]);
    for (const res of [open, mine, refused, missing, invalid]) expectHardened(res);
    expect(mine.headers['cache-control']).toBe('no-store');
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('are on the UI’s public, signed-in and error pages, whose markup has no inline script or style for the policy to block', async () => {
    const app = startOffice();
    const browser = new Browser(app);
    const pages = [await browser.request('GET', '/'), await browser.request('GET', '/ui/login')];
    await browser.signIn('rania', PASSWORD);
    const queue = await browser.request('GET', '/ui/queue');
    const missing = await browser.request('GET', '/ui/no-such-page');
    const css = await browser.request('GET', '/ui/static/ui.css');
    expect([...pages, queue, missing, css].map((r) => r.statusCode)).toEqual([200, 200, 200, 404, 200]);
    for (const res of [...pages, queue, missing, css]) expectHardened(res);
    expect(queue.headers['cache-control']).toBe('no-store');
    for (const res of [...pages, queue, missing]) {
      expect(res.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(res.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    }
  });

  it('pin the browser to https (HSTS) only on answers that came over TLS', async () => {
    const plain = startOffice();
    const local = await plain.inject({ method: 'GET', url: '/ui/login' });
    expect(local.headers['strict-transport-security']).toBeUndefined();
    expect(String(local.headers['content-security-policy'])).not.toContain('upgrade-insecure-requests');

    const proxied = startOffice({ PUBLIC_URL: 'https://office.example.gov.pk', TRUST_PROXY: 'true' });
    const overTls = await proxied.inject({ method: 'GET', url: '/openapi.json', headers: HTTPS_PROXY });
    expect(overTls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(String(overTls.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
    const overHttp = await proxied.inject({ method: 'GET', url: '/openapi.json' });
    expect(overHttp.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('cookies', () => {
  it('have plain names and no Secure flag when the office is served over http', async () => {
    const browser = new Browser(startOffice({ PUBLIC_URL: 'http://127.0.0.1:3000' }));
    const form = String((await browser.request('GET', '/ui/login')).headers['set-cookie']);
    expect(form).toMatch(/^co_form=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; SameSite=Lax$/);
    const session = String((await browser.signIn('rania', PASSWORD)).headers['set-cookie']);
    expect(session).toMatch(/^co_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect((await browser.request('GET', '/ui/queue')).statusCode).toBe(200);
  });

  it('are Secure and __Host- prefixed when the office is served over https behind a trusted proxy', async () => {
    const app = startOffice({ PUBLIC_URL: 'https://office.example.gov.pk', TRUST_PROXY: '127.0.0.1' });
    const browser = new Browser(app, HTTPS_PROXY);
    const form = String((await browser.request('GET', '/ui/login')).headers['set-cookie']);
    expect(form).toMatch(/^__Host-co_form=[A-Za-z0-9_-]{32}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const signIn = await browser.signIn('rania', PASSWORD);
    expect(signIn.statusCode).toBe(303);
    expect(String(signIn.headers['set-cookie'])).toMatch(/^__Host-co_session=[A-Za-z0-9_-]{43}; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/);
    const queue = await browser.request('GET', '/ui/queue');
    expect(queue.statusCode).toBe(200);
    expect(queue.headers['strict-transport-security']).toBeDefined();
    // A cookie under the plain name, as a plain-http page could plant it, is no session here.
    const planted = await app.inject({ method: 'GET', url: '/ui/queue', headers: { ...HTTPS_PROXY, cookie: `co_session=${browser.cookies.get('__Host-co_session')}` } });
    expect(planted.statusCode).toBe(303);
  });
});

describe('token kinds', () => {
  it('does not take a UI session cookie’s token as an API bearer token', async () => {
    const app = startOffice();
    const browser = new Browser(app);
    await browser.signIn('rania', PASSWORD);
    const cookieToken = browser.cookies.get('co_session') as string;
    expect((await browser.request('GET', '/ui/queue')).statusCode).toBe(200);
    const asBearer = await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${cookieToken}` } });
    expect(asBearer.statusCode).toBe(401);
    expect(asBearer.json().error.code).toBe('UNAUTHENTICATED');
    expect(identity.authenticate(cookieToken, 'api')).toBeUndefined();
    expect(identity.authenticate(cookieToken, 'ui')).toMatchObject({ name: 'Rania Reviewer' });
  });

  it('does not take an API bearer token as a UI session cookie', async () => {
    const app = startOffice();
    const token = await apiToken(app);
    expect((await app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    const asCookie = await app.inject({ method: 'GET', url: '/ui/queue', headers: { cookie: `co_session=${token}` } });
    expect(asCookie.statusCode).toBe(303);
    expect(asCookie.headers.location).toMatch(/^\/ui\/login\?reason=required/);
    expect(identity.authenticate(token, 'ui')).toBeUndefined();
    expect(identity.logout(token, 'ui')).toBe(false);
  });
});

describe('the sign-in throttle', () => {
  it('is shared by the API and the UI: failures at one lock the other for that username and address', async () => {
    const app = startOffice();
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'rania', password: 'wrong password' } });
      expect(res.statusCode).toBe(401);
    }
    const browser = new Browser(app);
    const refused = await browser.signIn('rania', PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many sign-in attempts; try again in');
    expect(browser.cookies.has('co_session')).toBe(false);
  });
});
