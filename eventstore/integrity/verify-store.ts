import { comparePositions, positionFromString, type EventStore, type Position, type RecordedEvent } from '../port';
import { readLogPages } from '../read-log';
import { entryHash, leaf, StreamHeads } from './checkpoint';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from './checkpoint-events';
import { checkFeed, type CheckpointFinding } from './feed';
import { DecodeChecker, type DecodeCheck } from './decoding';
import { ChainVerifier, type ChainBreak } from './hash-chain';
import { CompactTree } from './merkle';
import { PrefixVerifier, type PrefixVerification } from './prefix';
import { commandProblem, UnsignedPersonEvents, type CommandFinding } from './signed-commands';
import type { TrustedCommandKey } from '../../domain/shared/signed-command';
import { resumePoint, type Head, type MarkedState, type ResumePoint, type VerificationProgress, type VerifiedMark } from './verification-progress';

export type { CheckpointFinding, CheckpointProblem } from './feed';

export interface StoreVerification {
  /** The streams and events this run read: all of them, or those after the checkpoint it went on from. */
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
  /**
   * What this run read: the whole log (`start`), or only what follows the last verified checkpoint
   * (`checkpoint`); `fullBecause` says why an incremental run was asked for and the whole log read.
   */
  scope: { from: 'start'; fullBecause?: string } | { from: 'checkpoint'; sequence: number; logPosition: string };
}

interface Pending {
  checkpoint: Checkpoint;
  position: Position;
}

/**
 * Where a run goes on from: the mark, the audit stream's entries from `first` on (the mark's checkpoint
 * and the one before it, at least), and the record of what the run that made the mark verified.
 */
export interface ResumeFrom {
  mark: VerifiedMark;
  first: number;
  progress: Pick<VerificationProgress, 'head' | 'keepsSignedCommands'>;
}

/**
 * Checks a log as it streams by, in log order: recomputes every stream's hash chain, and checks every
 * signed checkpoint (signature by a trusted key, sequence, links and consistency proofs, the root of the
 * log tree at its size, and the Merkle root of the stream heads at its position where no tree vouches
 * for them). A checkpoint whose roots no longer match names the streams that differ: that is how a
 * truncated tail, which leaves every chain intact, is found.
 */
export class LogVerifier {
  private readonly findings: CheckpointFinding[];
  private readonly accepted: Checkpoint[];
  private readonly pending: Pending[];
  /** Tree heads still to reach, by size. */
  private readonly pendingTrees: Checkpoint[];
  private readonly chains: ChainVerifier;
  private readonly tree: CompactTree;
  private readonly heads: StreamHeads;
  private readonly entries: readonly unknown[];
  /** The sequence of `entries[0]`: 0 unless a run resumed reads the feed from its mark on. */
  private readonly first: number;
  /**
   * The last checkpoint this run saw hold, with the tree's frontier there and how many streams kept signed
   * commands by then: the rest of what a later run resumes with is written out once, by `mark`, not at
   * every checkpoint (sorting every signed stream at each one made a run cost checkpoints × streams).
   */
  private reached: { sequence: number; logPosition: string; frontier: VerifiedMark['frontier']; signedCount: number } | undefined;
  /** The heads the checkpoints settled so far signed (since the resume point, for a resumed run). */
  private readonly recorded = new Map<string, Head>();
  private readonly headMismatches = new Map<number, Pick<CheckpointFinding, 'detail' | 'streams'>>();
  private readonly treeMismatches = new Map<number, string>();
  private readonly prefix: PrefixVerifier | undefined;
  private readonly commandFindings: CommandFinding[] = [];
  private commandsVerified = 0;
  private readonly unsigned: UnsignedPersonEvents;

