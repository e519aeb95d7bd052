import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DomainError } from '../../domain/shared/errors';
import type { Actor } from '../../domain/shared/actor';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createIdentity, TEST_PASSWORD_COST, type Identity } from '../../identity';
import { hashPassword, verifyPassword } from '../../identity/passwords';
import { hashToken } from '../../identity/tokens';
import { testTotp } from '../support/mfa';
import { seedAccount } from '../support/identity';

const PASSWORD = 'a long enough secret';
/** What an administrator gives the person, once; they choose PASSWORD with it. */
const ONE_TIME = 'the administrator’s one-time secret';
const HOUR = 60 * 60 * 1000;

let dir: string;
let clock: Date;
let identity: Identity;
let store: EventStore;
const open = (path = join(dir, 'identity.db'), events: Pick<EventStore, 'append' | 'readStream'> = store): Identity =>
  createIdentity({ path, sessionTtlHours: 2, passwordCost: TEST_PASSWORD_COST, now: () => clock, store: events, mfaNow: testTotp.now });
const ADMIN: Actor = { userId: 'u-admin', name: 'Aisha Admin', role: 'admin', jurisdiction: 'federal' };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'identity-'));
  clock = new Date('2026-02-01T09:00:00.000Z');
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
  identity = open();
});
afterEach(async () => {
  identity.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

const officer = { username: 'Sana.Officer', displayName: 'Sana Officer', role: 'provincial-officer', jurisdiction: 'sindh', password: PASSWORD } as const;

describe('password hashing', () => {
  it('hashes with argon2id, salted, and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery', TEST_PASSWORD_COST);
    const b = await hashPassword('correct horse battery', TEST_PASSWORD_COST);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=8,t=1,p=1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(a, 'correct horse batterY')).toBe(false);
  });

  it('uses the production cost unless told otherwise', async () => {
    expect(await hashPassword('correct horse battery')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('treats a malformed stored hash as a wrong password rather than crashing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything at all')).toBe(false);
  });
});

