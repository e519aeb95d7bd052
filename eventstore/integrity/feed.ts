import { entryHash, signedText } from './checkpoint';
import { Checkpoint, type LogTreeHead } from './checkpoint-events';
import { verifyConsistency } from './merkle';
import { verifySignature } from './signing';

/**
 * The public feed of signed checkpoints: the audit stream's entries in order, each `{checkpoint,
 * signature}`. Append-only by construction, and checkably so without the log: every entry links to
 * the one before (`previous`), and every tree head comes with a consistency proof from the last one.
 */
export interface FeedEntry {
  checkpoint: Checkpoint;
  signature: string;
}

export type CheckpointProblem =
  | 'malformed'
  | 'wrong-signature'
  | 'unknown-key'
  | 'out-of-sequence'
  | 'broken-link'
  | 'inconsistent'
  | 'root-mismatch';

export interface CheckpointFinding {
  sequence: number;
  problem: CheckpointProblem;
  detail: string;
  /** For a root mismatch: the streams whose heads differ from what the checkpoints recorded. */
  streams?: { stream: string; problem: 'truncated' | 'changed' | 'inserted' | 'removed'; recorded: number; found: number | null }[];
}

/** An entry as stored or saved: its checkpoint parsed, or undefined when it is none. */
export function parseEntry(raw: unknown): FeedEntry | undefined {
  const parsed = Checkpoint.safeParse((raw as { checkpoint?: unknown } | null)?.checkpoint);
  const signature = (raw as { signature?: unknown } | null)?.signature;
  if (!parsed.success || typeof signature !== 'string') return undefined;
  return { checkpoint: parsed.data, signature };
}

/** Whether an entry's signature verifies with a trusted key; the finding when not. */
export function signatureFinding(entry: FeedEntry, trustedKeys: Record<string, string>): CheckpointFinding | undefined {
  const { checkpoint } = entry;
  const key = trustedKeys[checkpoint.keyId];
  if (!key) return { sequence: checkpoint.sequence, problem: 'unknown-key', detail: `signed by key ${checkpoint.keyId}, which is not trusted` };
  if (!verifySignature(key, signedText(checkpoint), entry.signature)) {
    return { sequence: checkpoint.sequence, problem: 'wrong-signature', detail: 'the signature does not verify against the trusted key' };
  }
  return undefined;
}

/**
 * Checks a feed on its own, as anyone can: each entry a checkpoint, in sequence, signed by a trusted
 * key, linked to its predecessor, its tree proven consistent with the previous tree. Returns the
 * entries whose signatures verify (to hold the log against) and what is wrong. `first`: the sequence of
 * `raw[0]` when the feed is read from there on (its own link and consistency are then not checked here).
 */
export function checkFeed(raw: readonly unknown[], trustedKeys: Record<string, string>, first = 0): { accepted: FeedEntry[]; findings: CheckpointFinding[] } {
  const accepted: FeedEntry[] = [];
  const findings: CheckpointFinding[] = [];
  let previousTree: LogTreeHead | undefined;
  let previousLinked = false;
  raw.forEach((data, at) => {
    const i = first + at;
    const entry = parseEntry(data);
    if (!entry) {
      findings.push({ sequence: i, problem: 'malformed', detail: `entry ${i} of the audit stream is not a signed checkpoint` });
      return;
    }
    const { checkpoint } = entry;
    if (checkpoint.sequence !== i) {
      findings.push({ sequence: checkpoint.sequence, problem: 'out-of-sequence', detail: `found at position ${i} of the audit stream` });
    }
    const link = at === 0 && first > 0 ? undefined : linkFinding(checkpoint, at === 0 ? undefined : raw[at - 1], previousLinked);
    if (link) findings.push(link);
    previousLinked = previousLinked || checkpoint.previous !== undefined || checkpoint.tree !== undefined;
    const tree = checkpoint.tree;
    if (tree && previousTree && !verifyConsistency(previousTree.size, tree.size, previousTree.root, tree.root, tree.consistency)) {
      findings.push({
        sequence: checkpoint.sequence,
        problem: 'inconsistent',
        detail: `its tree of ${tree.size} events is not proven to extend the previous tree of ${previousTree.size} events`,
      });
    }
    if (tree) previousTree = tree;
    const signature = signatureFinding(entry, trustedKeys);
    if (signature) findings.push(signature);
    else accepted.push(entry);
  });
  return { accepted, findings };
}

function linkFinding(checkpoint: Checkpoint, before: unknown, previousLinked: boolean): CheckpointFinding | undefined {
  const at = (detail: string): CheckpointFinding => ({ sequence: checkpoint.sequence, problem: 'broken-link', detail });
  if (before === undefined) return checkpoint.previous === undefined ? undefined : at('the first checkpoint links to a predecessor');
  if (checkpoint.previous === undefined) return previousLinked ? at('it does not link to the checkpoint before it') : undefined;
  const expected = entryHash(before);
  return checkpoint.previous === expected ? undefined : at(`links to ${checkpoint.previous.slice(0, 12)}…, the entry before it hashes to ${expected.slice(0, 12)}…`);
}

/**
 * Parses a saved feed as GET /api/audit/checkpoints serves it: JSON ({"checkpoints": [...]}), or JSON
 * lines of entries (format=jsonl), or a JSON array of entries.
 */
export function parseFeedText(text: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[')) return JSON.parse(trimmed) as unknown[];
  if (trimmed.startsWith('{') && !trimmed.includes('\n')) {
    const whole = JSON.parse(trimmed) as { checkpoints?: unknown };
    if (Array.isArray(whole.checkpoints)) return whole.checkpoints;
  }
  return trimmed.split('\n').filter((line) => line.trim() !== '').map((line, i) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new Error(`line ${i + 1} of the saved feed is not JSON`);
    }
  });
}

export function feedText(entries: readonly unknown[]): string {
  return entries.map((e) => `${JSON.stringify(e)}\n`).join('');
}