  /**
   * The audit stream's events, read before the log: the checkpoints to hold the log against (from
   * `from.first` on, for a run going on from a mark); with a saved feed (`against`), also the history an
   * auditor saw earlier.
   */
  constructor(
    auditEvents: readonly RecordedEvent[],
    trustedKeys: Record<string, string> = {},
    against?: readonly unknown[],
    /** The public keys people's commands are signed with; without them commands are not checked. */
    private readonly commandKeys?: readonly TrustedCommandKey[],
    /** Go on from the last verified checkpoint instead of the start of the log. */
    from?: ResumeFrom,
    fullBecause?: string,
  ) {
    this.entries = auditEvents.map((e) => e.data);
    this.first = from?.first ?? 0;
    const feed = checkFeed(this.entries, trustedKeys, this.first);
    const resume = from ? resumePoint(from.mark, this.entries, this.first, feed.accepted, feed.findings, auditEvents) : undefined;
    this.resume = typeof resume === 'object' ? resume : undefined;
    this.fullBecause = typeof resume === 'string' ? resume : fullBecause;
    const progress = this.resume ? from?.progress : undefined;
    const auditHead = this.resume?.auditHead;
    // The audit stream is named by no checkpoint: its head at the checkpoint comes from the resume point.
    this.signedHead = progress ? (stream) => (stream === AUDIT_CHECKPOINT_STREAM ? auditHead : progress.head(stream)) : undefined;
    this.tree = this.resume?.tree ?? new CompactTree();
    this.heads = new StreamHeads(this.tree);
    this.chains = new ChainVerifier(this.signedHead);
    this.unsigned = new UnsignedPersonEvents(progress ? (stream) => progress.keepsSignedCommands(stream) : undefined);
    this.findings = feed.findings;
    this.accepted = feed.accepted.map((e) => e.checkpoint);
    this.pending = this.accepted.map((checkpoint) => ({ checkpoint, position: positionFromString(checkpoint.logPosition) }));
    this.pending.sort((a, b) => comparePositions(a.position, b.position));
    this.pendingTrees = this.accepted.filter((c) => c.tree).sort((a, b) => (a.tree?.size ?? 0) - (b.tree?.size ?? 0));
    this.prefix = against ? new PrefixVerifier(against, auditEvents, trustedKeys) : undefined;
    if (this.resume) this.startFrom(this.resume);
    this.settleTrees();
  }

  readonly resume: ResumePoint | undefined;
  readonly fullBecause: string | undefined;
  /** For a resumed run: each stream's head at the verified checkpoint, looked up when the stream is first met. */
  private readonly signedHead: ((stream: string) => Head | undefined) | undefined;

  /**
   * Only checkpoints after the one resumed from are left to settle, and only the tree beyond it to check.
   * Each stream's head there is looked up when the run first meets the stream, so a run costs what
   * follows the checkpoint, not every stream of the log.
   */
  private startFrom(resume: ResumePoint): void {
    const at = positionFromString(resume.checkpoint.logPosition);
    const later = this.pending.filter((p) => comparePositions(p.position, at) > 0);
    this.pending.splice(0, this.pending.length, ...later);
    const laterTrees = this.pendingTrees.filter((c) => (c.tree?.size ?? 0) > this.tree.size);
    this.pendingTrees.splice(0, this.pendingTrees.length, ...laterTrees);
    this.accepted.splice(0, this.accepted.length, ...this.accepted.filter((c) => c.sequence >= resume.checkpoint.sequence));
  }

  /**
   * Where a later run may resume, when this one found the whole history intact, and what to keep beside
   * the mark: the heads the checkpoints up to it signed (those after this run's own starting mark, for a
   * resumed run) and the streams that kept signed commands by then.
   */
  mark(verifiedAt: string): { mark: VerifiedMark; state: MarkedState } | undefined {
    if (!this.reached) return undefined;
    const { sequence, logPosition, frontier, signedCount } = this.reached;
    const since = this.resume?.checkpoint.sequence ?? -1;
    const heads = new Map<string, Head>();
    for (const checkpoint of this.accepted) {
      if (checkpoint.sequence <= since || checkpoint.sequence > sequence) continue;
      for (const [stream, revision, hash] of checkpoint.changed) heads.set(stream, { revision, hash });
    }
    return {
      mark: { version: 2, sequence, entryHash: entryHash(this.entries[sequence - this.first]), logPosition, frontier, verifiedAt },
      state: { from: this.resume ? since : 'start', heads, signedStreams: this.unsigned.signed(signedCount) },
    };
  }

