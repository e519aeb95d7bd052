import { positionToString, type RecordedEvent } from '../port';
import { entryHash } from './checkpoint';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from './checkpoint-events';
import { parseEntry, signatureFinding } from './feed';
import type { CompactTree } from './merkle';

/**
 * `verify --against <saved feed>`: is the history an auditor saw earlier still a prefix of today's?
 * The operator holds the signing key, so a rewritten history with recomputed chains and freshly signed
 * checkpoints verifies on its own. What it cannot match is what was published before: for each saved
 * checkpoint, today's feed must still hold it unchanged, today's log must reproduce its tree root over
 * the same number of events (RFC 9162, leaf i the i-th event), and every stream head it recorded must
 * still carry the same chain hash. The heads say where: the stream, and the revisions between the last
 * head that still matches and the first that does not.
 */
export type PrefixProblem = 'saved-malformed' | 'saved-untrusted' | 'missing-from-feed' | 'feed-rewritten' | 'history-rewritten';

export interface PrefixFinding {
  /** The saved checkpoint that shows it. */
  sequence: number;
  problem: PrefixProblem;
  detail: string;
  /** Where a rewritten history differs first: the stream and the revisions among which the change lies. */
  stream?: string;
  revisions?: { from: number; to: number };
  /** Or the events, counted in log order from 1, among which the first change lies. */
  events?: { from: number; to: number };
}

export interface PrefixVerification {
  /** Saved checkpoints that verify with a trusted key. */
  checkpoints: number;
  /** Of those, how many today's feed still holds unchanged. */
  unchanged: number;
  findings: PrefixFinding[];
}

interface RecordedHead {
  revision: number;
  hash: string;
  sequence: number;
}

interface StreamCheck {
  heads: RecordedHead[];
  next: number;
  lastGood: number;
  firstBad?: { head: RecordedHead; found: string | undefined };
}

export class PrefixVerifier {
  private readonly findings: PrefixFinding[] = [];
  private readonly saved: Checkpoint[] = [];
  private unchanged = 0;
  private readonly trees: Checkpoint[];
  private readonly sizes: Set<number>;
  /** Sizes the log passed through, with the root there and the position reached. */
  private readonly reached = new Map<number, { root: string; position: string }>();
  private readonly streams = new Map<string, StreamCheck>();

  constructor(savedFeed: readonly unknown[], todayAudit: readonly RecordedEvent[], trustedKeys: Record<string, string>) {
    savedFeed.forEach((raw, i) => {
      const entry = parseEntry(raw);
      if (!entry) {
        this.findings.push({ sequence: i, problem: 'saved-malformed', detail: `line ${i + 1} of the saved feed is not a signed checkpoint` });
        return;
      }
      const bad = signatureFinding(entry, trustedKeys);
      if (bad) {
        this.findings.push({ sequence: entry.checkpoint.sequence, problem: 'saved-untrusted', detail: `the saved checkpoint itself does not verify: ${bad.detail}` });
        return;
      }
      this.saved.push(entry.checkpoint);
      const today = todayAudit[entry.checkpoint.sequence];
      if (!today) {
        this.findings.push({ sequence: entry.checkpoint.sequence, problem: 'missing-from-feed', detail: `today's feed holds ${todayAudit.length} checkpoints; this one is gone` });
      } else if (entryHash(today.data) !== entryHash(raw)) {
        this.findings.push({ sequence: entry.checkpoint.sequence, problem: 'feed-rewritten', detail: `today's feed holds a different checkpoint ${entry.checkpoint.sequence}: ${changes(raw, today.data)}` });
      } else {
        this.unchanged += 1;
      }
    });
    this.trees = this.saved.filter((c) => c.tree).sort((a, b) => (a.tree?.size ?? 0) - (b.tree?.size ?? 0));
    this.sizes = new Set(this.trees.map((c) => c.tree?.size ?? 0));
    for (const checkpoint of this.saved) {
      for (const [stream, revision, hash] of checkpoint.changed) {
        const check = this.streams.get(stream) ?? { heads: [], next: 0, lastGood: -1 };
        check.heads.push({ revision, hash, sequence: checkpoint.sequence });
        this.streams.set(stream, check);
      }
    }
    for (const check of this.streams.values()) check.heads.sort((a, b) => a.revision - b.revision || a.sequence - b.sequence);
    this.note(undefined, 0, '');
  }

