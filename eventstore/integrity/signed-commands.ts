import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import { sealProblem, type CommandSeal, type SignedCommandRecord, type TrustedCommandKey } from '../../domain/shared/signed-command';
import type { RecordedEvent } from '../port';

export interface CommandFinding {
  stream: string;
  revision: number;
  /** The event's type. */
  type: string;
  /** `unsigned`: a person caused the event, in a stream whose people's commands are signed, and it keeps none. */
  problem: 'bad-signature' | 'wrong-actor' | 'wrong-case' | 'unsigned';
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
  const at = { stream: event.stream, revision: event.revision, type: event.type };
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

/**
 * Every event a person caused keeps the command the API signed for it, so an event without one in a
 * stream that already holds a signed command was not written by the process for that person: someone
 * wrote it around the API (or stripped its command). Streams are read in order; events people caused
 * before a stream's first signed command (histories from before commands were signed, records the API
 * writes itself) are counted, not refused.
 */
export class UnsignedPersonEvents {
  /** Streams in which an event keeping a signed command has been seen. */
  private readonly signedStreams = new Set<string>();
  /** Events people caused, keeping no signed command, before their stream's first one. */
  beforeSigning = 0;

  /** Streams whose state before this run was asked of `keptBefore`. */
  private readonly asked = new Set<string>();

  /** `keptBefore`: for a run resumed from a verified checkpoint, whether a stream kept signed commands by then. */
  constructor(private readonly keptBefore?: (stream: string) => boolean) {}

  /** How many streams keep signed commands so far; `signed` takes it to give back just those, later. */
  get signedCount(): number {
    return this.signedStreams.size;
  }

  /** The streams known to keep signed commands when there were `count` of them (all, without it): what a later run resumes with. */
  signed(count = this.signedStreams.size): string[] {
    // A Set iterates in insertion order and none is ever removed: its first `count` are the ones seen by then.
    return [...this.signedStreams].slice(0, count);
  }

  /** The finding for an event a person caused without a signed command where one was due; undefined otherwise. */
  check(event: RecordedEvent): CommandFinding | undefined {
    if ((event.metadata as { command?: unknown }).command !== undefined) {
      this.signedStreams.add(event.stream);
      return undefined;
    }
    const { actor } = event.metadata;
    if (actor.userId === SYSTEM_ACTOR.userId) return undefined;
    if (!this.keepsSigned(event.stream)) {
      this.beforeSigning += 1;
      return undefined;
    }
    return {
      stream: event.stream,
      revision: event.revision,
      type: event.type,
      problem: 'unsigned',
      detail: `caused by ${actor.userId} (${actor.role}) without the signed command every later event of this stream a person caused keeps`,
    };
  }

  private keepsSigned(stream: string): boolean {
    if (this.signedStreams.has(stream)) return true;
    if (this.keptBefore === undefined || this.asked.has(stream)) return false;
    this.asked.add(stream);
    if (!this.keptBefore(stream)) return false;
    this.signedStreams.add(stream);
    return true;
  }
}