  check(event: RecordedEvent): void {
    this.settle(event.position);
    this.chains.check(event);
    this.heads.apply(event);
    this.prefix?.check(event, this.tree);
    this.settleTrees();
    if (this.commandKeys === undefined) {
      // Which streams keep signed commands is still followed, for a later run with keys that resumes here.
      if ((event.metadata as { command?: unknown }).command !== undefined) this.unsigned.check(event);
      return;
    }
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

  /** For a resumed run: the first stream met past its first event that the progress record holds no head for. */
  get unrecordedStream(): string | undefined {
    return this.chains.unrecorded;
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
      scope: this.resume
        ? { from: 'checkpoint', sequence: this.resume.checkpoint.sequence, logPosition: this.resume.checkpoint.logPosition }
        : { from: 'start', ...(this.fullBecause ? { fullBecause: this.fullBecause } : {}) },
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
      // The log tree's leaves are every event's (stream, revision, chain hash) in order, so a tree that
      // holds fixes every head at this position as well: the heads' root, which costs a hash of every
      // stream, is recomputed only where no tree vouches (older checkpoints, or one that does not hold,
      // where it names the streams that differ). Recomputed at every checkpoint, it made a whole run
      // grow with checkpoints × streams.
      const treeHolds = checkpoint.tree?.size === this.tree.size && checkpoint.tree.root === this.tree.root();
      if (!treeHolds && this.resume) {
        // A resumed run knows only the heads of the streams it met, not the root over all of them: it
        // names the streams whose signed heads the log no longer ends in (the tree's own mismatch is
        // reported by settleTrees).
        const streams = differences(this.recorded, (stream) => this.heads.get(stream) ?? this.signedHead?.(stream));
        if (streams?.length) this.headMismatches.set(checkpoint.sequence, { detail: `the stream heads at ${checkpoint.logPosition} differ from those the checkpoints signed`, streams });
        continue;
      }
      const root = treeHolds ? undefined : this.heads.root();
      if (root === undefined || root === checkpoint.root) {
        // The log up to here is exactly what the checkpoint signed: a later run may start from it.
        if (treeHolds) {
          this.reached = { sequence: checkpoint.sequence, logPosition: checkpoint.logPosition, frontier: this.tree.frontier(), signedCount: this.unsigned.signedCount };
        }
        continue;
      }
      this.headMismatches.set(checkpoint.sequence, {
        detail: `the stream heads at ${checkpoint.logPosition} hash to ${root.slice(0, 12)}…, the checkpoint says ${checkpoint.root.slice(0, 12)}…`,
        streams: differences(this.recorded, (stream) => this.heads.get(stream)),
      });
    }
  }
}

export interface VerifyStoreOptions {
  trustedKeys?: Record<string, string>;
  commandKeys?: readonly TrustedCommandKey[];
  onProgress?: (events: number) => void;
  pageSize?: number;
  against?: readonly unknown[];
  /** Where intact runs record the last checkpoint they verified; incremental runs start from it. */
  progress?: VerificationProgress;
  /** `incremental`: from the last verified checkpoint when there is a usable one. Default `full`. */
  mode?: 'full' | 'incremental';
  /** Also read every event through the current schemas and upcasters (`npm run verify` does). */
  decode?: boolean;
  /** Called between pages: a caller sharing its thread with others yields there. */
  betweenPages?: () => Promise<void>;
}

/**
 * Verifies a store, reading the log page by page; memory grows with streams, not events. Full, from the
 * start of the log; or incremental, from the last checkpoint a run found intact (see README, "Incremental
 * verification", for what that does and does not prove). An intact run records how far it got.
 */
