import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, openIdentityDb } from '../../identity/db';

/**
 * The identity database's migrations: #2 makes accounts a projection of their events, #3 adds the
 * second factor. Both were built as #2 on their own branches; a database that ran either opens.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'identity-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const tables = (db: Database.Database): string[] =>
  db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
const accountColumns = (db: Database.Database): string[] =>
  db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('accounts')").all().map((r) => r.name);

/** A database as an earlier build left it: the given migrations applied, user_version counting them. */
function earlier(path: string, applied: readonly string[]): void {
  const db = new Database(path);
  applied.forEach((sql) => db.exec(sql));
  db.pragma(`user_version = ${applied.length}`);
  db.close();
}

function expectCurrent(path: string): void {
  const db = openIdentityDb(path);
  expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  expect(tables(db)).toEqual(
    expect.arrayContaining(['accounts', 'sessions', 'staged_credentials', 'mfa', 'mfa_recovery_codes', 'mfa_challenges', 'throttle_counters', 'throttle_known_addresses', 'inbox_reads']),
  );
  expect(accountColumns(db)).toEqual(expect.arrayContaining(['status', 'pending_grant', 'credential_id', 'revision', 'one_time_password', 'password_expires_at', 'email']));
  db.close();
}

describe('the identity database migrations', () => {
  it('create every table and column on a fresh database', () => {
    expectCurrent(join(dir, 'fresh.db'));
  });

  it('add the second factor to a database that made accounts events as its second migration', () => {
    const path = join(dir, 'accounts-first.db');
    earlier(path, [MIGRATIONS[0] as string, MIGRATIONS[1] as string]);
    expectCurrent(path);
  });

  it('add the account columns to a database that added the second factor as its second migration, keeping its secrets', () => {
    const path = join(dir, 'mfa-first.db');
    earlier(path, [MIGRATIONS[0] as string, MIGRATIONS[2] as string]);
    const db = new Database(path);
    db.prepare("INSERT INTO accounts (id, username, display_name, role, jurisdiction, password_hash, created_at) VALUES ('a-1', 'rania', 'Rania', 'reviewer', 'federal', 'x', '2026-01-01T00:00:00.000Z')").run();
    db.prepare("INSERT INTO mfa (account_id, secret, created_at) VALUES ('a-1', 'sealed', '2026-01-01T00:00:00.000Z')").run();
    db.close();
    expectCurrent(path);
    const reopened = openIdentityDb(path);
    expect(reopened.prepare('SELECT account_id, secret FROM mfa').all()).toEqual([{ account_id: 'a-1', secret: 'sealed' }]);
    expect(reopened.prepare('SELECT status, revision FROM accounts').all()).toEqual([{ status: 'active', revision: -1 }]);
    reopened.close();
  });

  it('leave a current database as it is when opened again', () => {
    const path = join(dir, 'again.db');
    openIdentityDb(path).close();
    expectCurrent(path);
  });
});
