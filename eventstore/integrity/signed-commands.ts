import { sealProblem, type CommandSeal, type SignedCommandRecord, type TrustedCommandKey } from '../../domain/shared/signed-command';
import type { RecordedEvent } from '../port';

export interface CommandFinding {
  stream: string;
  revision: number;
  problem: 'bad-signature' | 'wrong-actor' | 'wrong-case';
  detail: string;
}

/** The process (workflow id `<kind>:<id>`) a stream (`<kind>-<id>`) belongs to. */
const caseOfStream = (stream: string): string => stream.replace(/^([^-]+)-/, '$1:');

/**
 * What is wrong with the signed command an event keeps, if anything: its seal must verify under a
 * trusted key, the person it signs for must be the event's actor, and the case it was signed for must
 * be the event's process and stream.
 */
export function commandProblem(event: RecordedEvent, keys: readonly TrustedCommandKey[]): CommandFinding | undefined {
  const command = (event.metadata as { command?: SignedCommandRecord }).command as SignedCommandRecord;
  const at = { stream: event.stream, revision: event.revision };
  const signature = sealProblem(command, command.seal, keys);
  if (signature !== undefined) return { ...at, problem: 'bad-signature', detail: signature };
  const { actor } = event.metadata;
  const signed = command.actor;
  if (signed.userId !== actor.userId || signed.role !== actor.role || signed.name !== actor.name || signed.jurisdiction !== actor.jurisdiction) {
    return { ...at, problem: 'wrong-actor', detail: `signed for ${signed.userId} (${signed.role}), recorded as ${actor.userId} (${actor.role})` };
  }
  const { caseId } = command.seal as CommandSeal;
  if (caseId !== event.metadata.correlationId || caseId !== caseOfStream(event.stream)) {
    return { ...at, problem: 'wrong-case', detail: `signed for ${caseId}, recorded on ${event.stream} by ${event.metadata.correlationId}` };
  }
  return undefined;
}
