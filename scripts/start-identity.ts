import type { AppConfig } from '../config/config';
import { createIdentity, loadMfaKey, type InitialAdmin } from '../identity';

/** On the first start there is no account at all: create the administrator, whose password is printed once. */
export async function openIdentityForStart(config: AppConfig): Promise<InitialAdmin | undefined> {
  const identity = createIdentity({ path: config.identityPath, sessionTtlHours: config.sessionTtlHours, mfaKey: loadMfaKey(config.mfa) });
  try {
    return await identity.ensureInitialAdmin();
  } finally {
    identity.close();
  }
}
