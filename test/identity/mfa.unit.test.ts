import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { DomainError } from '../../domain/shared/errors';
import { openIdentityDb } from '../../identity/db';
import { createMfa, RECOVERY_CODE_COUNT, totpCode, TOTP_PERIOD_SECONDS, type Mfa } from '../../identity/mfa';
import { createSecretBox } from '../../identity/secret-box';
import { hashToken } from '../../identity/tokens';

const STEP_MS = TOTP_PERIOD_SECONDS * 1000;
const ACCOUNT = { id: 'acc-1', username: 'sana.officer' };
const KEY = randomBytes(32);

let db: Database.Database;
let clock: Date;
let mfa: Mfa;

const at = (offsetMs: number): Date => new Date(clock.getTime() + offsetMs);
function refusal(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof DomainError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

/** Enrols the account and confirms it with the current code; answers the secret and the recovery codes. */
function enrolled(): { secret: string; recoveryCodes: string[] } {
  const { secret } = mfa.beginEnrolment(ACCOUNT);
  const { recoveryCodes } = mfa.verify(ACCOUNT.id, totpCode(secret, clock));
  clock = at(STEP_MS);
  return { secret, recoveryCodes: recoveryCodes ?? [] };
}

beforeEach(() => {
  db = openIdentityDb(':memory:');
  db.prepare(
    `INSERT INTO accounts (id, username, display_name, role, jurisdiction, password_hash, created_at)
     VALUES ('acc-1', 'sana.officer', 'Sana', 'reviewer', 'federal', 'x', '2026-01-01T00:00:00Z')`,
  ).run();
  // Mid-step, so that one step either way is a whole step away.
  clock = new Date(Date.parse('2026-02-01T09:00:00.000Z') + STEP_MS / 2);
  mfa = createMfa(db, () => clock, createSecretBox(KEY));
});
afterEach(() => db.close());

describe('enrolment', () => {
  it('gives a base32 secret and its otpauth URI, pending until a current code confirms it', () => {
    const enrolment = mfa.beginEnrolment(ACCOUNT);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauthUri).toBe(
      `otpauth://totp/Cloud%20Office:sana.officer?issuer=Cloud%20Office&secret=${enrolment.secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(mfa.status(ACCOUNT.id)).toBe('pending');
    expect(mfa.pendingEnrolment(ACCOUNT)).toEqual(enrolment);
    const { recoveryCodes } = mfa.verify(ACCOUNT.id, totpCode(enrolment.secret, clock));
    expect(mfa.status(ACCOUNT.id)).toBe('enrolled');
    expect(recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    expect(mfa.pendingEnrolment(ACCOUNT)).toBeUndefined();
  });

  it('asks for enrolment when there is no secret or no code for a pending one, and refuses a second enrolment', () => {
    expect(refusal(() => mfa.verify(ACCOUNT.id, '123456'))).toBe('MFA_ENROLMENT_REQUIRED');
    mfa.beginEnrolment(ACCOUNT);
    expect(refusal(() => mfa.verify(ACCOUNT.id, undefined))).toBe('MFA_ENROLMENT_REQUIRED');
    enrolled();
    expect(refusal(() => mfa.beginEnrolment(ACCOUNT))).toBe('MFA_ALREADY_ENROLLED');
  });

  it('stores the secret encrypted, bound to its account, and only the configured key opens it', () => {
    const { secret } = enrolled();
    const { secret: stored } = db.prepare('SELECT secret FROM mfa').get() as { secret: string };
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain(secret);
    expect(createSecretBox(KEY).open(stored, ACCOUNT.id)).toBe(secret);
    expect(() => createSecretBox(KEY).open(stored, 'another-account')).toThrow(/does not open/);
    expect(() => createSecretBox(randomBytes(32)).open(stored, ACCOUNT.id)).toThrow(/does not open/);
  });

  it('stores recovery codes only as hashes', () => {
    const { recoveryCodes } = enrolled();
    const rows = db.prepare('SELECT * FROM mfa_recovery_codes').all() as { code_hash: string }[];
    expect(rows.map((r) => r.code_hash).sort()).toEqual(recoveryCodes.map((c) => hashToken(c.replace('-', ''))).sort());
    expect(JSON.stringify(rows)).not.toContain(recoveryCodes[0]);
  });
});

describe('codes at sign-in', () => {
  it('accepts the current code and refuses a wrong one', () => {
    const { secret } = enrolled();
    expect(refusal(() => mfa.verify(ACCOUNT.id, totpCode(secret, at(10 * STEP_MS))))).toBe('MFA_CODE_INVALID');
    expect(mfa.verify(ACCOUNT.id, totpCode(secret, clock))).toEqual({});
  });

  it('asks for a code when none is given', () => {
    enrolled();
    expect(refusal(() => mfa.verify(ACCOUNT.id, ''))).toBe('MFA_REQUIRED');
  });

  it('refuses a code used once already within its time step', () => {
    const { secret } = enrolled();
    const code = totpCode(secret, clock);
    mfa.verify(ACCOUNT.id, code);
    expect(refusal(() => mfa.verify(ACCOUNT.id, code))).toBe('MFA_CODE_INVALID');
  });

  it('tolerates one step of drift either way, and no more', () => {
    const { secret } = enrolled();
    clock = at(10 * STEP_MS);
    expect(mfa.verify(ACCOUNT.id, totpCode(secret, at(-STEP_MS)))).toEqual({});
    expect(mfa.verify(ACCOUNT.id, totpCode(secret, at(STEP_MS)))).toEqual({});
    // The step before the last accepted one is spent too, though still in the window.
    clock = at(STEP_MS);
    expect(refusal(() => mfa.verify(ACCOUNT.id, totpCode(secret, at(-STEP_MS))))).toBe('MFA_CODE_INVALID');
    expect(refusal(() => mfa.verify(ACCOUNT.id, totpCode(secret, at(2 * STEP_MS))))).toBe('MFA_CODE_INVALID');
    expect(refusal(() => mfa.verify(ACCOUNT.id, totpCode(secret, at(-2 * STEP_MS))))).toBe('MFA_CODE_INVALID');
  });

  it('accepts each recovery code once, typed in any case, and records its use', () => {
    const { recoveryCodes } = enrolled();
    const [first, second] = recoveryCodes as [string, string];
    expect(mfa.verify(ACCOUNT.id, first.toUpperCase())).toEqual({});
    expect(refusal(() => mfa.verify(ACCOUNT.id, first))).toBe('MFA_CODE_INVALID');
    expect(mfa.recoveryCodesLeft(ACCOUNT.id)).toBe(RECOVERY_CODE_COUNT - 1);
    const used = db.prepare('SELECT used_at FROM mfa_recovery_codes WHERE used_at IS NOT NULL').all();
    expect(used).toEqual([{ used_at: clock.toISOString() }]);
    expect(mfa.verify(ACCOUNT.id, second)).toEqual({});
  });

  it('forgets the secret and recovery codes on reset, so the account enrols again', () => {
    const { recoveryCodes } = enrolled();
    mfa.reset(ACCOUNT.id);
    expect(mfa.status(ACCOUNT.id)).toBe('none');
    expect(refusal(() => mfa.verify(ACCOUNT.id, recoveryCodes[0]))).toBe('MFA_ENROLMENT_REQUIRED');
    expect(mfa.beginEnrolment(ACCOUNT).secret).toMatch(/^[A-Z2-7]{32}$/);
  });
});

describe('sign-in challenges', () => {
  it('live until they expire, are spent by too many wrong codes, and end when closed', () => {
    const { challenge } = mfa.openChallenge(ACCOUNT.id);
    expect(mfa.challengeAccount(challenge)).toMatchObject({ accountId: ACCOUNT.id });
    for (let i = 0; i < 5; i++) mfa.challengeFailed(challenge);
    expect(mfa.challengeAccount(challenge)).toBeUndefined();
    const second = mfa.openChallenge(ACCOUNT.id).challenge;
    clock = at(5 * 60 * 1000);
    expect(mfa.challengeAccount(second)).toBeUndefined();
    const third = mfa.openChallenge(ACCOUNT.id).challenge;
    mfa.closeChallenge(third);
    expect(mfa.challengeAccount(third)).toBeUndefined();
  });
});
