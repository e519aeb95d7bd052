import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { composeOffice } from '../../server/compose';
import { OPERATOR_CONSOLE_ACTOR } from '../../domain/account/policy';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { verifyStore } from '../../eventstore/integrity/verify-store';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { Actor } from '../../domain/shared/actor';
import type { AccountView, Identity } from '../../identity';
import { createTestIdentity } from '../support/identity';
import { testTotp } from '../support/mfa';
import { InjectBrowser } from '../ui/inject-browser';
import { officeWithFakes } from './fakes';

/**
 * Accounts through the HTTP API over a real hash-chained store: every change is an event of the
 * account's stream, and a privileged role takes effect only when a second administrator approves it.
 */
const PASSWORD = 'a long enough password';
let dir: string;
let store: EventStore;
let identity: Identity;
let app: FastifyInstance;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};
/** The bootstrap administrator's generated password, shown once at the first start. */
let adminPassword: string;

/** The fields of the answers this test reads; each answer has some of them. */
interface Body {
  token: string;
  actor: Actor;
  account: AccountView;
  generatedPassword: string;
  items: unknown[];
  error: { code: string; field?: string };
  role: string;
  decisions: unknown[];
  verification: { intact: boolean };
}

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who?: string, payload?: unknown): Promise<{ status: number; body: Body }> {
  const res = await app.inject({ method, url, payload: payload as object, headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
  return { status: res.statusCode, body: (res.body === '' ? {} : res.json()) as Body };
}

/** The password each account chose for itself in place of the one-time one an administrator gave it. */
const ownPasswords: Record<string, string> = {};
const ownPasswordOf = (username: string): string => `${username}'s very own password`;

/**
 * Signs in as an API client does: the first time, it enrols an authenticator (POST
 * /api/auth/mfa/enrolment, whose refusal is the answer then), choosing its own password with the
 * one-time one it was given; every time, the login carries a code, and after a reset (a one-time
 * password again) the person's own password too.
 */
async function signIn(username: string, password = ownPasswords[username] ?? PASSWORD) {
  let current = password;
  if (!testTotp.knows(username)) {
    const enrolment = await app.inject({ method: 'POST', url: '/api/auth/mfa/enrolment', payload: { username, password, newPassword: ownPasswordOf(username) } });
    if (enrolment.statusCode !== 200) return { status: enrolment.statusCode, body: enrolment.json() as Body };
    testTotp.remember(username, (enrolment.json() as { secret: string }).secret);
    current = ownPasswords[username] = ownPasswordOf(username);
  }
  let res = await call('POST', '/api/auth/login', undefined, { username, password: current, code: testTotp.code(username) });
  if (res.status === 403 && res.body.error.code === 'PASSWORD_CHANGE_REQUIRED') {
    res = await call('POST', '/api/auth/login', undefined, { username, password: current, newPassword: ownPasswordOf(username), code: testTotp.code(username) });
    if (res.status === 200) ownPasswords[username] = ownPasswordOf(username);
  }
  if (res.status === 200) {
    tokens[username] = res.body.token;
    ids[username] = res.body.actor.userId;
  }
  return res;
}

const types = async (username: string) => (await store.readStream(`account-${username}`)).map((e) => e.type);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accounts-api-'));
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  identity = await createTestIdentity({ store });
  const signer = loadAuditSigner({ file: join(dir, 'key.pem') });
  app = composeOffice(officeWithFakes({ dataDir: dir, identity, eventStore: store }, { audit: { store, trustedKeys: { [signer.keyId]: signer.publicKeyPem } } }));
  await app.ready();

  // First start: the engine bootstraps admin A. The second administrator is asked for at the console
  // (one admin alone can never be approved by another) and A approves it.
  adminPassword = (await identity.ensureInitialAdmin())?.password as string;
  await signIn('admin', adminPassword);
  const b = await identity.createAccount(OPERATOR_CONSOLE_ACTOR, { username: 'bilal', role: 'admin', jurisdiction: 'federal', password: PASSWORD });
  expect(b.status).toBe('awaiting-approval');
  expect((await signIn('bilal')).status).toBe(401);
  expect((await call('POST', `/api/accounts/bilal/grants/${b.pendingGrant?.grantId}/approve`, 'admin')).status).toBe(200);
  expect((await signIn('bilal')).status).toBe(200);
});