  /** Called with each event after it went into the verifier's log tree. */
  check(event: RecordedEvent, tree: CompactTree): void {
    if (event.stream === AUDIT_CHECKPOINT_STREAM) return;
    this.note(tree, tree.size, positionToString(event.position));
    const check = this.streams.get(event.stream);
    if (!check || check.firstBad) return;
    const found = event.metadata.integrity?.hash;
    for (let head = check.heads[check.next]; head && head.revision <= event.revision; head = check.heads[++check.next]) {
      if (head.revision < event.revision) {
        check.firstBad = { head, found: undefined }; // the revision it recorded never came
        return;
      }
      if (head.hash !== found) {
        check.firstBad = { head, found };
        return;
      }
      check.lastGood = head.revision;
    }
  }

  finish(tree: CompactTree): PrefixVerification {
    this.treeFindings(tree);
    for (const [stream, check] of this.streams) {
      const bad = check.firstBad ?? (check.heads[check.next] ? { head: check.heads[check.next] as RecordedHead, found: undefined } : undefined);
      if (!bad) continue;
      const { head, found } = bad;
      const revisions = { from: check.lastGood + 1, to: head.revision };
      const where = revisions.from === revisions.to ? `revision ${head.revision}` : `revisions ${revisions.from}..${revisions.to}`;
      this.findings.push({
        sequence: head.sequence,
        problem: 'history-rewritten',
        stream,
        revisions,
        detail:
          found === undefined
            ? `${stream} no longer has revision ${head.revision}, which checkpoint ${head.sequence} recorded; the change lies in ${where}`
            : `${stream} changed in ${where}: checkpoint ${head.sequence} recorded revision ${head.revision} with chain hash ${head.hash.slice(0, 12)}…, today it is ${found.slice(0, 12)}…`,
      });
    }
    return { checkpoints: this.saved.length, unchanged: this.unchanged, findings: this.findings };
  }

  private note(tree: CompactTree | undefined, size: number, position: string): void {
    if (this.sizes.has(size) && !this.reached.has(size)) this.reached.set(size, { root: tree ? tree.root() : EMPTY_ROOT, position });
  }

  /** The first saved tree today's log does not reproduce, and the last one it still does: the change lies between. */
  private treeFindings(tree: CompactTree): void {
    let lastGood = 0;
    for (const checkpoint of this.trees) {
      const want = checkpoint.tree as NonNullable<Checkpoint['tree']>;
      const got = this.reached.get(want.size);
      if (got && got.root === want.root) {
        lastGood = want.size;
        continue;
      }
      const events = { from: lastGood + 1, to: want.size };
      this.findings.push({
        sequence: checkpoint.sequence,
        problem: 'history-rewritten',
        events,
        detail: got
          ? `today's first ${want.size} events hash to tree root ${got.root.slice(0, 12)}…, checkpoint ${checkpoint.sequence} signed ${want.root.slice(0, 12)}…; the first change lies among events ${events.from}..${events.to} in log order (up to position ${got.position})`
          : `today's log holds ${tree.size} events, checkpoint ${checkpoint.sequence} covered ${want.size}`,
      });
      return; // every later tree contains the same change
    }
  }
}

/** RFC 9162: the tree of no leaves hashes to SHA-256 of nothing. */
const EMPTY_ROOT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Which fields of a checkpoint differ between the saved entry and today's, for the report. */
function changes(saved: unknown, today: unknown): string {
  const a = (saved as { checkpoint?: Record<string, unknown>; signature?: unknown }) ?? {};
  const b = (today as { checkpoint?: Record<string, unknown>; signature?: unknown }) ?? {};
  const keys = new Set([...Object.keys(a.checkpoint ?? {}), ...Object.keys(b.checkpoint ?? {})]);
  const differ = [...keys].filter((k) => entryHash(a.checkpoint?.[k] ?? null) !== entryHash(b.checkpoint?.[k] ?? null));
  if (entryHash(a.signature ?? null) !== entryHash(b.signature ?? null)) differ.push('signature');
  return differ.length > 0 ? `${differ.join(', ')} differ` : 'stored differently';
}

/** The report's lines for the --against check. */
export function prefixReport(result: PrefixVerification): string[] {
  const lines = [`against the saved feed: ${result.checkpoints} saved checkpoints, ${result.unchanged} still in today's feed unchanged`];
  for (const f of result.findings) lines.push(`${f.problem === 'history-rewritten' ? 'REWRITTEN' : 'FEED'} checkpoint ${f.sequence}: ${f.problem} (${f.detail})`);
  if (result.findings.length === 0) lines.push("the saved history is a prefix of today's: every saved checkpoint is unchanged and its events reproduce it");
  return lines;
}
