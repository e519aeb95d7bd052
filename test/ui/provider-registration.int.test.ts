import { addWorkingDays } from '../../domain/shared/service-levels';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createCspRegistrationDesk, type CspRegistrationDesk } from '../../api/csp-registration-desk';
import type { CspGateway } from '../../api/csp-gateway';
import { decideCsp, foldCsp, type CspEvent } from '../../domain/csp';
import { type Identity } from '../../identity';
import { composeOffice } from '../../server/compose';
import { MemoryStreams } from '../api/framework-register-store';
import { FakeEventStore, officeWithFakes } from '../api/fakes';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { testTotp } from '../support/mfa';
import { InjectBrowser as Browser } from './inject-browser';

/** The public registration request and the administrators' decisions, through HTTP, over an in-memory desk and CSP register. */
const PASSWORD = 'a long enough password';
const FORM = {
  organisationName: 'Nimbus Cloud (Pvt.) Ltd.',
  registrationNumber: '0123456',
  contactName: 'Nadia Nimbus',
  contactEmail: 'nadia@nimbus.example',
  contactPhone: '',
  username: 'nadia',
};

let dir: string;
let identity: Identity;
let desk: CspRegistrationDesk;
let register: Map<string, CspEvent[]>;
let app: FastifyInstance;

const cspGateway: CspGateway = {
  async register(actor, payload) {
    const events = decideCsp({ type: 'RegisterCsp', actor, data: payload }, foldCsp(register.get(payload.cspId) ?? []), { now: new Date().toISOString() });
    register.set(payload.cspId, [...(register.get(payload.cspId) ?? []), ...events]);
    return { state: foldCsp(register.get(payload.cspId) ?? []), revision: 0 };
  },
  async act() {
    throw new Error('not used');
  },
  async state(cspId) {
    return register.has(cspId) ? { state: foldCsp(register.get(cspId) ?? []), revision: 0 } : undefined;
  },
};

async function start(throttle = { max: 100, windowMs: 60_000 }): Promise<void> {
  app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: new FakeEventStore() }, { cspGateway, cspRegistrations: desk, registrationThrottle: throttle }));
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provider-registration-'));
  identity = await createTestIdentity();
  await seedEnrolledAccount(identity, { username: 'amna', role: 'admin', jurisdiction: 'federal', displayName: 'Amna Admin', password: PASSWORD });
  await seedEnrolledAccount(identity, { username: 'stratus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-stratus', displayName: 'Stratus Rep', password: PASSWORD });
  register = new Map();
  desk = createCspRegistrationDesk({ eventStore: new MemoryStreams(), identity, csps: cspGateway });
});

