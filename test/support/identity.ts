import type { Actor } from '../../domain/shared/actor';
import { isPrivileged } from '../../domain/account/policy';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createIdentity, TEST_PASSWORD_COST, type AccountInput, type AccountView, type Identity, type IdentityOptions, type Session } from '../../identity';
import { testTotp } from './mfa';

/**
 * Two administrators that exist only in tests' account events: the first creates accounts, the
 * second approves the privileged ones, so seeding goes through the same four-eyes rule as the API.
 */
export const SEED_ADMIN: Actor = { userId: 'seed-admin-a', name: 'Seeding admin A', role: 'admin', jurisdiction: 'federal' };
export const SEED_APPROVER: Actor = { userId: 'seed-admin-b', name: 'Seeding admin B', role: 'admin', jurisdiction: 'federal' };

/**
 * An identity for tests: in memory, cheap password hashing, TOTP steps on the file's `testTotp` clock
 * (a fresh code per sign-in), recording its account events in the given store or in a private
 * in-memory hash-chained one (closed with the identity).
 */
export async function createTestIdentity(options: Partial<IdentityOptions> & { store?: EventStore } = {}): Promise<Identity> {
  const own = options.store === undefined ? new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' })) : undefined;
  const identity = createIdentity({ path: ':memory:', sessionTtlHours: 1, passwordCost: TEST_PASSWORD_COST, mfaNow: testTotp.now, ...options, store: options.store ?? (own as EventStore) });
  if (own === undefined) return identity;
  return {
    ...identity,
    close() {
      identity.close();
      void own.close();
    },
  };
}

/** Creates the account and, when its role is privileged, approves the grant as a second administrator. */
export async function seedAccount(identity: Identity, input: AccountInput): Promise<AccountView> {
  const account = await identity.createAccount(SEED_ADMIN, input);
  if (!isPrivileged(input.role) || account.pendingGrant === null) return account;
  return identity.approveGrant(SEED_APPROVER, account.username, account.pendingGrant.grantId);
}

/** The one-time password an administrator gives an account that will choose `password` as its own. */
export const oneTimePasswordFor = (password: string): string => `one-time ${password}`;

/**
 * Seeds the account (approved when privileged) with a one-time password, and enrols its authenticator
 * through the real flow, choosing `input.password` as the person's own (the code's secret is kept by
 * `testTotp`); answers the first session, which carries the recovery codes.
 */
export async function seedEnrolledAccount(identity: Identity, input: AccountInput): Promise<Session> {
  const account = await seedAccount(identity, { ...input, password: oneTimePasswordFor(input.password) });
  return testTotp.enrol(identity, account.username, oneTimePasswordFor(input.password), input.password);
}
