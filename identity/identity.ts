import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { passwordExpired, passwordExpiredError } from '../domain/account';
import { SYSTEM_ACTOR, type Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import type { Jurisdiction, Role } from '../domain/shared/vocabulary';
import type { EventStore } from '../eventstore/port';
import { createAccountCommands, type AccountCommands } from './accounts';
import { openIdentityDb } from './db';
import { createMfa, type MfaEnrolment } from './mfa';
import { createSecretBox } from './secret-box';
import { DEFAULT_PASSWORD_COST, hashPassword, verifyPassword, type PasswordCost } from './passwords';
import { LoginInput, NewPasswordInput, Username, type AccountStatus, type AccountView, type PendingGrantView } from './schemas';
import { generatePassword, newToken, sessionDigest, type TokenKind } from './tokens';
import { parseOrThrow } from './validation';

export interface Session {
  /** The bearer token; shown to the client once, stored only as its SHA-256. */
  token: string;
  expiresAt: string;
  actor: Actor;
  /** Only at the sign-in that confirmed an authenticator: the one-time recovery codes, shown once. */
  recoveryCodes?: string[];
}

/** The UI's two-step sign-in: the password was right; the challenge waits for the code. */
export interface SignInChallenge {
  challenge: string;
  expiresAt: string;
  username: string;
  /** Present while the account has no confirmed authenticator: what to add to the app. */
  enrolment?: MfaEnrolment;
  /** The password was one an administrator set: the code step also takes the person's own new password. */
  passwordChangeRequired: boolean;
}

/** What the API and UI use of the second factor. */
export type MfaOperations = 'beginMfaEnrolment' | 'startSignIn' | 'pendingSignIn' | 'finishSignIn' | 'resetMfa';

export interface InitialAdmin {
  username: string;
  password: string;
}

/**
 * Accounts and sessions. Every account change is an event in the account's stream (AccountCommands);
 * the database holds what authentication reads (a projection of those events), the password hashes
 * and the sessions.
 */
export interface Identity extends AccountCommands {
  /** Records that the account read these notices of its inbox (idempotent). */
  markNoticesRead(accountId: string, noticeIds: readonly string[]): void;
  /** Of these notices, the ones the account has read. */
  readNotices(accountId: string, noticeIds: readonly string[]): Set<string>;
  /** Of these notices, how many the account has read (the unread badge needs no more). */
  countReadNotices(accountId: string, noticeIds: readonly string[]): number;
  listAccounts(): AccountView[];
  findAccount(username: string): AccountView | undefined;
  /**
   * Throws INVALID_CREDENTIALS for an unknown user, a wrong password or a disabled account alike.
   * The token is of the kind asked for (API bearer token unless said otherwise). A one-time password
   * (set by an administrator) signs in only with `newPassword`, which replaces it (PASSWORD_CHANGE_REQUIRED,
   * PASSWORD_EXPIRED once its time is up).
   */
  login(input: LoginInput, kind?: TokenKind): Promise<Session>;
  /**
   * After the right password, a new authenticator secret for an account without a confirmed one. With a
   * one-time password, `newPassword` is required and becomes the account's own in the same step.
   */
  beginMfaEnrolment(input: LoginInput): Promise<MfaEnrolment>;
  /** Checks the password and opens a challenge for the code (starting an enrolment when there is none). */
  startSignIn(input: LoginInput): Promise<SignInChallenge>;
  /** The live challenge, with the pending enrolment to show again; undefined when expired or spent. */
  pendingSignIn(challenge: string): SignInChallenge | undefined;
  /**
   * The code step; throws MFA_CHALLENGE_INVALID for a dead challenge, as login for the code. When the
   * password was a one-time one, `newPassword` is required and becomes the account's own.
   */
  finishSignIn(challenge: string, code: string, kind?: TokenKind, newPassword?: string): Promise<Session>;
  /** Revokes the session; false when the token was not a live session of that kind. */
  logout(token: string, kind?: TokenKind): boolean;
  /** The actor behind a live session token of that kind, or undefined. */
  authenticate(token: string, kind?: TokenKind): Actor | undefined;
  /**
   * Catches up with the account streams, then creates `admin` with a random password when no admin
   * account exists (recorded as the engine's bootstrap), and returns the password so the caller can
   * print it once; returns undefined otherwise.
   */
  ensureInitialAdmin(): Promise<InitialAdmin | undefined>;
  close(): void;
}

export interface IdentityOptions {
  /** SQLite file (config.identityPath), or ':memory:'. */
  path: string;
  /** Where account events are recorded (the hash-chained store of the deployment). */
  store: Pick<EventStore, 'append' | 'readStream'>;
  sessionTtlHours: number;
  /** Argon2id cost; the production default unless a test asks for a cheap one. */
  passwordCost?: PasswordCost;
  /** The clock; tests move it to expire tokens. */
  now?: () => Date;
  /**
   * The key TOTP secrets are encrypted with (config.mfa, see secret-box.ts loadMfaKey). Absent: a
   * random key of this instance, enough for an in-memory database; a file's secrets then do not
   * survive a restart.
   */
  mfaKey?: Buffer;
  /** The clock of TOTP time steps; `now` unless given (tests step it to get a fresh code per sign-in). */
  mfaNow?: () => Date;
  /** How long a password an administrator sets serves, once (config.oneTimePasswordTtlHours); 72 unless given. */
  oneTimePasswordTtlHours?: number;
}

export const DEFAULT_ONE_TIME_PASSWORD_TTL_HOURS = 72;

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  jurisdiction: Jurisdiction;
  organisation_id: string | null;
  email: string | null;
  password_hash: string;
  /** Cannot sign in: disabled, or no role in force yet (see status). */
  disabled: 0 | 1;
  created_at: string;
  status: AccountStatus;
  pending_grant: string | null;
  /** The password is one an administrator set: it serves once, to choose the person's own, until password_expires_at. */
  one_time_password: 0 | 1;
  password_expires_at: string | null;
}

