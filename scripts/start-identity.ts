import type { AppConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { createIdentity, loadMfaKey, type InitialAdmin } from '../identity';

/**
 * On the first start there is no account at all: create the administrator, whose password is printed
 * once. Its creation is an event of the engine in the store, like every account change; a catch-up
 * first brings the identity database up to the account streams.
 */
export async function openIdentityForStart(config: AppConfig): Promise<InitialAdmin | undefined> {
  const store = await createEventStore(config.eventStore);
  const identity = createIdentity({ path: config.identityPath, sessionTtlHours: config.sessionTtlHours, oneTimePasswordTtlHours: config.oneTimePasswordTtlHours, store, mfaKey: loadMfaKey(config.mfa) });
  try {
    return await identity.ensureInitialAdmin();
  } finally {
    identity.close();
    await store.close();
  }
}
