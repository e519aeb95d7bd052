import { createRequire } from 'node:module';
import type { BundleOptions } from '@temporalio/worker';
import type { TrustedCommandKey } from '../domain/shared/signed-command';

/**
 * Writes the trusted public keys of signed commands into the workflow bundle as it is built
 * (workflows/shared/trusted-keys.ts reads them): the keys come from the worker's configuration, never
 * from a workflow's input. Every bundle of the workflows goes through here: the worker's, the tests',
 * the replay gate's.
 */
/** The webpack the Temporal bundler itself runs, so its DefinePlugin is the one it understands. */
const { DefinePlugin } = createRequire(require.resolve('@temporalio/worker'))('webpack') as typeof import('webpack');

export function withTrustedCommandKeys(keys: readonly TrustedCommandKey[]): NonNullable<BundleOptions['webpackConfigHook']> {
  const trusted = keys.map(({ keyId, publicKey }) => ({ keyId, publicKey }));
  return (config) => ({
    ...config,
    plugins: [...(config.plugins ?? []), new DefinePlugin({ __TRUSTED_COMMAND_KEYS__: JSON.stringify(trusted) })],
  });
}
