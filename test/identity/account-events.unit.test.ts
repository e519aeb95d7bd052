import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../../domain/shared/actor';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createIdentity, TEST_PASSWORD_COST, type Identity } from '../../identity';
import { openIdentityDb } from '../../identity/db';
import { hashPassword } from '../../identity/passwords';
import { testTotp } from '../support/mfa';

/** The identity database follows the account streams, whatever happens between an append and its apply. */
const PASSWORD = 'a long enough secret';
const OWN_PASSWORD = 'the person’s own secret';
const ADMIN: Actor = { userId: 'u-admin', name: 'Aisha Admin', role: 'admin', jurisdiction: 'federal' };
const officer = { username: 'sana', displayName: 'Sana Officer', role: 'provincial-officer', jurisdiction: 'sindh', password: PASSWORD } as const;

/** One key for every instance, so the TOTP secrets of one opening are read by the next. */
const MFA_KEY = randomBytes(32);

let dir: string;
let store: EventStore;
const dbPath = (): string => join(dir, 'identity.db');
const open = (events: Pick<EventStore, 'append' | 'readStream'> = store): Identity =>
  createIdentity({ path: dbPath(), sessionTtlHours: 1, passwordCost: TEST_PASSWORD_COST, store: events, mfaKey: MFA_KEY, mfaNow: testTotp.now });

/** A store whose appends are written but whose answer never arrives, as when the process dies right after. */
const lostAnswers = (): Pick<EventStore, 'append' | 'readStream'> => ({
  readStream: (stream, options) => store.readStream(stream, options),
  append: async (stream, events, expected) => {
    await store.append(stream, events, expected);
    throw new Error('connection lost');
  },
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'account-events-'));
  store = new HashChainedEventStore(await openSqliteEventStore({ path: join(dir, 'events.db') }));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('account events', () => {
  it('record a new account and its role with the actor, and never the password or its hash', async () => {
    const identity = open();
    const account = await identity.createAccount(ADMIN, officer);
    await identity.resetPassword(ADMIN, 'sana', 'another long secret');
    identity.close();
    const events = await store.readStream('account-sana');
    expect(events.map((e) => [e.type, e.metadata.actor.userId, e.metadata.policyVersion])).toEqual([
      ['AccountCreated', ADMIN.userId, 'cloud-office/accounts-1'],
      ['AccountRoleAssigned', ADMIN.userId, 'cloud-office/accounts-1'],
      ['AccountPasswordReset', ADMIN.userId, 'cloud-office/accounts-1'],
    ]);
    expect(events[0]?.data).toMatchObject({ accountId: account.id, username: 'sana', createdBy: ADMIN.userId });
    const written = JSON.stringify(events.map((e) => [e.data, e.metadata]));
    expect(written).not.toContain(PASSWORD);
    expect(written).not.toContain('another long secret');
    expect(written).not.toMatch(/argon2/);
  });

  it('survive a crash after the append of a new account: the catch-up creates it with its password', async () => {
    const crashing = open(lostAnswers());
    await expect(crashing.createAccount(ADMIN, officer)).rejects.toThrow('connection lost');
    expect(crashing.findAccount('sana')).toBeUndefined();
    crashing.close();
    const restarted = open();
    expect(await restarted.catchUp()).toBe(1);
    expect(restarted.findAccount('sana')).toMatchObject({ status: 'active', role: 'provincial-officer' });
    await expect(testTotp.enrol(restarted, 'sana', PASSWORD, OWN_PASSWORD)).resolves.toMatchObject({ actor: { role: 'provincial-officer' } });
    restarted.close();
  });

  it('survive a crash after the append of a disable: the catch-up disables the account and ends its sessions', async () => {
    const identity = open();
    await identity.createAccount(ADMIN, officer);
    const { token } = await testTotp.enrol(identity, 'sana', PASSWORD, OWN_PASSWORD);
    identity.close();
    const crashing = open(lostAnswers());
    await expect(crashing.setDisabled(ADMIN, 'sana', true)).rejects.toThrow('connection lost');
    expect(crashing.authenticate(token)).toBeDefined();
    crashing.close();
    const restarted = open();
    await restarted.catchUp();
    expect(restarted.authenticate(token)).toBeUndefined();
    expect(restarted.findAccount('sana')).toMatchObject({ status: 'disabled' });
    restarted.close();
  });

  it('are written for accounts that predate them, as they were, by the engine', async () => {
    const db = openIdentityDb(dbPath());
    db.prepare(
      `INSERT INTO accounts (id, username, display_name, role, jurisdiction, organisation_id, password_hash, disabled, created_at)
       VALUES ('old-1', 'olddir', 'Old Director', 'director', 'federal', NULL, ?, 0, '2025-01-01T00:00:00.000Z')`,
    ).run(await hashPassword(PASSWORD, TEST_PASSWORD_COST));
    db.close();
    const identity = open();
    await identity.catchUp();
    const events = await store.readStream('account-olddir');
    expect(events.map((e) => [e.type, e.metadata.actor.userId])).toEqual([
      ['AccountCreated', 'system'],
      ['AccountRoleAssigned', 'system'],
    ]);
    expect(events[1]?.data).toMatchObject({ role: 'director', basis: 'existing-account' });
    await expect(testTotp.enrol(identity, 'olddir', PASSWORD)).resolves.toMatchObject({ actor: { userId: 'old-1', role: 'director' } });
    await identity.catchUp();
    expect(await store.readStream('account-olddir')).toHaveLength(2);
    identity.close();
  });

  it('record a second factor reset with who did it and never the secret; a crash after its append is caught up', async () => {
    const identity = open();
    await identity.createAccount(ADMIN, officer);
    const { token } = await testTotp.enrol(identity, 'sana', PASSWORD, OWN_PASSWORD);
    identity.close();
    const crashing = open(lostAnswers());
    await expect(crashing.resetMfa(ADMIN, 'sana')).rejects.toThrow('connection lost');
    expect(crashing.authenticate(token)).toBeDefined();
    crashing.close();
    const restarted = open();
    await restarted.catchUp();
    expect(restarted.authenticate(token)).toBeUndefined();
    await expect(restarted.login({ username: 'sana', password: OWN_PASSWORD, code: testTotp.code('sana') })).rejects.toMatchObject({ code: 'MFA_ENROLMENT_REQUIRED' });
    restarted.close();
    const events = await store.readStream('account-sana');
    expect(events.at(-1)).toMatchObject({ type: 'AccountMfaReset', data: { resetBy: ADMIN.userId }, metadata: { actor: { userId: ADMIN.userId } } });
    expect(JSON.stringify(events.map((e) => e.data))).not.toContain(testTotp.secretOf('sana'));
  });

  it('bootstrap the first administrator as the engine, once', async () => {
    const identity = open();
    const admin = await identity.ensureInitialAdmin();
    expect(admin?.username).toBe('admin');
    expect(await identity.ensureInitialAdmin()).toBeUndefined();
    const events = await store.readStream('account-admin');
    expect(events.map((e) => [e.type, e.metadata.actor.userId])).toEqual([
      ['AccountCreated', 'system'],
      ['AccountRoleAssigned', 'system'],
    ]);
    identity.close();
  });
});