afterAll(async () => {
  await app.close();
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a privileged account through the API', () => {
  let grantId: string;

  it('is created awaiting approval, and cannot sign in until a second administrator approves', async () => {
    const created = await call('POST', '/api/accounts', 'admin', { username: 'dawood', role: 'director', jurisdiction: 'federal', password: PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ status: 'awaiting-approval', pendingGrant: { role: 'director', requestedBy: ids.admin } });
    grantId = created.body.account.pendingGrant?.grantId as string;
    expect((await signIn('dawood')).status).toBe(401);
    const pending = await call('GET', '/api/accounts/grants/pending', 'bilal');
    expect(pending.body.items).toEqual([expect.objectContaining({ username: 'dawood', currentRole: null, grant: expect.objectContaining({ grantId }) })]);
  });

  it('refuses the approval of the administrator who asked for it', async () => {
    const own = await call('POST', `/api/accounts/dawood/grants/${grantId}/approve`, 'admin');
    expect(own).toEqual({ status: 403, body: { error: { code: 'GRANT_SELF_APPROVAL', message: expect.any(String) } } });
    expect((await signIn('dawood')).status).toBe(401);
  });

  it('takes effect when the second administrator approves, once', async () => {
    const approved = await call('POST', `/api/accounts/dawood/grants/${grantId}/approve`, 'bilal');
    expect(approved.status).toBe(200);
    expect(approved.body.account).toMatchObject({ status: 'active', role: 'director', pendingGrant: null });
    const login = await signIn('dawood');
    expect(login.body.actor).toMatchObject({ role: 'director', jurisdiction: 'federal' });
    const again = await call('POST', `/api/accounts/dawood/grants/${grantId}/approve`, 'bilal');
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'GRANT_NOT_PENDING', field: 'grantId' });
  });

  it('is in the store as events with their actors, and the history verifies', async () => {
    const events = await store.readStream('account-dawood');
    expect(events.map((e) => [e.type, e.metadata.actor.userId])).toEqual([
      ['AccountCreated', ids.admin],
      ['AccountGrantRequested', ids.admin],
      ['AccountGrantApproved', ids.bilal],
      ['AccountPasswordChosen', ids.dawood],
    ]);
    const recorded = JSON.stringify(events.map((e) => [e.data, e.metadata]));
    expect(recorded).not.toContain(PASSWORD);
    expect(recorded).not.toMatch(/argon2/);
    expect((await store.readStream('account-admin')).map((e) => [e.type, e.metadata.actor.userId, (e.data as { basis?: string }).basis])).toEqual([
      ['AccountCreated', 'system', undefined],
      ['AccountRoleAssigned', 'system', 'bootstrap'],
      ['AccountPasswordChosen', ids.admin, undefined],
    ]);
    expect((await store.readStream('account-bilal')).map((e) => e.metadata.actor.name)).toEqual(['operator console', 'operator console', 'Administrator', 'bilal']);
    const verification = await verifyStore(store);
    expect(verification.breaks).toEqual([]);
    expect(verification.streams).toBe(3);
  });
});

