import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils';
import { z } from 'zod';
import type { Actor } from './actor';
import { canonicalJson } from './canonical-json';
import { verifyEd25519 } from './ed25519-verify';
import { DomainError, type ErrorCode } from './errors';

/**
 * Only the API speaks for a person: it signs every person's command (Ed25519) over the case it is aimed
 * at (the process id), its type, data, command id, actor and the instant it was issued. Processes and
 * the audit verify the seal with public keys alone. Pure code: it runs in the workflow sandbox.
 */
export const CommandSeal = z.object({
  /** The process (workflow id) the command is aimed at. */
  caseId: z.string().min(1),
  issuedAt: z.iso.datetime({ offset: true }),
  /** The fingerprint of the signing key's public half (see config/command-keys.ts). */
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Ed25519 signature over signedBytes(), hex. */
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});
export type CommandSeal = z.infer<typeof CommandSeal>;

/** What a seal vouches for, besides the case and the instant. */
export interface SealedCommand {
  type: string;
  actor: Actor;
  data?: unknown;
  commandId: string;
}

/** A person's command as the events it caused keep it (metadata `command`): what was signed, and the seal. */
export interface SignedCommandRecord extends SealedCommand {
  data: unknown;
  seal: CommandSeal;
}

/** A public key a process trusts: its fingerprint and its raw 32 bytes, hex. */
export interface TrustedCommandKey {
  keyId: string;
  publicKey: string;
}

/** How long a signed command stays good, each way from its issue, against the process's clock. */
export const COMMAND_MAX_AGE_MS = 5 * 60_000;

/**
 * A person's command a process has taken, remembered across continue-as-new for as long as its seal
 * could still be taken again: who sent it, its id, and the instant it was issued.
 */
export interface TakenCommand {
  userId: string;
  commandId: string;
  issuedAt: string;
  /** What the command asked (commandDigest): a resend under the same id must ask the same to be answered. */
  digest?: string;
  /**
   * How the process answered it, so a resend reaching a later run gets that answer again; absent while
   * it runs, and on commands handed over before outcomes were carried (those are refused as taken).
   */
  outcome?: TakenOutcome;
}

/** A taken command's answer: applied (a resend gets the case's current view) or refused with a stable code. */
export type TakenOutcome = { applied: true } | { refused: { code: ErrorCode; message: string; field: string | null } };

/** SHA-256 over the canonical JSON of a command's type and data, hex: equal for a resend of the same command. */
export function commandDigest(command: { type: string; data?: unknown }): string {
  return bytesToHex(sha256(utf8(canonicalJson({ type: command.type, data: command.data ?? {} }))));
}

/** The exact bytes signed: canonical JSON of the command, its case and its instant, UTF-8. */
export function signedBytes(command: SealedCommand, seal: Pick<CommandSeal, 'caseId' | 'issuedAt'>): Uint8Array {
  const { type, actor, data, commandId } = command;
  return utf8(canonicalJson({ caseId: seal.caseId, type, data: data ?? {}, commandId, actor, issuedAt: seal.issuedAt }));
}

/** Signs with any Ed25519 signer over signedBytes(); the API passes its private key's signer. */
export function sealCommand(
  command: SealedCommand,
  at: { caseId: string; issuedAt: string },
  key: { keyId: string; sign: (message: Uint8Array) => Uint8Array },
): CommandSeal {
  return { caseId: at.caseId, issuedAt: at.issuedAt, keyId: key.keyId, signature: bytesToHex(key.sign(signedBytes(command, at))) };
}

/**
 * Whether the seal was made by a trusted key over exactly this command (no freshness, no case): what
 * the audit asks of a recorded event. Returns the reason when it was not.
 */
export function sealProblem(command: SealedCommand, seal: unknown, keys: readonly TrustedCommandKey[]): string | undefined {
  const parsed = CommandSeal.safeParse(seal);
  if (!parsed.success) return 'the command is not signed';
  const key = keys.find((k) => k.keyId === parsed.data.keyId);
  if (key === undefined) return `the command is signed by an unknown key ${parsed.data.keyId}`;
  try {
    if (verifyEd25519(hexToBytes(parsed.data.signature), signedBytes(command, parsed.data), hexToBytes(key.publicKey))) return undefined;
  } catch {
    // A malformed signature or key verifies nothing.
  }
  return 'the signature does not match the command';
}

/**
 * Refuses (COMMAND_SIGNATURE_INVALID) a command a process must not take on a person's word: unsigned,
 * altered, signed by an unknown key, aimed at another case, or issued outside the window around `now`.
 */
export function verifyCommand(
  command: SealedCommand,
  seal: unknown,
  ctx: { caseId: string; now: number; keys: readonly TrustedCommandKey[]; maxAgeMs?: number },
): CommandSeal {
  const problem = sealProblem(command, seal, ctx.keys);
  if (problem !== undefined) throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: ${problem}`, 'seal');
  const valid = seal as CommandSeal;
  if (valid.caseId !== ctx.caseId) {
    throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: the command was signed for ${valid.caseId}, not ${ctx.caseId}`, 'seal');
  }
  const age = ctx.now - Date.parse(valid.issuedAt);
  if (Math.abs(age) > (ctx.maxAgeMs ?? COMMAND_MAX_AGE_MS)) {
    throw new DomainError('COMMAND_SIGNATURE_INVALID', `Refused: the command was issued at ${valid.issuedAt}, too far from ${new Date(ctx.now).toISOString()} to be taken`, 'seal');
  }
  return valid;
}

/** UTF-8 by hand: the workflow sandbox need not offer TextEncoder. */
function utf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}
