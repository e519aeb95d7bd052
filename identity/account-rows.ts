import type Database from 'better-sqlite3';
import type { AccountEvent, Assignment, PendingGrant } from '../domain/account';
import type { AccountHistory } from './account-stream';
import type { AccountStatus } from './schemas';

/**
 * The identity database's accounts table as a projection of the account streams. Applying is
 * idempotent (the row remembers the last revision it applied), so the service can append first and
 * apply second, and a catch-up at start repairs whatever a crash left between the two.
 */

/** A stored hash no password verifies: an account whose first password was lost in a crash. */
export const NO_PASSWORD = '!';

/** Events after which the account's sessions end. */
const ENDS_SESSIONS: ReadonlySet<AccountEvent['type']> = new Set(['AccountDisabled', 'AccountPasswordReset', 'AccountMfaReset', 'AccountPasswordChosen']);

/** forgetSecondFactor deletes an account's authenticator and recovery codes (identity/mfa.ts). */
export function createAccountRows(db: Database.Database, now: () => Date, forgetSecondFactor: (accountId: string) => void) {
  const stmt = {
    row: db.prepare<[string], { id: string; revision: number; credential_id: string | null; password_hash: string }>(
      'SELECT id, revision, credential_id, password_hash FROM accounts WHERE username = ?',
    ),
    staged: db.prepare<[string], { password_hash: string }>('SELECT password_hash FROM staged_credentials WHERE credential_id = ?'),
    stage: db.prepare<[string, string, string, string]>(
      'INSERT INTO staged_credentials (credential_id, username, password_hash, staged_at) VALUES (?, ?, ?, ?)',
    ),
    unstage: db.prepare<[string]>('DELETE FROM staged_credentials WHERE credential_id = ?'),
    dropStale: db.prepare<[string]>('DELETE FROM staged_credentials WHERE staged_at < ?'),
    stagedUsernames: db.prepare<[], { username: string }>('SELECT DISTINCT username FROM staged_credentials'),
    upsert: db.prepare(
      `INSERT INTO accounts (id, username, display_name, role, jurisdiction, organisation_id, password_hash, disabled, created_at,
                             status, pending_grant, credential_id, revision, one_time_password, password_expires_at, email)
       VALUES (@id, @username, @display_name, @role, @jurisdiction, @organisation_id, @password_hash, @disabled, @created_at,
               @status, @pending_grant, @credential_id, @revision, @one_time_password, @password_expires_at, @email)
       ON CONFLICT (username) DO UPDATE SET
         display_name = excluded.display_name, role = excluded.role, jurisdiction = excluded.jurisdiction,
         organisation_id = excluded.organisation_id, password_hash = excluded.password_hash, disabled = excluded.disabled,
         status = excluded.status, pending_grant = excluded.pending_grant, credential_id = excluded.credential_id,
         revision = excluded.revision, one_time_password = excluded.one_time_password, password_expires_at = excluded.password_expires_at,
         email = excluded.email`,
    ),
    revokeAll: db.prepare<[string, string]>('UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL'),
  };

  const apply = db.transaction((history: AccountHistory): boolean => {
    const { state, events } = history;
    const last = events.at(-1);
    if (state.status === 'none' || last === undefined) return false;
    const row = stmt.row.get(state.username);
    if (row && row.revision >= last.revision) return false;
    let passwordHash = row?.password_hash ?? NO_PASSWORD;
    if (row?.credential_id !== state.credentialId) {
      const staged = stmt.staged.get(state.credentialId);
      if (staged) passwordHash = staged.password_hash;
      stmt.unstage.run(state.credentialId);
    }
    // An account without a role in force is shown with the role it asked for, and cannot sign in.
    const shown: Assignment = state.assignment ?? state.pendingGrant ?? lastRequested(events);
    const status: AccountStatus =
      state.status === 'disabled' ? 'disabled' : state.assignment !== null ? 'active' : state.pendingGrant !== null ? 'awaiting-approval' : 'no-role';
    stmt.upsert.run({
      id: row?.id ?? state.accountId,
      username: state.username,
      display_name: state.displayName,
      role: shown.role,
      jurisdiction: shown.jurisdiction,
      organisation_id: shown.organisationId,
      password_hash: passwordHash,
      disabled: status === 'active' ? 0 : 1,
      created_at: state.createdAt,
      status,
      pending_grant: state.pendingGrant === null ? null : JSON.stringify(state.pendingGrant satisfies PendingGrant),
      credential_id: state.credentialId,
      revision: last.revision,
      one_time_password: state.oneTimePassword === null ? 0 : 1,
      password_expires_at: state.oneTimePassword?.expiresAt ?? null,
      email: state.email,
    });
    const fresh = events.filter((e) => e.revision > (row?.revision ?? -1));
    if (row && fresh.some((e) => e.type === 'AccountMfaReset')) forgetSecondFactor(row.id);
    if (row && fresh.some((e) => ENDS_SESSIONS.has(e.type))) stmt.revokeAll.run(now().toISOString(), row.id);
    return true;
  });

  return {
    /** Brings the account's row up to its history; false when it already was. */
    apply: (history: AccountHistory): boolean => apply(history),
    /** Keeps a new password's hash until the event that records it is applied. */
    stage(credentialId: string, username: string, passwordHash: string): void {
      stmt.stage.run(credentialId, username, passwordHash, now().toISOString());
    },
    /** Staged before `before` and still not applied: no event names them, and none will. */
    dropStaleStaged(before: Date): void {
      stmt.dropStale.run(before.toISOString());
    },
    /** Accounts a crash may have left behind their streams: every row, and every staged password. */
    usernamesToCatchUp(): string[] {
      const rows = db.prepare<[], { username: string }>('SELECT username FROM accounts').all();
      return [...new Set([...rows, ...stmt.stagedUsernames.all()].map((r) => r.username))];
    },
  };
}

export type AccountRows = ReturnType<typeof createAccountRows>;

function lastRequested(events: readonly AccountEvent[]): Assignment {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i] as AccountEvent;
    if (e.type === 'AccountGrantRequested' || e.type === 'AccountRoleAssigned' || e.type === 'AccountGrantApproved') {
      const { role, jurisdiction, organisationId } = e.data;
      return { role, jurisdiction, organisationId };
    }
  }
  throw new Error('An account stream without any assignment');
}
