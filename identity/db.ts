import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The identity database: accounts, sessions and second factors, apart from the event store because passwords and
 * tokens are secrets that must never travel in events or be replayed into read models.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (
     id              TEXT PRIMARY KEY,
     username        TEXT NOT NULL UNIQUE CHECK (username = lower(username)),
     display_name    TEXT NOT NULL,
     role            TEXT NOT NULL,
     jurisdiction    TEXT NOT NULL,
     organisation_id TEXT,
     password_hash   TEXT NOT NULL,
     disabled        INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
     created_at      TEXT NOT NULL
   );
   CREATE INDEX accounts_role ON accounts (role);
   CREATE TABLE sessions (
     token_hash   TEXT PRIMARY KEY,
     account_id   TEXT NOT NULL REFERENCES accounts (id),
     created_at   TEXT NOT NULL,
     expires_at   TEXT NOT NULL,
     last_used_at TEXT NOT NULL,
     revoked_at   TEXT
   );
   CREATE INDEX sessions_account ON sessions (account_id);
   CREATE INDEX sessions_expiry ON sessions (expires_at);`,
  // Accounts became events (stream account-<username>): this table is their projection. `disabled`
  // now means "cannot sign in" (disabled, or no role in force yet); `status` says which, for people.
  // A password is staged under a credential id before the event that records it, and moves into
  // the account when the event is applied, so a crash between the two loses nothing recorded.
  `ALTER TABLE accounts ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
   ALTER TABLE accounts ADD COLUMN pending_grant TEXT;
   ALTER TABLE accounts ADD COLUMN credential_id TEXT;
   ALTER TABLE accounts ADD COLUMN revision INTEGER NOT NULL DEFAULT -1;
   CREATE TABLE staged_credentials (
     credential_id TEXT PRIMARY KEY,
     username      TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     staged_at     TEXT NOT NULL
   );`,
  // MFA (identity/mfa.ts): the TOTP secret (confirmed_at null while enrolment is pending), the last
  // accepted time step against replays, one-time recovery codes as hashes, sign-in challenges.
  `CREATE TABLE mfa (
     account_id   TEXT PRIMARY KEY REFERENCES accounts (id),
     secret       TEXT NOT NULL,
     created_at   TEXT NOT NULL,
     confirmed_at TEXT,
     last_step    INTEGER
   );
   CREATE TABLE mfa_recovery_codes (
     account_id TEXT NOT NULL REFERENCES accounts (id),
     code_hash  TEXT NOT NULL,
     used_at    TEXT,
     PRIMARY KEY (account_id, code_hash)
   );
   CREATE TABLE mfa_challenges (
     token_hash TEXT PRIMARY KEY,
     account_id TEXT NOT NULL REFERENCES accounts (id),
     expires_at TEXT NOT NULL,
     failures   INTEGER NOT NULL DEFAULT 0
   );`,
  // Sign-in throttling (identity/throttle-store.ts): fixed-window failure counters and the addresses
  // that signed in to an account lately, here so that every API process and a restart see the same.
  `CREATE TABLE throttle_counters (
     key             TEXT PRIMARY KEY,
     count           INTEGER NOT NULL,
     window_start_ms INTEGER NOT NULL,
     window_ms       INTEGER NOT NULL
   );
   CREATE INDEX throttle_counters_end ON throttle_counters (window_start_ms + window_ms);
   CREATE TABLE throttle_known_addresses (
     account  TEXT NOT NULL,
     address  TEXT NOT NULL,
     until_ms INTEGER NOT NULL,
     PRIMARY KEY (account, address)
   );`,
  // A password an administrator set serves once, to choose the person's own, until password_expires_at
  // (domain/account: oneTimePassword). Rows projected before keep 0: their passwords were the accounts' own.
  `ALTER TABLE accounts ADD COLUMN one_time_password INTEGER NOT NULL DEFAULT 0 CHECK (one_time_password IN (0, 1));
   ALTER TABLE accounts ADD COLUMN password_expires_at TEXT;`,
  // Where the account's notices are mailed (AccountCreated.email, AccountEmailChanged); null when none;
  // and which notices of the inbox (projections/notices/) each account has read.
  `ALTER TABLE accounts ADD COLUMN email TEXT;
   CREATE TABLE inbox_reads (
     account_id TEXT NOT NULL REFERENCES accounts (id),
     notice_id  TEXT NOT NULL,
     read_at    TEXT NOT NULL,
     PRIMARY KEY (account_id, notice_id)
   ) WITHOUT ROWID;`,
];

export function openIdentityDb(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

/**
 * The second factor and accounts as events were built side by side, each as migration 2. A database
 * that ran the MFA one as its second has the MFA tables but not the account columns: the accounts
 * migration runs now, and the database counts both.
 */
function adoptMfaAsSecond(db: Database.Database): void {
  if (db.pragma('user_version', { simple: true }) !== 2) return;
  const mfaTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'mfa'").get();
  const statusColumn = db.prepare("SELECT 1 FROM pragma_table_info('accounts') WHERE name = 'status'").get();
  if (!mfaTable || statusColumn) return;
  db.transaction(() => {
    db.exec(MIGRATIONS[1] as string);
    db.pragma('user_version = 3');
  })();
}

/** user_version counts the migrations applied; each runs once, in its own transaction. */
function migrate(db: Database.Database): void {
  adoptMfaAsSecond(db);
  const applied = db.pragma('user_version', { simple: true }) as number;
  MIGRATIONS.slice(applied).forEach((sql, i) => {
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${applied + i + 1}`);
    })();
  });
}
