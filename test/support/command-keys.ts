import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createCommandSigning, type CommandSigning } from '../../api/command-signing';
import { loadCommandSigner, trustedKeyOf, type CommandSigner } from '../../config/command-keys';
import type { Actor } from '../../domain/shared/actor';
import type { CommandSeal, TrustedCommandKey } from '../../domain/shared/signed-command';

/**
 * The tests' command keys. Fixed, so the replay fixtures exported with them replay under them: the
 * API's key, which every test bundle trusts, and another that nobody trusts.
 */
export const TEST_COMMAND_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIPdS1HriD1LUW29pOJW6FOSfOdfnq2R4T1Vs3/lw4uDp
-----END PRIVATE KEY-----
`;
export const UNTRUSTED_COMMAND_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHl1KP/jgOvKU71KBf51xujvc0wRMW0kFjGgrSzIWi/q
-----END PRIVATE KEY-----
`;

export const testCommandSigner: CommandSigner = loadCommandSigner({ signingKeyPem: TEST_COMMAND_KEY_PEM, signingKeyFile: '/nonexistent' }, '/tmp');
export const untrustedCommandSigner: CommandSigner = loadCommandSigner({ signingKeyPem: UNTRUSTED_COMMAND_KEY_PEM, signingKeyFile: '/nonexistent' }, '/tmp');
export const TEST_TRUSTED_COMMAND_KEYS: TrustedCommandKey[] = [trustedKeyOf(createPublicKey(createPrivateKey(TEST_COMMAND_KEY_PEM)))];

/** How far the time-skipping server's clock runs ahead of the real one, as last seen. */
let skewMs = 0;

/** After the time-skipping server's clock has moved: the API's seals in the test follow it. */
export async function followServerClock(env: TestWorkflowEnvironment): Promise<void> {
  skewMs = (await env.currentTimeMs()) - Date.now();
}

/** The API's signing in tests: on the real clock, or the time-skipping server's as last followed. */
export const testSigning = (now: () => Date = () => new Date(Date.now() + skewMs)): CommandSigning => createCommandSigning(testCommandSigner, now);

/** The clock seals are issued on: the time-skipping server's, once a workflow test bed runs one. */
let clock: () => Promise<number> = async () => Date.now();

export function signOnClockOf(env: TestWorkflowEnvironment): void {
  clock = () => env.currentTimeMs();
}

/** Signing at the test clock's current time, as the API would sign at that instant. */
export async function signingNow(signer: CommandSigner = testCommandSigner): Promise<CommandSigning> {
  const at = new Date(await clock());
  return createCommandSigning(signer, () => at);
}

/** A person's action sealed for a case (workflow id) now: what the API sends. */
export async function sealedAction<A extends { type: string; actor: Actor; data?: unknown; commandId: string }>(
  caseId: string,
  action: A,
): Promise<A & { seal: CommandSeal }> {
  return (await signingNow()).action(caseId, action);
}

/** The seal of a first command for the process about to start, now. */
export async function startSeal(caseId: string, command: { type: string; actor: Actor; data: unknown }, requestId: string): Promise<CommandSeal> {
  return (await signingNow()).start(caseId, command, requestId).seal;
}
