import { randomInt } from 'node:crypto';
import type Database from 'better-sqlite3';
import { Secret, TOTP } from 'otpauth';
import { DomainError } from '../domain/shared/errors';
import type { SecretBox } from './secret-box';
import { hashToken, newToken } from './tokens';

/**
 * The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, as every authenticator app
 * reads it) with one-time recovery codes. Every account has one; it is enrolled at the first sign-in
 * and confirmed with a current code, which is when the recovery codes are issued, once.
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Codes of the step before and after the current one are accepted: clocks drift, people type slowly. */
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
export const MFA_ISSUER = 'Cloud Office';
/** How long the code step of the UI's two-step sign-in waits after the password was right. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Wrong codes one challenge takes before it is spent (the sign-in throttle counts them too). */
export const CHALLENGE_MAX_FAILURES = 5;

/** What the person adds to their authenticator app: the otpauth:// URI (a QR code's content) or the text. */
export interface MfaEnrolment {
  secret: string;
  otpauthUri: string;
}

export type MfaStatus = 'none' | 'pending' | 'enrolled';

export interface MfaAccount {
  id: string;
  username: string;
}

/** Recovery codes are issued only when a code confirms an enrolment, and shown then only. */
export interface MfaVerified {
  recoveryCodes?: string[];
}

export interface Mfa {
  status(accountId: string): MfaStatus;
  /** A fresh secret for an account not enrolled yet, replacing any earlier unconfirmed one. */
  beginEnrolment(account: MfaAccount): MfaEnrolment;
  /** The unconfirmed secret, shown again while the person has not confirmed it. */
  pendingEnrolment(account: MfaAccount): MfaEnrolment | undefined;
  /**
   * Checks the code of a sign-in whose password was right: a current TOTP code (confirming a pending
   * enrolment) or an unused recovery code. Throws MFA_ENROLMENT_REQUIRED, MFA_REQUIRED or MFA_CODE_INVALID.
   */
  verify(accountId: string, code: string | undefined): MfaVerified;
  /** Forgets the secret and recovery codes: the person enrols again at their next sign-in. */
  reset(accountId: string): void;
  recoveryCodesLeft(accountId: string): number;
  /** A single-use token standing for "password was right" until the code is given. */
  openChallenge(accountId: string): { challenge: string; expiresAt: string };
  /** The account a live challenge is for and until when, or undefined. */
  challengeAccount(challenge: string): { accountId: string; expiresAt: string } | undefined;
  /** Records a wrong code against the challenge; the last one allowed spends it. */
  challengeFailed(challenge: string): void;
  closeChallenge(challenge: string): void;
}

