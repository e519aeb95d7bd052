import { comparePositions, positionFromString, type EventStore, type Position, type RecordedEvent } from '../port';
import { readLogPages } from '../read-log';
import { leaf, signedText, StreamHeads } from './checkpoint';
import { AUDIT_CHECKPOINT_STREAM, Checkpoint } from './checkpoint-events';
import { ChainVerifier, type ChainBreak } from './hash-chain';
import { verifySignature } from './signing';
import { commandProblem, type CommandFinding } from './signed-commands';
import type { TrustedCommandKey } from '../../domain/shared/signed-command';

export type CheckpointProblem = 'malformed' | 'wrong-signature' | 'unknown-key' | 'out-of-sequence' | 'root-mismatch';

export interface CheckpointFinding {
  sequence: number;
  problem: CheckpointProblem;
  detail: string;
  /** For a root mismatch: the streams whose heads differ from what the checkpoints recorded. */
  streams?: { stream: string; problem: 'truncated' | 'changed' | 'inserted' | 'removed'; recorded: number; found: number | null }[];
}

export interface StoreVerification {
  streams: number;
  events: number;
  breaks: ChainBreak[];
  checkpoints: { verified: number; findings: CheckpointFinding[] };
  /** People's signed commands kept on events: how many verified, and each that did not. */
  commands: { verified: number; findings: CommandFinding[] };
}

interface Pending {
  checkpoint: Checkpoint;
  position: Position;
}

/**
 * Checks a log as it streams by, in log order: recomputes every stream's hash chain, and checks every
 * signed checkpoint (signature by a trusted key, sequence, and the Merkle root of the stream heads at its
 * position). A checkpoint whose root no longer matches names the streams that differ: that is how a
 * truncated tail, which leaves every chain intact, is found.
 */
export class LogVerifier {
  private readonly findings: CheckpointFinding[] = [];
  private readonly pending: Pending[] = [];
  private readonly chains = new ChainVerifier();
  private readonly heads = new StreamHeads();
  private readonly recorded = new Map<string, { revision: number; hash: string }>();
  private verified = 0;
  private readonly commandFindings: CommandFinding[] = [];
  private commandsVerified = 0;

  /** The audit stream's events, read before the log: the checkpoints to hold the log against. */
  constructor(
    auditEvents: readonly RecordedEvent[],
    trustedKeys: Record<string, string> = {},
    /** The public keys people's commands are signed with; without them commands are not checked. */
    private readonly commandKeys?: readonly TrustedCommandKey[],
  ) {
    auditEvents.forEach((event, i) => {
      const parsed = Checkpoint.safeParse((event.data as { checkpoint?: unknown } | null)?.checkpoint);
      const signature = (event.data as { signature?: unknown } | null)?.signature;
      if (!parsed.success || typeof signature !== 'string') {
        this.findings.push({ sequence: i, problem: 'malformed', detail: `audit event at revision ${event.revision} is not a signed checkpoint` });
        return;
      }
      const checkpoint = parsed.data;
      if (checkpoint.sequence !== i) {
        this.findings.push({ sequence: checkpoint.sequence, problem: 'out-of-sequence', detail: `found at position ${i} of the audit stream` });
      }
      const key = trustedKeys[checkpoint.keyId];
      if (!key) {
        this.findings.push({ sequence: checkpoint.sequence, problem: 'unknown-key', detail: `signed by key ${checkpoint.keyId}, which is not trusted` });
        return;
      }
      if (!verifySignature(key, signedText(checkpoint), signature)) {
        this.findings.push({ sequence: checkpoint.sequence, problem: 'wrong-signature', detail: 'the signature does not verify against the trusted key' });
        return;
      }
      this.pending.push({ checkpoint, position: positionFromString(checkpoint.logPosition) });
    });
    this.pending.sort((a, b) => comparePositions(a.position, b.position));
  }

  check(event: RecordedEvent): void {
    this.settle(event.position);
    this.chains.check(event);
    this.heads.apply(event);
    if (this.commandKeys === undefined || (event.metadata as { command?: unknown }).command === undefined) return;
    const finding = commandProblem(event, this.commandKeys);
    if (finding === undefined) this.commandsVerified += 1;
    else this.commandFindings.push(finding);
  }

  get events(): number {
    return this.chains.events;
  }

  finish(): StoreVerification {
    this.settle(undefined);
    return {
      streams: this.chains.streams,
      events: this.chains.events,
      breaks: this.chains.breaks,
      checkpoints: { verified: this.verified, findings: this.findings },
      commands: { verified: this.commandsVerified, findings: this.commandFindings },
    };
  }

  private settle(upTo: Position | undefined): void {
    while (this.pending.length > 0 && (upTo === undefined || comparePositions((this.pending[0] as Pending).position, upTo) < 0)) {
      const { checkpoint } = this.pending.shift() as Pending;
      for (const [stream, revision, hash] of checkpoint.changed) this.recorded.set(stream, { revision, hash });
      const root = this.heads.root();
      if (root === checkpoint.root) {
        this.verified += 1;
        continue;
      }
      this.findings.push({
        sequence: checkpoint.sequence,
        problem: 'root-mismatch',
        detail: `the stream heads at ${checkpoint.logPosition} hash to ${root.slice(0, 12)}…, the checkpoint says ${checkpoint.root.slice(0, 12)}…`,
        streams: differences(this.recorded, this.heads),
      });
    }
  }
}

/** Verifies a whole store, reading the log page by page; memory grows with streams, not events. */
export async function verifyStore(
  store: EventStore,
  options: {
    trustedKeys?: Record<string, string>;
    commandKeys?: readonly TrustedCommandKey[];
    onProgress?: (events: number) => void;
    pageSize?: number;
  } = {},
): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const verifier = new LogVerifier(await store.readStream(AUDIT_CHECKPOINT_STREAM), options.trustedKeys, options.commandKeys);
  for await (const page of readLogPages(store, { pageSize })) {
    for (const event of page) verifier.check(event);
    options.onProgress?.(verifier.events);
  }
  return verifier.finish();
}

function differences(recorded: Map<string, { revision: number; hash: string }>, heads: StreamHeads): CheckpointFinding['streams'] {
  const out: NonNullable<CheckpointFinding['streams']> = [];
  for (const [stream, want] of recorded) {
    const have = heads.get(stream);
    if (!have) out.push({ stream, problem: 'removed', recorded: want.revision, found: null });
    else if (have.revision < want.revision) out.push({ stream, problem: 'truncated', recorded: want.revision, found: have.revision });
    else if (have.revision > want.revision) out.push({ stream, problem: 'inserted', recorded: want.revision, found: have.revision });
    else if (leaf(stream, have) !== leaf(stream, want)) out.push({ stream, problem: 'changed', recorded: want.revision, found: have.revision });
  }
  return out;
}

