import { comparePositions, positionFromString, type EventStore, type Position, type RecordedEvent } from '../port';
import { readLogPages } from '../read-log';
import { leaf, StreamHeads } from './checkpoint';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from './checkpoint-events';
import { checkFeed, type CheckpointFinding } from './feed';
import { DecodeChecker, type DecodeCheck } from './decoding';
import { ChainVerifier, type ChainBreak } from './hash-chain';
import { CompactTree } from './merkle';
import { PrefixVerifier, type PrefixVerification } from './prefix';
import { commandProblem, UnsignedPersonEvents, type CommandFinding } from './signed-commands';
import type { TrustedCommandKey } from '../../domain/shared/signed-command';

export type { CheckpointFinding, CheckpointProblem } from './feed';

export interface StoreVerification {
  streams: number;
  events: number;
  breaks: ChainBreak[];
  checkpoints: { verified: number; findings: CheckpointFinding[] };
  /** With a saved feed: whether the history it saw is still a prefix of this one. */
  against?: PrefixVerification;
  /**
   * People's signed commands kept on events: how many verified, and each that did not or is missing;
   * `beforeSigning`: events people caused before their stream's first signed command (not a failure).
   */
  commands: { verified: number; findings: CommandFinding[]; beforeSigning: number };
  /** Asked for with `decode`: every event read as the current code reads it, and each it refuses. */
  decoding?: DecodeCheck;
}

interface Pending {
  checkpoint: Checkpoint;
  position: Position;
}

/**
 * Checks a log as it streams by, in log order: recomputes every stream's hash chain, and checks every
 * signed checkpoint (signature by a trusted key, sequence, links and consistency proofs, the Merkle root
 * of the stream heads at its position and the root of the log tree at its size). A checkpoint whose
 * root no longer matches names the streams that differ: that is how a truncated tail, which leaves
 * every chain intact, is found.
 */
export class LogVerifier {
  private readonly findings: CheckpointFinding[];
  private readonly accepted: Checkpoint[];
  private readonly pending: Pending[];
  /** Tree heads still to reach, by size. */
  private readonly pendingTrees: Checkpoint[];
  private readonly chains = new ChainVerifier();
  private readonly tree = new CompactTree();
  private readonly heads = new StreamHeads(this.tree);
  private readonly recorded = new Map<string, { revision: number; hash: string }>();
  private readonly headMismatches = new Map<number, Pick<CheckpointFinding, 'detail' | 'streams'>>();
  private readonly treeMismatches = new Map<number, string>();
  private readonly prefix: PrefixVerifier | undefined;
  private readonly commandFindings: CommandFinding[] = [];
  private commandsVerified = 0;
  private readonly unsigned = new UnsignedPersonEvents();

  /**
   * The audit stream's events, read before the log: the checkpoints to hold the log against; with a
   * saved feed (`against`), also the history an auditor saw earlier.
   */
  constructor(
    auditEvents: readonly RecordedEvent[],
    trustedKeys: Record<string, string> = {},
    against?: readonly unknown[],
    /** The public keys people's commands are signed with; without them commands are not checked. */
    private readonly commandKeys?: readonly TrustedCommandKey[],
  ) {
    const feed = checkFeed(
      auditEvents.map((e) => e.data),
      trustedKeys,
    );
    this.findings = feed.findings;
    this.accepted = feed.accepted.map((e) => e.checkpoint);
    this.pending = this.accepted.map((checkpoint) => ({ checkpoint, position: positionFromString(checkpoint.logPosition) }));
    this.pending.sort((a, b) => comparePositions(a.position, b.position));
    this.pendingTrees = this.accepted.filter((c) => c.tree).sort((a, b) => (a.tree?.size ?? 0) - (b.tree?.size ?? 0));
    this.prefix = against ? new PrefixVerifier(against, auditEvents, trustedKeys) : undefined;
    this.settleTrees();
  }

  check(event: RecordedEvent): void {
    this.settle(event.position);
    this.chains.check(event);
    this.heads.apply(event);
    this.prefix?.check(event, this.tree);
    this.settleTrees();
    if (this.commandKeys === undefined) return;
    const missing = this.unsigned.check(event);
    if (missing !== undefined) this.commandFindings.push(missing);
    if ((event.metadata as { command?: unknown }).command === undefined) return;
    const finding = commandProblem(event, this.commandKeys);
    if (finding === undefined) this.commandsVerified += 1;
    else this.commandFindings.push(finding);
  }

  get events(): number {
    return this.chains.events;
  }

  finish(): StoreVerification {
    this.settle(undefined);
    for (const checkpoint of this.pendingTrees.splice(0)) {
      this.treeMismatches.set(checkpoint.sequence, `the log holds only ${this.tree.size} events, the checkpoint's tree covers ${checkpoint.tree?.size}`);
    }
    let verified = 0;
    for (const checkpoint of [...this.accepted].sort((a, b) => a.sequence - b.sequence)) {
      const heads = this.headMismatches.get(checkpoint.sequence);
      const tree = this.treeMismatches.get(checkpoint.sequence);
      if (!heads && !tree) {
        verified += 1;
        continue;
      }
      this.findings.push({
        sequence: checkpoint.sequence,
        problem: 'root-mismatch',
        detail: [heads?.detail, tree].filter(Boolean).join('; '),
        ...(heads?.streams ? { streams: heads.streams } : {}),
      });
    }
    const result: StoreVerification = {
      streams: this.chains.streams,
      events: this.chains.events,
      breaks: this.chains.breaks,
      checkpoints: { verified, findings: this.findings },
      commands: { verified: this.commandsVerified, findings: this.commandFindings, beforeSigning: this.unsigned.beforeSigning },
    };
    if (this.prefix) result.against = this.prefix.finish(this.tree);
    return result;
  }

  private settleTrees(): void {
    while (this.pendingTrees.length > 0 && ((this.pendingTrees[0] as Checkpoint).tree?.size ?? 0) <= this.tree.size) {
      const checkpoint = this.pendingTrees.shift() as Checkpoint;
      const want = checkpoint.tree as NonNullable<Checkpoint['tree']>;
      const root = this.tree.root();
      if (want.size === this.tree.size && root === want.root) continue;
      this.treeMismatches.set(checkpoint.sequence, `the first ${want.size} events of the log hash to tree root ${root.slice(0, 12)}…, the checkpoint says ${want.root.slice(0, 12)}…`);
    }
  }

  private settle(upTo: Position | undefined): void {
    while (this.pending.length > 0 && (upTo === undefined || comparePositions((this.pending[0] as Pending).position, upTo) < 0)) {
      const { checkpoint } = this.pending.shift() as Pending;
      for (const [stream, revision, hash] of checkpoint.changed) this.recorded.set(stream, { revision, hash });
      const root = this.heads.root();
      if (root === checkpoint.root) continue;
      this.headMismatches.set(checkpoint.sequence, {
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
    against?: readonly unknown[];
    /** Also read every event through the current schemas and upcasters (`npm run verify` does). */
    decode?: boolean;
  } = {},
): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const verifier = new LogVerifier(await store.readStream(AUDIT_CHECKPOINT_STREAM), options.trustedKeys, options.against, options.commandKeys);
  const decoding = options.decode ? new DecodeChecker() : undefined;
  for await (const page of readLogPages(store, { pageSize })) {
    for (const event of page) {
      verifier.check(event);
      decoding?.check(event);
    }
    options.onProgress?.(verifier.events);
  }
  const result = verifier.finish();
  if (decoding) result.decoding = decoding.finish();
  return result;
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
