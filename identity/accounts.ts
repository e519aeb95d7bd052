import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { decideAccount, foldAccount, type AccountCommand, type AccountEvent, type Assignment } from '../domain/account';
import { SYSTEM_ACTOR, type Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { WrongExpectedRevisionError, type EventStore } from '../eventstore/port';
import { createAccountRows, type AccountRows } from './account-rows';
import { appendAccountEvents, readAccount, type AccountHistory } from './account-stream';
import { hashPassword, type PasswordCost } from './passwords';
import {
  AccountInput,
  AccountRef,
  AssignmentInput,
  EmailChange,
  GrantRef,
  GrantRejection,
  PasswordChange,
  type AccountView,
  type PendingGrantView,
} from './schemas';
import { parseOrThrow } from './validation';

/** A staged password older than this, that no event named, belongs to a command that never got recorded. */
const STAGED_CREDENTIAL_TTL_MS = 60 * 60 * 1000;

export interface PendingGrantEntry {
  username: string;
  accountId: string;
  displayName: string;
  /** The account's status and role in force while the grant waits. */
  status: AccountView['status'];
  currentRole: AccountView['role'] | null;
  grant: PendingGrantView;
}

/**
 * Account changes, each one an event in the account's stream before it touches the identity
 * database: read the stream, decide, append at the revision read, then apply to the row.
 */
export interface AccountCommands {
  createAccount(actor: Actor, input: AccountInput): Promise<AccountView>;
  /** A new role, jurisdiction or organisation: at once, or as a grant awaiting approval when privileged. */
  changeAssignment(actor: Actor, username: string, input: AssignmentInput): Promise<AccountView>;
  /** Disabling also ends the account's sessions. */
  setDisabled(actor: Actor, username: string, disabled: boolean): Promise<AccountView>;
  /** Sets a new password and ends the account's sessions; the event records who did it, not the password. */
  resetPassword(actor: Actor, username: string, password: string): Promise<AccountView>;
  approveGrant(actor: Actor, username: string, grantId: string): Promise<AccountView>;
  rejectGrant(actor: Actor, username: string, grantId: string, reason: string): Promise<AccountView>;
  /**
   * Forgets the account's authenticator and recovery codes and ends its sessions: it enrols again at
   * its next sign-in. The event records who did it, never the secret.
   */
  resetMfa(actor: Actor, username: string): Promise<AccountView>;
  /** Sets or removes (null) the address notices are mailed to: an administrator, or the person themselves. */
  changeEmail(actor: Actor, username: string, email: string | null): Promise<AccountView>;
  listPendingGrants(): PendingGrantEntry[];
  /**
   * Brings every account row up to its stream (after a crash between an append and its apply), and
   * records accounts that predate account events as they are. Answers how many rows changed.
   */
  catchUp(): Promise<number>;
}

export interface AccountCommandDeps {
  db: Database.Database;
  store: Pick<EventStore, 'append' | 'readStream'>;
  cost: PasswordCost;
  now: () => Date;
  view(username: string): AccountView;
  /** Deletes the account's second factor (identity/mfa.ts), when an AccountMfaReset is applied. */
  forgetSecondFactor(accountId: string): void;
  /** How long a password an administrator set (or kept through a second-factor reset) serves, once. */
  oneTimePasswordTtlMs: number;
}

/** What identity.ts alone uses: the holder's own password, chosen after its one-time one was checked. */
export interface HolderCommands {
  /** Records the password (its hash computed by the caller) as the holder's own: AccountPasswordChosen. */
  choosePassword(holder: Actor, username: string, passwordHash: string): Promise<AccountView>;
}

const toAssignment = (input: { role: Assignment['role']; jurisdiction: Assignment['jurisdiction']; organisationId?: string | undefined }): Assignment => ({
  role: input.role,
  jurisdiction: input.jurisdiction,
  organisationId: input.organisationId ?? null,
});

export function createAccountCommands({
  db,
  store,
  cost,
  now,
  view,
  forgetSecondFactor,
  oneTimePasswordTtlMs,
}: AccountCommandDeps): AccountCommands & HolderCommands & { rows: AccountRows } {
  const passwordExpiresAt = (): string => new Date(now().getTime() + oneTimePasswordTtlMs).toISOString();
  const rows = createAccountRows(db, now, forgetSecondFactor);
  const stmt = {
    enabledAdmins: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM accounts WHERE role = 'admin' AND disabled = 0"),
    exists: db.prepare<[string], { id: string }>('SELECT id FROM accounts WHERE username = ?'),
    pending: db.prepare<[], { id: string; username: string; display_name: string; status: AccountView['status']; role: AccountView['role']; pending_grant: string }>(
      'SELECT id, username, display_name, status, role, pending_grant FROM accounts WHERE pending_grant IS NOT NULL ORDER BY username',
    ),
    legacy: db.prepare<[], { id: string; username: string; display_name: string; role: Assignment['role']; jurisdiction: Assignment['jurisdiction']; organisation_id: string | null; disabled: 0 | 1; credential_id: string | null }>(
      'SELECT * FROM accounts WHERE revision = -1',
    ),
  };

  /** Decides on the history read, appends at its revision, applies; the row is brought up to date first. */
  async function execute(username: string, command: AccountCommand, history?: AccountHistory): Promise<AccountView> {
    const before = history ?? (await readAccount(store, username));
    if (before.state.status === 'none' && command.type !== 'CreateAccount') {
      throw new DomainError('NOT_FOUND', `No account named ${username}`, 'username');
    }
    rows.apply(before);
    const at = now().toISOString();
    const events = decideAccount(command, before.state, { now: at, enabledAdmins: stmt.enabledAdmins.get()?.n ?? 0 });
    try {
      await appendAccountEvents(store, username, events, before.expected, command.actor, at);
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) {
        throw before.expected === 'no-stream'
          ? new DomainError('ACCOUNT_EXISTS', `An account named ${username} already exists`, 'username')
          : new DomainError('WRONG_EXPECTED_REVISION', `The account ${username} changed meanwhile; try again`);
      }
      throw err;
    }
    rows.apply(extend(before, events));
    return view(username);
  }

  /**
   * Stages the password's hash under a new credential id, then runs the command that records it. A
   * failed command leaves the hash staged: the append may have succeeded before its answer was lost,
   * and the catch-up then still finds the password the event names.
   */
  async function withCredential(username: string, password: string, run: (credentialId: string) => Promise<AccountView>): Promise<AccountView> {
    const credentialId = randomUUID();
    rows.stage(credentialId, username, await hashPassword(password, cost));
    return run(credentialId);
  }

  async function recordExisting(row: ReturnType<typeof stmt.legacy.all>[number]): Promise<void> {
    const at = now().toISOString();
    const events: AccountEvent[] = [
      {
        type: 'AccountCreated',
        data: { accountId: row.id, username: row.username, displayName: row.display_name, credentialId: row.credential_id ?? randomUUID(), createdBy: SYSTEM_ACTOR.userId, createdAt: at },
      },
      {
        type: 'AccountRoleAssigned',
        data: { ...toAssignment({ ...row, organisationId: row.organisation_id ?? undefined }), basis: 'existing-account', assignedBy: SYSTEM_ACTOR.userId, assignedAt: at },
      },
    ];
    if (row.disabled === 1) events.push({ type: 'AccountDisabled', data: { disabledBy: SYSTEM_ACTOR.userId, disabledAt: at } });
    await appendAccountEvents(store, row.username, events, 'no-stream', SYSTEM_ACTOR, at);
  }

  return {
    rows,

    async createAccount(actor, input) {
      const valid = parseOrThrow(AccountInput, input);
      // Checked before hashing, which is the expensive part; the stream's 'no-stream' append still decides races.
      if (stmt.exists.get(valid.username)) {
        throw new DomainError('ACCOUNT_EXISTS', `An account named ${valid.username} already exists`, 'username');
      }
      return withCredential(valid.username, valid.password, (credentialId) =>
        execute(valid.username, {
          type: 'CreateAccount',
          actor,
          data: {
            accountId: randomUUID(),
            username: valid.username,
            displayName: valid.displayName ?? valid.username,
            credentialId,
            ...(valid.email === undefined ? {} : { email: valid.email }),
            assignment: toAssignment(valid),
            grantId: randomUUID(),
            passwordExpiresAt: passwordExpiresAt(),
          },
        }),
      );
    },

    async changeAssignment(actor, username, input) {
      const { username: name } = parseOrThrow(AccountRef, { username });
      const assignment = toAssignment(parseOrThrow(AssignmentInput, input));
      return execute(name, { type: 'ChangeAssignment', actor, data: { assignment, grantId: randomUUID() } });
    },

    async setDisabled(actor, username, disabled) {
      const { username: name } = parseOrThrow(AccountRef, { username });
      return execute(name, { type: disabled ? 'DisableAccount' : 'EnableAccount', actor, data: {} });
    },

    async resetPassword(actor, username, password) {
      const valid = parseOrThrow(PasswordChange, { username, password });
      const history = await readAccount(store, valid.username);
      if (history.state.status === 'none') throw new DomainError('NOT_FOUND', `No account named ${valid.username}`, 'username');
      return withCredential(valid.username, valid.password, (credentialId) =>
        execute(valid.username, { type: 'ResetPassword', actor, data: { credentialId, passwordExpiresAt: passwordExpiresAt() } }, history),
      );
    },

    async approveGrant(actor, username, grantId) {
      const ref = parseOrThrow(GrantRef, { username, grantId });
      return execute(ref.username, { type: 'ApproveGrant', actor, data: { grantId: ref.grantId } });
    },

    async rejectGrant(actor, username, grantId, reason) {
      const ref = parseOrThrow(GrantRejection, { username, grantId, reason });
      return execute(ref.username, { type: 'RejectGrant', actor, data: { grantId: ref.grantId, reason: ref.reason } });
    },

    async resetMfa(actor, username) {
      const { username: name } = parseOrThrow(AccountRef, { username });
      return execute(name, { type: 'ResetMfa', actor, data: { passwordExpiresAt: passwordExpiresAt() } });
    },

    async choosePassword(holder, username, passwordHash) {
      const credentialId = randomUUID();
      rows.stage(credentialId, username, passwordHash);
      return execute(username, { type: 'ChoosePassword', actor: holder, data: { credentialId } });
    },

    async changeEmail(actor, username, email) {
      const valid = parseOrThrow(EmailChange, { username, email });
      const history = await readAccount(store, valid.username);
      // Someone changing another's address is refused alike whether that account exists or not.
      if (actor.role !== 'admin' && (history.state.status === 'none' || history.state.accountId !== actor.userId)) {
        throw new DomainError('ROLE_NOT_ALLOWED', "Only an administrator or the account's own person changes its email address");
      }
      return execute(valid.username, { type: 'ChangeEmail', actor, data: { email: valid.email } }, history);
    },

    listPendingGrants() {
      return stmt.pending.all().map((row) => ({
        username: row.username,
        accountId: row.id,
        displayName: row.display_name,
        status: row.status,
        currentRole: row.status === 'active' || row.status === 'disabled' ? row.role : null,
        grant: JSON.parse(row.pending_grant) as PendingGrantView,
      }));
    },

    async catchUp() {
      let changed = 0;
      for (const row of stmt.legacy.all()) {
        const history = await readAccount(store, row.username);
        if (history.events.length === 0) await recordExisting(row);
      }
      const startedAt = now();
      for (const username of rows.usernamesToCatchUp()) {
        if (rows.apply(await readAccount(store, username))) changed += 1;
      }
      rows.dropStaleStaged(new Date(startedAt.getTime() - STAGED_CREDENTIAL_TTL_MS));
      return changed;
    },
  };
}

/** The history after events just appended at its revision. */
function extend(history: AccountHistory, events: readonly AccountEvent[]): AccountHistory {
  const first = history.expected === 'no-stream' ? 0 : (history.expected as number) + 1;
  const all = [...history.events, ...events.map((e, i) => ({ ...e, revision: first + i }))];
  return { events: all, state: foldAccount(all), expected: all.length === 0 ? 'no-stream' : first + events.length - 1 };
}