interface MfaRow {
  account_id: string;
  secret: string;
  confirmed_at: string | null;
  last_step: number | null;
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const RECOVERY_SHAPE = /^[a-z0-9]{10}$/;
const CHALLENGE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function totpFor(secret: string, username: string): TOTP {
  return new TOTP({
    issuer: MFA_ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/**
 * The time step a code belongs to, if it is a code of the secret within the window around `at`;
 * undefined otherwise. Pure, so the replay rule (a step is accepted once) stays with the caller.
 */
export function totpStep(secret: string, code: string, at: Date): number | undefined {
  const totp = totpFor(secret, '');
  const delta = totp.validate({ token: code, timestamp: at.getTime(), window: TOTP_WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: at.getTime() }) + delta;
}

/** The current code of a secret; what an authenticator app shows (and what tests type). */
export function totpCode(secret: string, at: Date): string {
  return totpFor(secret, '').generate({ timestamp: at.getTime() });
}

/** Ten letters and digits without look-alikes (about 49 bits), shown as xxxxx-xxxxx. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

/** People type codes with spaces and dashes, recovery codes in capitals. */
const normalise = (code: string): string => code.replace(/[\s-]/g, '').toLowerCase();

const enrolmentRequired = (): DomainError =>
  new DomainError('MFA_ENROLMENT_REQUIRED', 'This account must enrol an authenticator app first; confirm its secret with a current code', 'code');
const codeInvalid = (why = 'is not a current authenticator code or an unused recovery code'): DomainError =>
  new DomainError('MFA_CODE_INVALID', `code: ${why}`, 'code');

export function createMfa(db: Database.Database, now: () => Date, box: SecretBox): Mfa {
  const stmt = {
    stored: db.prepare<[string], MfaRow>('SELECT * FROM mfa WHERE account_id = ?'),
    upsertPending: db.prepare<[string, string, string]>(
      `INSERT INTO mfa (account_id, secret, created_at) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, last_step = NULL
       WHERE mfa.confirmed_at IS NULL`,
    ),
    // Only a step later than the last accepted one moves it: a code is good once, even in a race.
    acceptStep: db.prepare<[number, string, number]>('UPDATE mfa SET last_step = ? WHERE account_id = ? AND (last_step IS NULL OR last_step < ?)'),
    confirm: db.prepare<[string, string]>('UPDATE mfa SET confirmed_at = ? WHERE account_id = ? AND confirmed_at IS NULL'),
    insertRecovery: db.prepare<[string, string]>('INSERT INTO mfa_recovery_codes (account_id, code_hash) VALUES (?, ?)'),
    useRecovery: db.prepare<[string, string, string]>(
      'UPDATE mfa_recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL',
    ),
    recoveryLeft: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM mfa_recovery_codes WHERE account_id = ? AND used_at IS NULL'),
    deleteMfa: db.prepare<[string]>('DELETE FROM mfa WHERE account_id = ?'),
    deleteRecovery: db.prepare<[string]>('DELETE FROM mfa_recovery_codes WHERE account_id = ?'),
    deleteChallenges: db.prepare<[string]>('DELETE FROM mfa_challenges WHERE account_id = ?'),
    insertChallenge: db.prepare<[string, string, string]>('INSERT INTO mfa_challenges (token_hash, account_id, expires_at) VALUES (?, ?, ?)'),
    liveChallenge: db.prepare<[string, string], { account_id: string; expires_at: string }>(
      `SELECT account_id, expires_at FROM mfa_challenges WHERE token_hash = ? AND expires_at > ? AND failures < ${CHALLENGE_MAX_FAILURES}`,
    ),
    failChallenge: db.prepare<[string]>('UPDATE mfa_challenges SET failures = failures + 1 WHERE token_hash = ?'),
    closeChallenge: db.prepare<[string]>('DELETE FROM mfa_challenges WHERE token_hash = ?'),
    purgeChallenges: db.prepare<[string]>('DELETE FROM mfa_challenges WHERE expires_at <= ?'),
  };

  /** The row with its secret opened. */
  const load = (accountId: string): MfaRow | undefined => {
    const row = stmt.stored.get(accountId);
    return row && { ...row, secret: box.open(row.secret, accountId) };
  };

  const enrolmentOf = (secret: string, username: string): MfaEnrolment => ({ secret, otpauthUri: totpFor(secret, username).toString() });

  const issueRecoveryCodes = (accountId: string): string[] => {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    stmt.deleteRecovery.run(accountId);
    for (const code of codes) stmt.insertRecovery.run(accountId, hashToken(normalise(code)));
    return codes;
  };

  const verifyTotp = (row: MfaRow, code: string): MfaVerified => {
    const step = totpStep(row.secret, code, now());
    if (step === undefined) throw codeInvalid();
    return db.transaction((): MfaVerified => {
      if (stmt.acceptStep.run(step, row.account_id, step).changes === 0) throw codeInvalid('was used already; wait for the next code');
      if (row.confirmed_at !== null) return {};
      stmt.confirm.run(now().toISOString(), row.account_id);
      return { recoveryCodes: issueRecoveryCodes(row.account_id) };
    })();
  };

  return {
    status(accountId) {
      const row = stmt.stored.get(accountId);
      return row === undefined ? 'none' : row.confirmed_at === null ? 'pending' : 'enrolled';
    },

    beginEnrolment(account) {
      const secret = new Secret({ size: 20 }).base32;
      if (stmt.upsertPending.run(account.id, box.seal(secret, account.id), now().toISOString()).changes === 0) {
        throw new DomainError('MFA_ALREADY_ENROLLED', `${account.username} has an authenticator already; an administrator can reset it`);
      }
      return enrolmentOf(secret, account.username);
    },

    pendingEnrolment(account) {
      const row = load(account.id);
      return row !== undefined && row.confirmed_at === null ? enrolmentOf(row.secret, account.username) : undefined;
    },

    verify(accountId, code) {
      const row = load(accountId);
      const given = normalise(code ?? '');
      if (row === undefined || (row.confirmed_at === null && given === '')) throw enrolmentRequired();
      if (given === '') throw new DomainError('MFA_REQUIRED', 'code: the current code of your authenticator app (or a recovery code) is required', 'code');
      if (/^\d+$/.test(given)) return verifyTotp(row, given);
      // Recovery codes stand in for an enrolled authenticator, never for confirming a new one.
      if (row.confirmed_at === null || !RECOVERY_SHAPE.test(given)) throw codeInvalid();
      if (stmt.useRecovery.run(now().toISOString(), accountId, hashToken(given)).changes === 0) throw codeInvalid();
      return {};
    },

    reset(accountId) {
      db.transaction(() => {
        stmt.deleteRecovery.run(accountId);
        stmt.deleteChallenges.run(accountId);
        stmt.deleteMfa.run(accountId);
      })();
    },

    recoveryCodesLeft(accountId) {
      return stmt.recoveryLeft.get(accountId)?.n ?? 0;
    },

    openChallenge(accountId) {
      const at = now();
      const challenge = newToken();
      const expiresAt = new Date(at.getTime() + CHALLENGE_TTL_MS).toISOString();
      stmt.purgeChallenges.run(at.toISOString());
      stmt.insertChallenge.run(hashToken(challenge), accountId, expiresAt);
      return { challenge, expiresAt };
    },

    challengeAccount(challenge) {
      if (!CHALLENGE_SHAPE.test(challenge)) return undefined;
      const row = stmt.liveChallenge.get(hashToken(challenge), now().toISOString());
      return row && { accountId: row.account_id, expiresAt: row.expires_at };
    },

    challengeFailed(challenge) {
      stmt.failChallenge.run(hashToken(challenge));
    },

    closeChallenge(challenge) {
      stmt.closeChallenge.run(hashToken(challenge));
    },
  };
}