describe('changing, disabling, enabling and resetting accounts', () => {
  beforeAll(async () => {
    expect((await call('POST', '/api/accounts', 'admin', { username: 'rania', role: 'reviewer', jurisdiction: 'federal', password: PASSWORD })).status).toBe(201);
    await signIn('rania');
  });

  it('keeps the previous role while a privileged role change waits, and keeps it when the grant is rejected', async () => {
    const change = await call('PUT', '/api/accounts/rania/role', 'admin', { role: 'security-reviewer', jurisdiction: 'federal' });
    expect(change.status).toBe(200);
    expect(change.body.account).toMatchObject({ status: 'active', role: 'reviewer', pendingGrant: { role: 'security-reviewer' } });
    expect((await call('GET', '/api/me', 'rania')).body.role).toBe('reviewer');
    const busy = await call('PUT', '/api/accounts/rania/role', 'bilal', { role: 'provincial-officer', jurisdiction: 'sindh' });
    expect(busy.body.error).toMatchObject({ code: 'GRANT_PENDING' });
    const rejected = await call('POST', `/api/accounts/rania/grants/${change.body.account.pendingGrant?.grantId}/reject`, 'bilal', { reason: 'Not on the security team' });
    expect(rejected.body.account).toMatchObject({ role: 'reviewer', pendingGrant: null });
    expect((await call('GET', '/api/me', 'rania')).body.role).toBe('reviewer');
  });

  it('gives a role that is not privileged at once, to the sessions already open too', async () => {
    const change = await call('PUT', '/api/accounts/rania/role', 'admin', { role: 'provincial-officer', jurisdiction: 'sindh' });
    expect(change.body.account).toMatchObject({ role: 'provincial-officer', jurisdiction: 'sindh', pendingGrant: null });
    expect((await call('GET', '/api/me', 'rania')).body).toMatchObject({ role: 'provincial-officer', jurisdiction: 'sindh' });
  });

  it('ends sessions on disable and reset, and records each change with who made it', async () => {
    expect((await call('POST', '/api/accounts/rania/disable', 'admin')).body.account).toMatchObject({ status: 'disabled', disabled: true });
    expect((await call('GET', '/api/me', 'rania')).status).toBe(401);
    expect((await signIn('rania')).status).toBe(401);
    expect((await call('POST', '/api/accounts/rania/enable', 'bilal')).body.account).toMatchObject({ status: 'active' });
    await signIn('rania');
    const reset = await call('POST', '/api/accounts/rania/reset-password', 'admin', {});
    expect(reset.body.generatedPassword).toEqual(expect.any(String));
    expect((await call('GET', '/api/me', 'rania')).status).toBe(401);
    expect((await signIn('rania', reset.body.generatedPassword)).status).toBe(200);

    const events = await store.readStream('account-rania');
    expect(events.map((e) => [e.type, e.metadata.actor.userId])).toEqual([
      ['AccountCreated', ids.admin],
      ['AccountRoleAssigned', ids.admin],
      ['AccountPasswordChosen', ids.rania],
      ['AccountGrantRequested', ids.admin],
      ['AccountGrantRejected', ids.bilal],
      ['AccountRoleAssigned', ids.admin],
      ['AccountDisabled', ids.admin],
      ['AccountEnabled', ids.bilal],
      ['AccountPasswordReset', ids.admin],
      ['AccountPasswordChosen', ids.rania],
    ]);
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(reset.body.generatedPassword);
    // The reset password served its once.
    const again = await call('POST', '/api/auth/login', undefined, { username: 'rania', password: reset.body.generatedPassword, code: testTotp.code('rania') });
    expect(again.body.error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await verifyStore(store)).breaks).toEqual([]);
  });

  it("records an administrator's reset of the second factor as an event without the secret; the person enrols again", async () => {
    const password = 'rania enrols again soon';
    expect((await call('POST', '/api/accounts/rania/reset-password', 'admin', { password })).status).toBe(200);
    expect((await signIn('rania', password)).status).toBe(200);
    const secret = testTotp.secretOf('rania');
    expect((await call('DELETE', '/api/accounts/rania/mfa', 'admin')).status).toBe(204);
    expect((await call('GET', '/api/me', 'rania')).status).toBe(401);
    const refused = await call('POST', '/api/auth/login', undefined, { username: 'rania', password: ownPasswords.rania, code: testTotp.code('rania') });
    expect(refused.body.error).toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
    const events = await store.readStream('account-rania');
    expect(events.at(-1)).toMatchObject({ type: 'AccountMfaReset', data: { resetBy: ids.admin }, metadata: { actor: { userId: ids.admin } } });
    expect(JSON.stringify(events.map((e) => [e.data, e.metadata]))).not.toContain(secret);
    expect((await verifyStore(store)).breaks).toEqual([]);
  });

  it('is for administrators only, and names the field of bad input', async () => {
    expect((await call('POST', '/api/accounts/rania/disable', 'dawood')).status).toBe(403);
    const bad = await call('PUT', '/api/accounts/rania/role', 'admin', { role: 'pse', jurisdiction: 'federal' });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED', field: 'organisationId' } } });
    expect((await call('POST', '/api/accounts/ghost/disable', 'admin')).body.error).toMatchObject({ code: 'NOT_FOUND', field: 'username' });
    expect(await types('ghost')).toEqual([]);
  });
});