const HOUR_MS = 60 * 60 * 1000;
/** last_used_at is refreshed at most this often, so authenticating is not a write per request. */
const LAST_USED_RESOLUTION_MS = 60 * 1000;
/** base64url of 32 bytes. Anything else cannot be one of our tokens and costs no database read. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
export const INITIAL_ADMIN_USERNAME = 'admin';

const invalidCredentials = (): DomainError => new DomainError('INVALID_CREDENTIALS', 'Unknown username or wrong password');

function toView(row: AccountRow): AccountView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    jurisdiction: row.jurisdiction,
    organisationId: row.organisation_id,
    email: row.email,
    disabled: row.status === 'disabled',
    status: row.status,
    pendingGrant: row.pending_grant === null ? null : (JSON.parse(row.pending_grant) as PendingGrantView),
    createdAt: row.created_at,
  };
}

function toActor(row: Pick<AccountRow, 'id' | 'display_name' | 'role' | 'jurisdiction' | 'organisation_id'>): Actor {
  const actor: Actor = { userId: row.id, name: row.display_name, role: row.role, jurisdiction: row.jurisdiction };
  if (row.organisation_id !== null) actor.organisationId = row.organisation_id;
  return actor;
}

export function createIdentity(options: IdentityOptions): Identity {
  const db: Database.Database = openIdentityDb(options.path);
  const mfa = createMfa(db, options.mfaNow ?? options.now ?? (() => new Date()), createSecretBox(options.mfaKey ?? randomBytes(32)));
  const cost = options.passwordCost ?? DEFAULT_PASSWORD_COST;
  const now = options.now ?? (() => new Date());
  const ttlMs = options.sessionTtlHours * HOUR_MS;

  const stmt = {
    byUsername: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username = ?'),
    byId: db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?'),
    all: db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY username'),
    countAdmins: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM accounts WHERE role = 'admin'"),
    insertSession: db.prepare<[string, string, string, string, string]>(
      'INSERT INTO sessions (token_hash, account_id, created_at, expires_at, last_used_at) VALUES (?, ?, ?, ?, ?)',
    ),
    liveSession: db.prepare<[string, string], AccountRow & { last_used_at: string }>(
      `SELECT a.*, s.last_used_at FROM sessions s JOIN accounts a ON a.id = s.account_id
       WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND a.disabled = 0`,
    ),
    touch: db.prepare<[string, string]>('UPDATE sessions SET last_used_at = ? WHERE token_hash = ?'),
    markRead: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO inbox_reads (account_id, notice_id, read_at) VALUES (?, ?, ?)'),
    readOf: db.prepare<[string, string], { notice_id: string }>('SELECT notice_id FROM inbox_reads WHERE account_id = ? AND notice_id IN (SELECT value FROM json_each(?))'),
    countReadOf: db
      .prepare<[string, string], number>('SELECT count(*) FROM inbox_reads WHERE account_id = ? AND notice_id IN (SELECT value FROM json_each(?))')
      .pluck(),
    revoke: db.prepare<[string, string]>('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL'),
    purgeExpired: db.prepare<[string]>('DELETE FROM sessions WHERE expires_at <= ?'),
  };

  /**
   * An unknown username is checked against this hash, so answering "no such user" takes as long as
   * "wrong password" and response times do not reveal which usernames exist.
   */
  let dummyHash: Promise<string> | undefined;
  const getDummyHash = (): Promise<string> => (dummyHash ??= hashPassword(generatePassword(), cost));

  const view = (username: string): AccountView => {
    const row = stmt.byUsername.get(username);
    if (!row) throw new DomainError('NOT_FOUND', `No account named ${username}`, 'username');
    return toView(row);
  };
  const accounts = createAccountCommands({
    db,
    store: options.store,
    cost,
    now,
    view,
    forgetSecondFactor: (accountId) => mfa.reset(accountId),
    oneTimePasswordTtlMs: (options.oneTimePasswordTtlHours ?? DEFAULT_ONE_TIME_PASSWORD_TTL_HOURS) * HOUR_MS,
  });

  /** Whether the right password was a one-time one; PASSWORD_EXPIRED when its time is up. */
  const oneTime = (row: AccountRow): boolean => {
    if (row.one_time_password === 0) return false;
    if (passwordExpired({ expiresAt: row.password_expires_at }, now().toISOString())) throw passwordExpiredError();
    return true;
  };

  /** The hash of the person's own password, given with a one-time one; checked before anything is changed. */
  const newPasswordHash = async (row: AccountRow, newPassword: string | undefined): Promise<string> => {
    if (newPassword === undefined || newPassword === '') {
      throw new DomainError(
        'PASSWORD_CHANGE_REQUIRED',
        'newPassword: this password was set by an administrator and serves only once; choose a new password of your own',
        'newPassword',
      );
    }
    const valid = parseOrThrow(NewPasswordInput, { newPassword }).newPassword;
    if (await verifyPassword(row.password_hash, valid)) {
      throw new DomainError('VALIDATION_FAILED', 'newPassword: must differ from the password an administrator set', 'newPassword');
    }
    return hashPassword(valid, cost);
  };

  /** A new password offered with a password that is the account's own: no silent ignoring. */
  const refuseNewPassword = (newPassword: string | undefined): void => {
    if (newPassword !== undefined) {
      throw new DomainError('PASSWORD_NOT_ONE_TIME', "newPassword: this account's password is its own already; only a one-time password is replaced at sign-in", 'newPassword');
    }
  };

  const choosePassword = async (row: AccountRow, passwordHash: string): Promise<void> => {
    await accounts.choosePassword(toActor(row), row.username, passwordHash);
  };

  /** The account behind a username and password, checked in the same time whether it exists or not. */
  const checkPassword = async (input: LoginInput): Promise<AccountRow> => {
    const { username, password } = parseOrThrow(LoginInput, input);
    const row = stmt.byUsername.get(username.trim().toLowerCase());
    if (!row) {
      await verifyPassword(await getDummyHash(), password);
      throw invalidCredentials();
    }
    const ok = await verifyPassword(row.password_hash, password);
    if (!ok || row.disabled === 1) throw invalidCredentials();
    return row;
  };

  const openSession = (row: AccountRow, kind: TokenKind, recoveryCodes?: string[]): Session => {
    const token = newToken();
    const at = now();
    const expiresAt = new Date(at.getTime() + ttlMs).toISOString();
    stmt.purgeExpired.run(at.toISOString());
    stmt.insertSession.run(sessionDigest(token, kind), row.id, at.toISOString(), expiresAt, at.toISOString());
    return { token, expiresAt, actor: toActor(row), ...(recoveryCodes ? { recoveryCodes } : {}) };
  };

  const challengeOf = (row: AccountRow, challenge: { challenge: string; expiresAt: string }): SignInChallenge => {
    const enrolment = mfa.pendingEnrolment(row);
    return { ...challenge, username: row.username, passwordChangeRequired: row.one_time_password === 1, ...(enrolment ? { enrolment } : {}) };
  };

  const identity: Identity = {
    createAccount: accounts.createAccount,
    changeAssignment: accounts.changeAssignment,
    setDisabled: accounts.setDisabled,
    resetPassword: accounts.resetPassword,
    resetMfa: accounts.resetMfa,
    changeEmail: accounts.changeEmail,
    approveGrant: accounts.approveGrant,
    rejectGrant: accounts.rejectGrant,
    listPendingGrants: accounts.listPendingGrants,
    catchUp: accounts.catchUp,

    listAccounts() {
      return stmt.all.all().map(toView);
    },

    markNoticesRead(accountId, noticeIds) {
      const at = now().toISOString();
      db.transaction(() => noticeIds.forEach((id) => stmt.markRead.run(accountId, id, at)))();
    },

    readNotices(accountId, noticeIds) {
      const read = new Set<string>();
      for (const row of stmt.readOf.all(accountId, JSON.stringify(noticeIds))) read.add(row.notice_id);
      return read;
    },

    countReadNotices(accountId, noticeIds) {
      return stmt.countReadOf.get(accountId, JSON.stringify(noticeIds)) as number;
    },

    findAccount(username) {
      const parsed = Username.safeParse(username);
      const row = parsed.success ? stmt.byUsername.get(parsed.data) : undefined;
      return row ? toView(row) : undefined;
    },

    async login(input, kind = 'api') {
      const row = await checkPassword(input);
      const isOneTime = oneTime(row);
      if (!isOneTime) refuseNewPassword(input.newPassword);
      // Not enrolled at all: the enrolment (which takes the new password) comes first.
      const chosen = isOneTime && mfa.status(row.id) !== 'none' ? await newPasswordHash(row, input.newPassword) : undefined;
      const verified = mfa.verify(row.id, input.code);
      if (chosen !== undefined) await choosePassword(row, chosen);
      return openSession(row, kind, verified.recoveryCodes);
    },

    async beginMfaEnrolment(input) {
      const row = await checkPassword(input);
      if (!oneTime(row)) {
        refuseNewPassword(input.newPassword);
        return mfa.beginEnrolment(row);
      }
      if (mfa.status(row.id) === 'enrolled') {
        throw new DomainError('MFA_ALREADY_ENROLLED', `${row.username} has an authenticator already; an administrator can reset it`);
      }
      const chosen = await newPasswordHash(row, input.newPassword);
      const enrolment = mfa.beginEnrolment(row);
      await choosePassword(row, chosen);
      return enrolment;
    },

    async startSignIn(input) {
      const row = await checkPassword(input);
      oneTime(row);
      if (mfa.status(row.id) === 'none') mfa.beginEnrolment(row);
      return challengeOf(row, mfa.openChallenge(row.id));
    },

    pendingSignIn(challenge) {
      const live = mfa.challengeAccount(challenge);
      const row = live && stmt.byId.get(live.accountId);
      if (!live || !row || row.disabled === 1) return undefined;
      return challengeOf(row, { challenge, expiresAt: live.expiresAt });
    },

    async finishSignIn(challenge, code, kind = 'api', newPassword) {
      const live = mfa.challengeAccount(challenge);
      const row = live && stmt.byId.get(live.accountId);
      if (!row || row.disabled === 1) throw new DomainError('MFA_CHALLENGE_INVALID', 'The sign-in took too long or was already used; sign in again');
      const chosen = oneTime(row) ? await newPasswordHash(row, newPassword) : undefined;
      let verified;
      try {
        verified = mfa.verify(row.id, code);
      } catch (err) {
        mfa.challengeFailed(challenge);
        throw err;
      }
      mfa.closeChallenge(challenge);
      if (chosen !== undefined) await choosePassword(row, chosen);
      return openSession(row, kind, verified.recoveryCodes);
    },

    logout(token, kind = 'api') {
      if (!TOKEN_SHAPE.test(token)) return false;
      return stmt.revoke.run(now().toISOString(), sessionDigest(token, kind)).changes > 0;
    },

    authenticate(token, kind = 'api') {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const at = now();
      const tokenHash = sessionDigest(token, kind);
      const row = stmt.liveSession.get(tokenHash, at.toISOString());
      if (!row) return undefined;
      if (at.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
        stmt.touch.run(at.toISOString(), tokenHash);
      }
      return toActor(row);
    },

    async ensureInitialAdmin() {
      await accounts.catchUp();
      if ((stmt.countAdmins.get()?.n ?? 0) > 0) return undefined;
      const password = generatePassword();
      await accounts.createAccount(SYSTEM_ACTOR, {
        username: INITIAL_ADMIN_USERNAME,
        displayName: 'Administrator',
        role: 'admin',
        jurisdiction: 'federal',
        password,
      });
      return { username: INITIAL_ADMIN_USERNAME, password };
    },

    close() {
      db.close();
    },
  };
  return identity;
}
