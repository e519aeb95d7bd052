import { createCommandSigning } from '../../api/command-signing';
import { reviewer } from '../support/actors';
import { sealProblem, verifyCommand } from '../../domain/shared/signed-command';
import { TEST_TRUSTED_COMMAND_KEYS, testCommandSigner, untrustedCommandSigner } from '../support/command-keys';

const AT = new Date('2026-03-01T10:00:00.000Z');
const MINUTE = 60_000;
const signing = createCommandSigning(testCommandSigner, () => AT);
const action = { type: 'StartReview', actor: reviewer, data: { notes: 'Ünïcode ✓ 𝄞' }, commandId: 'c-1' };
const ctx = { caseId: 'noc:N1', now: AT.getTime(), keys: TEST_TRUSTED_COMMAND_KEYS };
const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
};

describe('signed commands', () => {
  it('verifies a command the API sealed for this case, and names its key', () => {
    const sealed = signing.action('noc:N1', action);
    expect(verifyCommand(sealed, sealed.seal, ctx)).toEqual(sealed.seal);
    expect(sealed.seal.keyId).toBe(testCommandSigner.keyId);
  });

  it('refuses a command that is unsigned, or whose type, data, command id or actor was altered', () => {
    const sealed = signing.action('noc:N1', action);
    expect(code(() => verifyCommand(action, undefined, ctx))).toBe('COMMAND_SIGNATURE_INVALID');
    for (const altered of [
      { ...sealed, type: 'Withdraw' },
      { ...sealed, data: { notes: 'other' } },
      { ...sealed, commandId: 'c-2' },
      { ...sealed, actor: { ...sealed.actor, role: 'director' as const } },
    ]) {
      expect(code(() => verifyCommand(altered, sealed.seal, ctx))).toBe('COMMAND_SIGNATURE_INVALID');
    }
    expect(code(() => verifyCommand(sealed, { ...sealed.seal, issuedAt: '2026-03-01T10:00:01.000Z' }, ctx))).toBe('COMMAND_SIGNATURE_INVALID');
  });

  it('refuses a seal by a key the process does not trust, or made for another case', () => {
    const foreign = createCommandSigning(untrustedCommandSigner, () => AT).action('noc:N1', action);
    expect(sealProblem(foreign, foreign.seal, TEST_TRUSTED_COMMAND_KEYS)).toMatch(/unknown key/);
    const elsewhere = signing.action('noc:N2', action);
    expect(code(() => verifyCommand(elsewhere, elsewhere.seal, ctx))).toBe('COMMAND_SIGNATURE_INVALID');
  });

  it('takes a command within five minutes of its issue either way, and not after', () => {
    const sealed = signing.action('noc:N1', action);
    expect(code(() => verifyCommand(sealed, sealed.seal, { ...ctx, now: AT.getTime() + 5 * MINUTE }))).toBeUndefined();
    expect(code(() => verifyCommand(sealed, sealed.seal, { ...ctx, now: AT.getTime() - 5 * MINUTE }))).toBeUndefined();
    expect(code(() => verifyCommand(sealed, sealed.seal, { ...ctx, now: AT.getTime() + 5 * MINUTE + 1 }))).toBe('COMMAND_SIGNATURE_INVALID');
    expect(code(() => verifyCommand(sealed, sealed.seal, { ...ctx, now: AT.getTime() + 50 * MINUTE, maxAgeMs: 60 * MINUTE }))).toBeUndefined();
  });

  it('seals the data as it travels: fields left undefined sign as absent', () => {
    const sealed = signing.action('noc:N1', { ...action, data: { notes: 'x', extra: undefined } });
    const travelled = JSON.parse(JSON.stringify(sealed)) as typeof sealed;
    expect(verifyCommand(travelled, travelled.seal, ctx)).toEqual(sealed.seal);
  });
});