export async function verifyStore(store: EventStore, options: VerifyStoreOptions = {}): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const wanted = options.mode === 'incremental' ? options.progress?.last() : undefined;
  const verifier = await openVerifier(store, options, wanted);
  const decoding = options.decode ? new DecodeChecker() : undefined;
  const after = verifier.resume ? positionFromString(verifier.resume.checkpoint.logPosition) : undefined;
  for await (const page of readLogPages(store, { pageSize, ...(after ? { after } : {}) })) {
    for (const event of page) {
      verifier.check(event);
      decoding?.check(event);
    }
    options.onProgress?.(verifier.events);
    // The record lost a row: the rest of this run is moot, the whole log is read below.
    if (verifier.resume && verifier.unrecordedStream !== undefined) break;
    await options.betweenPages?.();
  }
  if (verifier.resume && verifier.unrecordedStream !== undefined) {
    // The record lost a row (it is derived data: deleted, restored from an older copy): the stream's
    // history before the checkpoint is unknown to this run, so the whole log is verified instead of
    // reporting a break that may not be there. A full run finds whatever is really wrong, and records anew.
    const result = await verifyStore(store, { ...options, mode: 'full' });
    result.scope = {
      from: 'start',
      fullBecause: `the progress record holds no verified head for ${verifier.unrecordedStream}, which had events before checkpoint ${verifier.resume.checkpoint.sequence}`,
    };
    return result;
  }
  const result = verifier.finish();
  if (options.mode === 'incremental' && wanted === undefined) result.scope = { from: 'start', fullBecause: options.progress?.whyNoMark() ?? 'no progress record is kept' };
  if (decoding) result.decoding = decoding.finish();
  const intact =
    (result.decoding?.findings.length ?? 0) === 0 &&
    result.breaks.length === 0 && result.checkpoints.findings.length === 0 && result.commands.findings.length === 0 && (result.against?.findings.length ?? 0) === 0;
  if (intact && options.progress) {
    // Built only to be recorded: the heads it keeps are every stream's, for a run from the start.
    const marked = verifier.mark(new Date().toISOString());
    if (marked) options.progress.record(marked.mark, marked.state);
  }
  return result;
}

/**
 * A verifier going on from the mark when there is one, reading the feed from the mark's checkpoint on:
 * the entries before it are the ones the run that recorded the mark verified, as the links that end in
 * the mark's entry hash show. With a saved feed to hold the history against, the whole feed is read.
 */
async function openVerifier(store: EventStore, options: VerifyStoreOptions, wanted: VerifiedMark | undefined): Promise<LogVerifier> {
  const { trustedKeys, against, commandKeys, progress } = options;
  const whole = async (fullBecause?: string) => new LogVerifier(await store.readStream(AUDIT_CHECKPOINT_STREAM), trustedKeys, against, commandKeys, undefined, fullBecause);
  if (!wanted || !progress) return whole();
  const first = against ? 0 : Math.max(0, wanted.sequence - 1);
  const verifier = new LogVerifier(await store.readStream(AUDIT_CHECKPOINT_STREAM, { fromRevision: first }), trustedKeys, against, commandKeys, { mark: wanted, first, progress });
  return verifier.resume || first === 0 ? verifier : whole(verifier.fullBecause);
}

function differences(recorded: Map<string, Head>, headOf: (stream: string) => Head | undefined): CheckpointFinding['streams'] {
  const out: NonNullable<CheckpointFinding['streams']> = [];
  for (const [stream, want] of recorded) {
    const have = headOf(stream);
    if (!have) out.push({ stream, problem: 'removed', recorded: want.revision, found: null });
    else if (have.revision < want.revision) out.push({ stream, problem: 'truncated', recorded: want.revision, found: have.revision });
    else if (have.revision > want.revision) out.push({ stream, problem: 'inserted', recorded: want.revision, found: have.revision });
    else if (leaf(stream, have) !== leaf(stream, want)) out.push({ stream, problem: 'changed', recorded: want.revision, found: have.revision });
  }
  return out;
}