afterEach(async () => {
  await app.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sendRequest(browser: Browser, form: Record<string, string> = FORM) {
  const _csrf = await browser.csrf('/ui/provider-registration');
  return browser.request('POST', '/ui/provider-registration', { _csrf, ...form });
}

async function signedIn(username: string): Promise<Browser> {
  const browser = new Browser(app);
  await browser.signIn(username, PASSWORD);
  return browser;
}

describe('the public registration request', () => {
  it('records the request without an account and says which request awaits the office', async () => {
    await start();
    const visitor = new Browser(app);
    const res = await sendRequest(visitor);
    expect(res.statusCode).toBe(303);
    const [request] = await desk.list();
    expect(request).toMatchObject({ status: 'requested', username: 'nadia', organisation: { name: FORM.organisationName, registrationNumber: '0123456', contact: { name: 'Nadia Nimbus', email: 'nadia@nimbus.example' } } });
    expect(request?.organisation.contact).not.toHaveProperty('phone');
    expect(res.headers.location).toBe(`/ui/provider-registration/sent?request=${request?.requestId}`);
    expect((await visitor.request('GET', res.headers.location as string)).body).toContain(request?.requestId);
  });

  it('names each refused field and keeps everything typed, recording nothing', async () => {
    await start();
    const res = await sendRequest(new Browser(app), { ...FORM, organisationName: '  ', contactEmail: 'not an email', username: '9lives' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="registration-organisationName-error">Organisation name: must not be empty<');
    expect(res.body).toContain('id="registration-contactEmail-error">Contact email: must be an email address<');
    expect(res.body).toMatch(/id="registration-username-error">Username you want: must be 3 to 32 characters/);
    expect(res.body).toContain('value="not an email"');
    expect(res.body).toContain('value="Nadia Nimbus"');
    expect(await desk.list()).toEqual([]);
  });

  it('refuses a second request for a company whose request waits, on the registration number, keeping the form', async () => {
    await start();
    await sendRequest(new Browser(app));
    const res = await sendRequest(new Browser(app), { ...FORM, contactName: 'Someone Else' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('id="registration-registrationNumber-error">SECP registration number: A registration request for company 0123456 already awaits');
    expect(res.body).toContain('value="Someone Else"');
  });

  it('refuses an address that sent too many requests, with Retry-After, whatever it sends', async () => {
    await start({ max: 2, windowMs: 60_000 });
    const visitor = new Browser(app);
    expect((await sendRequest(visitor)).statusCode).toBe(303);
    expect((await sendRequest(visitor, { ...FORM, registrationNumber: '2' })).statusCode).toBe(303);
    const refused = await sendRequest(visitor, { ...FORM, registrationNumber: '3' });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toContain('Too many registration requests from this address');
    expect(refused.body).toContain('value="3"');
    expect(await desk.list()).toHaveLength(2);
    // The API's form of the request shares the limit.
    const api = await app.inject({ method: 'POST', url: '/api/csp-registrations', payload: { ...FORM, registrationNumber: '4', contactPhone: undefined } });
    expect(api.statusCode).toBe(429);
  });
});

describe('the administrators’ decisions', () => {
  it('approves: the provider enters the register, its contact gets an account whose first password is shown once, and it signs in by enrolling', async () => {
    await start();
    await sendRequest(new Browser(app));
    const [request] = await desk.list();
    const admin = await signedIn('amna');
    const list = await admin.request('GET', '/ui/provider-registrations');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(FORM.organisationName);
    expect(list.body).toContain('value="csp-nimbus-cloud-pvt-ltd"');
    // Waiting for a decision within its service level (registration.decide, 5 working days).
    expect(list.body).toContain(`<span class="due">Due <time datetime="${addWorkingDays(request?.requestedAt as string, 5)}">`);

    const _csrf = await admin.csrf('/ui/provider-registrations');
    const res = await admin.request('POST', `/ui/provider-registrations/${request?.requestId}/approve`, { _csrf, cspId: 'csp-nimbus' });
    expect(res.statusCode).toBe(200);
    const password = /id="generated-password">([^<]+)</.exec(res.body)?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(foldCsp(register.get('csp-nimbus') ?? [])).toMatchObject({ status: 'registered', organisation: { registrationNumber: '0123456' } });
    expect(identity.findAccount('nadia')).toMatchObject({ role: 'csp', organisationId: 'csp-nimbus', displayName: 'Nadia Nimbus' });
    expect(await desk.get(request?.requestId as string)).toMatchObject({ status: 'approved', cspId: 'csp-nimbus' });
    const after = await admin.request('GET', '/ui/provider-registrations');
    expect(after.body).not.toContain(password);
    expect(after.body).toContain('No request waits.');

    const provider = new Browser(app);
    const login = await provider.request('POST', '/ui/login', { _csrf: await provider.csrf('/ui/login'), username: 'nadia', password, next: '' });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain('id="mfa-secret"');
    const secret = (/id="mfa-secret">([^<]+)</.exec(login.body)?.[1] ?? '').replace(/\s/g, '');
    testTotp.remember('nadia', secret);
    // The first password served once: the first sign-in chooses the person's own.
    expect(login.body).toContain('name="newPassword"');
    const challenge = /name="challenge" value="([^"]+)"/.exec(login.body)?.[1] as string;
    expect((await provider.codeStep(challenge, testTotp.code('nadia'), '', 'Nadia chose this passphrase')).statusCode).toBe(200);
  });

  it('refuses with reasons, after showing a refusal without reasons next to the form', async () => {
    await start();
    await sendRequest(new Browser(app));
    const [request] = await desk.list();
    const admin = await signedIn('amna');
    const _csrf = await admin.csrf('/ui/provider-registrations');
    const empty = await admin.request('POST', `/ui/provider-registrations/${request?.requestId}/refuse`, { _csrf, reasons: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain(`id="refuse-${request?.requestId}-reasons-error">Reasons for refusing: must not be empty<`);
    const res = await admin.request('POST', `/ui/provider-registrations/${request?.requestId}/refuse`, { _csrf, reasons: 'No company 0123456 at the SECP' });
    expect(res.statusCode).toBe(303);
    const page = await admin.request('GET', res.headers.location as string);
    expect(page.body).toContain('No company 0123456 at the SECP');
    expect(await desk.get(request?.requestId as string)).toMatchObject({ status: 'refused' });
    expect(identity.findAccount('nadia')).toBeUndefined();
  });

  it('shows a taken username on the approval form and changes nothing', async () => {
    await start();
    await sendRequest(new Browser(app), { ...FORM, username: 'stratus' });
    const [request] = await desk.list();
    const admin = await signedIn('amna');
    const _csrf = await admin.csrf('/ui/provider-registrations');
    const res = await admin.request('POST', `/ui/provider-registrations/${request?.requestId}/approve`, { _csrf, cspId: 'csp-nimbus' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('The username stratus is taken');
    expect(register.size).toBe(0);
    expect(await desk.get(request?.requestId as string)).toMatchObject({ status: 'requested' });
  });

  it('is for administrators only', async () => {
    await start();
    const provider = await signedIn('stratus');
    expect((await provider.request('GET', '/ui/provider-registrations')).statusCode).toBe(403);
    expect((await new Browser(app).request('GET', '/ui/provider-registrations')).statusCode).toBe(303);
  });
});