describe('auditors', () => {
  it('see an account’s history in its dossier, approvals among the decisions', async () => {
    const auditor = await call('POST', '/api/accounts', 'bilal', { username: 'asma', role: 'auditor', jurisdiction: 'federal', password: PASSWORD });
    await call('POST', `/api/accounts/asma/grants/${auditor.body.account.pendingGrant?.grantId}/approve`, 'admin');
    await signIn('asma');
    const dossier = await call('GET', '/api/audit/cases/account-dawood/dossier', 'asma');
    expect(dossier.status).toBe(200);
    expect(dossier.body.decisions).toEqual([expect.objectContaining({ type: 'AccountGrantApproved', by: `bilal (${ids.bilal})`, policyVersion: 'cloud-office/accounts-1' })]);
    expect(dossier.body.verification.intact).toBe(true);
  });
});

describe('the administrators’ accounts page', () => {
  it('lists a pending grant, shows the refusal of one’s own approval, and approves as the second administrator', async () => {
    const created = await call('POST', '/api/accounts', 'admin', { username: 'sadia', role: 'security-reviewer', jurisdiction: 'federal', password: PASSWORD });
    const grantId = created.body.account.pendingGrant?.grantId as string;
    const a = new InjectBrowser(app);
    expect((await a.signIn('admin', ownPasswords.admin as string)).statusCode).toBe(303);
    const listed = await a.request('GET', '/ui/accounts');
    expect(listed.body).toContain(`/ui/accounts/sadia/grants/${grantId}/approve`);
    const own = await a.request('POST', `/ui/accounts/sadia/grants/${grantId}/approve`, { _csrf: await a.csrf('/ui/accounts') });
    expect(own.statusCode).toBe(403);
    expect(own.body).toMatch(/role="alert">You asked for this grant/);

    const b = new InjectBrowser(app);
    await b.signIn('bilal', ownPasswords.bilal as string);
    const approved = await b.request('POST', `/ui/accounts/sadia/grants/${grantId}/approve`, { _csrf: await b.csrf('/ui/accounts') });
    expect(approved.statusCode).toBe(303);
    expect((await b.request('GET', '/ui/accounts?done=approved')).body).not.toContain(`/ui/accounts/sadia/grants/`);
    expect((await signIn('sadia')).body.actor.role).toBe('security-reviewer');

    const auditor = new InjectBrowser(app);
    await auditor.signIn('asma', ownPasswords.asma as string);
    const log = await auditor.request('GET', '/ui/audit/log?stream=account-sadia');
    expect(log.body).toContain('Asked for the privileged role security-reviewer');
    expect(log.body).toContain('Approved the privileged role security-reviewer');
  });

  it('is for administrators only', async () => {
    const browser = new InjectBrowser(app);
    await browser.signIn('dawood', ownPasswords.dawood as string);
    expect((await browser.request('GET', '/ui/accounts')).statusCode).toBe(403);
  });
});