describe('accounts', () => {
  it('stores the username in lower case and the password only as an argon2id hash', async () => {
    const account = await identity.createAccount(ADMIN, officer);
    expect(account).toMatchObject({ username: 'sana.officer', displayName: 'Sana Officer', role: 'provincial-officer', jurisdiction: 'sindh', organisationId: null, disabled: false });
    expect(account.createdAt).toBe(clock.toISOString());
    const db = new Database(join(dir, 'identity.db'), { readonly: true });
    const row = db.prepare('SELECT password_hash FROM accounts WHERE username = ?').get('sana.officer') as { password_hash: string };
    db.close();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it.each([
    [{ ...officer, username: 'x' }, 'username', /3 to 32 characters/],
    [{ ...officer, username: '9lives' }, 'username', /a letter first/],
    [{ ...officer, password: 'short' }, 'password', /at least 12 characters/],
    [{ ...officer, password: ' '.repeat(14) }, 'password', /not be only spaces/],
    [{ ...officer, role: 'king' }, 'role', /Invalid option/],
    [{ ...officer, jurisdiction: 'atlantis' }, 'jurisdiction', /Invalid option/],
    [{ ...officer, role: 'pse' }, 'organisationId', /required for the pse role/],
    [{ ...officer, organisationId: 'pse-karachi' }, 'organisationId', /only for csp and pse accounts/],
    [{ ...officer, displayName: '' }, 'displayName', /must not be empty/],
  ])('refuses an invalid account, naming the field and the rule (%#)', async (input, field, rule) => {
    const error = await rejection(identity.createAccount(ADMIN, input as never));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(new RegExp(`^${field}: `));
    expect(error.message).toMatch(rule);
  });

  it('requires an organisation for CSP and PSE accounts and accepts one', async () => {
    const csp = await identity.createAccount(ADMIN, { username: 'csp-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one', password: PASSWORD });
    expect(csp).toMatchObject({ organisationId: 'csp-one', displayName: 'csp-rep' });
  });

  it('refuses a username that is taken, whatever its case', async () => {
    await identity.createAccount(ADMIN, officer);
    const error = await rejection(identity.createAccount(ADMIN, { ...officer, username: 'SANA.OFFICER' }));
    expect(error).toMatchObject({ code: 'ACCOUNT_EXISTS', field: 'username' });
  });

  it('lists accounts by username without their hashes', async () => {
    await identity.createAccount(ADMIN, officer);
    await identity.createAccount(ADMIN, { ...officer, username: 'ali' });
    const list = identity.listAccounts();
    expect(list.map((a) => a.username)).toEqual(['ali', 'sana.officer']);
    expect(JSON.stringify(list)).not.toContain('argon2');
  });
});

describe('login, tokens and logout', () => {
  beforeEach(async () => {
    await identity.createAccount(ADMIN, { ...officer, password: ONE_TIME });
    await testTotp.enrol(identity, 'sana.officer', ONE_TIME, PASSWORD);
  });

  it('returns a 32-byte base64url token, its expiry and the actor named by display name', async () => {
    const session = await identity.login({ username: ' SANA.officer ', password: PASSWORD, code: testTotp.code('sana.officer') });
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(session.token, 'base64url')).toHaveLength(32);
    expect(session.expiresAt).toBe(new Date(clock.getTime() + 2 * HOUR).toISOString());
    expect(session.actor).toEqual({ userId: expect.any(String), name: 'Sana Officer', role: 'provincial-officer', jurisdiction: 'sindh' });
    expect(identity.authenticate(session.token)).toEqual(session.actor);
  });

  it('stores only the SHA-256 of the token', async () => {
    const { token } = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    const db = new Database(join(dir, 'identity.db'), { readonly: true });
    const rows = db.prepare('SELECT * FROM sessions').all() as Record<string, unknown>[];
    db.close();
    expect(rows.map((row) => row.token_hash)).toContain(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const unknown = await rejection(identity.login({ username: 'nobody', password: PASSWORD }));
    const wrong = await rejection(identity.login({ username: 'sana.officer', password: 'not the password' }));
    expect(unknown.toJSON()).toEqual(wrong.toJSON());
    expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS', kind: 'unauthenticated' });
  });

  it('stops accepting a token once it expires', async () => {
    const { token } = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    clock = new Date(clock.getTime() + 2 * HOUR - 1000);
    expect(identity.authenticate(token)).toBeDefined();
    clock = new Date(clock.getTime() + 1000);
    expect(identity.authenticate(token)).toBeUndefined();
  });

  it('revokes the token on logout, and only that one', async () => {
    const first = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    const second = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    expect(identity.logout(first.token)).toBe(true);
    expect(identity.authenticate(first.token)).toBeUndefined();
    expect(identity.authenticate(second.token)).toBeDefined();
    expect(identity.logout(first.token)).toBe(false);
  });

  it('rejects tokens that are not of our shape without looking them up', () => {
    expect(identity.authenticate('')).toBeUndefined();
    expect(identity.authenticate('x'.repeat(500))).toBeUndefined();
    expect(identity.logout('garbage')).toBe(false);
  });

  it('ends sessions and refuses login for a disabled account, and lets it back in when enabled', async () => {
    const { token } = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    expect((await identity.setDisabled(ADMIN, 'sana.officer', true)).disabled).toBe(true);
    expect(identity.authenticate(token)).toBeUndefined();
    await rejection(identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') }));
    await identity.setDisabled(ADMIN, 'sana.officer', false);
    await expect(identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') })).resolves.toBeDefined();
  });

  it('ends sessions when the password is reset, and the new password works once, to choose the person’s own', async () => {
    const { token } = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    await identity.resetPassword(ADMIN, 'sana.officer', 'a brand new secret');
    expect(identity.authenticate(token)).toBeUndefined();
    await rejection(identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') }));
    const bare = await rejection(identity.login({ username: 'sana.officer', password: 'a brand new secret', code: testTotp.code('sana.officer') }));
    expect(bare).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED', field: 'newPassword' });
    const same = await rejection(identity.login({ username: 'sana.officer', password: 'a brand new secret', newPassword: 'a brand new secret', code: testTotp.code('sana.officer') }));
    expect(same).toMatchObject({ code: 'VALIDATION_FAILED', field: 'newPassword' });
    await expect(
      identity.login({ username: 'sana.officer', password: 'a brand new secret', newPassword: 'my very own secret', code: testTotp.code('sana.officer') }),
    ).resolves.toBeDefined();
    await rejection(identity.login({ username: 'sana.officer', password: 'a brand new secret', code: testTotp.code('sana.officer') }));
    await expect(identity.login({ username: 'sana.officer', password: 'my very own secret', code: testTotp.code('sana.officer') })).resolves.toBeDefined();
    const events = await store.readStream('account-sana.officer');
    expect(events.at(-1)).toMatchObject({ type: 'AccountPasswordChosen', metadata: { actor: { name: 'Sana Officer' } } });
    expect(await rejection(identity.resetPassword(ADMIN, 'sana.officer', 'short'))).toMatchObject({ field: 'password' });
    expect(await rejection(identity.resetPassword(ADMIN, 'nobody', 'a brand new secret'))).toMatchObject({ code: 'NOT_FOUND', field: 'username' });
  });

  it('keeps sessions across a restart of the process', async () => {
    const { token, actor } = await identity.login({ username: 'sana.officer', password: PASSWORD, code: testTotp.code('sana.officer') });
    identity.close();
    identity = open();
    expect(identity.authenticate(token)).toEqual(actor);
  });
});

describe('passwords an administrator sets', () => {
  it('serve once, to enrol and choose the person’s own: a leaked first password is useless afterwards', async () => {
    await identity.createAccount(ADMIN, { ...officer, password: ONE_TIME });
    expect(await rejection(identity.beginMfaEnrolment({ username: 'sana.officer', password: ONE_TIME }))).toMatchObject({
      code: 'PASSWORD_CHANGE_REQUIRED',
      field: 'newPassword',
    });
    expect(await rejection(identity.beginMfaEnrolment({ username: 'sana.officer', password: ONE_TIME, newPassword: 'short' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'newPassword',
    });
    await testTotp.enrol(identity, 'sana.officer', ONE_TIME, PASSWORD);
    // Whoever else holds the first password gets nowhere: not an enrolment, not a sign-in.
    expect(await rejection(identity.beginMfaEnrolment({ username: 'sana.officer', password: ONE_TIME, newPassword: 'the attacker’s password' }))).toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(await rejection(identity.startSignIn({ username: 'sana.officer', password: ONE_TIME }))).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(await rejection(identity.beginMfaEnrolment({ username: 'sana.officer', password: PASSWORD, newPassword: 'another' }))).toMatchObject({
      code: 'PASSWORD_NOT_ONE_TIME',
    });
  });

  it('expire unused after the configured time, with an error that says to ask an administrator', async () => {
    identity.close();
    identity = createIdentity({ path: join(dir, 'identity.db'), sessionTtlHours: 2, passwordCost: TEST_PASSWORD_COST, now: () => clock, store, mfaNow: testTotp.now, oneTimePasswordTtlHours: 24 });
    await identity.createAccount(ADMIN, { ...officer, password: ONE_TIME });
    clock = new Date(clock.getTime() + 24 * HOUR);
    // Thunks, so each attempt starts only once the one before has been answered: all three begun at
    // once would leave the later rejections unheard while the first is awaited.
    for (const attempt of [
      () => identity.beginMfaEnrolment({ username: 'sana.officer', password: ONE_TIME, newPassword: PASSWORD }),
      () => identity.startSignIn({ username: 'sana.officer', password: ONE_TIME }),
      () => identity.login({ username: 'sana.officer', password: ONE_TIME, newPassword: PASSWORD }),
    ]) {
      const expired = await rejection(attempt());
      expect(expired).toMatchObject({ code: 'PASSWORD_EXPIRED', kind: 'forbidden' });
      expect(expired.message).toMatch(/ask an administrator/);
    }
    // A wrong password still says only that: the expiry is told after the right one.
    expect(await rejection(identity.startSignIn({ username: 'sana.officer', password: 'not the password' }))).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await identity.resetPassword(ADMIN, 'sana.officer', 'a fresh one-time secret');
    await expect(testTotp.enrol(identity, 'sana.officer', 'a fresh one-time secret', PASSWORD)).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
  });

  it('after a second-factor reset, the person enrols again choosing a new password, within the same time', async () => {
    await identity.createAccount(ADMIN, { ...officer, password: ONE_TIME });
    await testTotp.enrol(identity, 'sana.officer', ONE_TIME, PASSWORD);
    await identity.resetMfa(ADMIN, 'sana.officer');
    expect(await rejection(identity.beginMfaEnrolment({ username: 'sana.officer', password: PASSWORD }))).toMatchObject({ code: 'PASSWORD_CHANGE_REQUIRED' });
    await expect(testTotp.enrol(identity, 'sana.officer', PASSWORD, 'a newer secret of mine')).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
  });
});

describe('the initial admin', () => {
  it('is created once, with a random password that logs in', async () => {
    const first = await identity.ensureInitialAdmin();
    expect(first).toEqual({ username: 'admin', password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/) });
    // The password is right; the admin then enrols an authenticator like everyone else.
    expect(await rejection(identity.login({ username: 'admin', password: first?.password ?? '' }))).toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
    expect(await identity.ensureInitialAdmin()).toBeUndefined();
    identity.close();
    identity = open();
    expect(await identity.ensureInitialAdmin()).toBeUndefined();
  });

  it('is not created when another admin already exists', async () => {
    await seedAccount(identity, { username: 'root', role: 'admin', jurisdiction: 'federal', password: PASSWORD });
    expect(await identity.ensureInitialAdmin()).toBeUndefined();
    expect(identity.findAccount('admin')).toBeUndefined();
  });
});
