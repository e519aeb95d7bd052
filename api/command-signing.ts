import type { Actor } from '../domain/shared/actor';
import { sealCommand, type CommandSeal } from '../domain/shared/signed-command';
import type { CommandSigner } from '../config/command-keys';

/**
 * The one place the API speaks for a person: every gateway seals each start and each action with the
 * API's key before it reaches a process (domain/shared/signed-command.ts). The data is sealed as it will
 * travel (JSON), so what the process verifies is byte for byte what was signed.
 */
export interface CommandSigning {
  /** An action on a running process: the action with its seal. */
  action<A extends { type: string; actor: Actor; data?: unknown; commandId: string }>(caseId: string, action: A): A & { seal: CommandSeal };
  /** The first command of a process about to start, whose id is the request's command id. */
  start<C extends { type: string; actor: Actor; data: unknown }>(caseId: string, command: C, commandId: string): { command: C; seal: CommandSeal };
}

export function createCommandSigning(signer: CommandSigner, now: () => Date = () => new Date()): CommandSigning {
  const asSent = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
  return {
    action(caseId, action) {
      const sent = { ...action, actor: asSent(action.actor), data: asSent(action.data) };
      return { ...sent, seal: sealCommand(sent, { caseId, issuedAt: now().toISOString() }, signer) };
    },
    start(caseId, command, commandId) {
      const sent = { ...command, actor: asSent(command.actor), data: asSent(command.data) };
      return { command: sent, seal: sealCommand({ ...sent, commandId }, { caseId, issuedAt: now().toISOString() }, signer) };
    },
  };
}
