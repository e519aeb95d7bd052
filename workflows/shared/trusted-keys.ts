import type { TrustedCommandKey } from '../../domain/shared/signed-command';

/**
 * The public keys whose seals the processes accept. The worker writes them into the workflow bundle
 * when it builds it (worker/command-keys-bundle.ts replaces this global), from its own configuration:
 * whoever starts or signals a process has no say in them. A bundle built without them trusts no key.
 */
declare const __TRUSTED_COMMAND_KEYS__: readonly TrustedCommandKey[] | undefined;

export function trustedCommandKeys(): readonly TrustedCommandKey[] {
  return typeof __TRUSTED_COMMAND_KEYS__ === 'undefined' ? [] : __TRUSTED_COMMAND_KEYS__;
}
