import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { comparePositions, positionFromString, type RecordedEvent } from '../port';
import { entryHash, StreamHeads } from './checkpoint';
import type { Checkpoint } from './checkpoint-events';
import type { FeedEntry } from './feed';
import { CompactTree } from './merkle';

/**
 * Where the last intact verification got to: the last signed checkpoint it verified, the hash of that
 * checkpoint's entry as it then stood, and what a run needs to go on from there that the checkpoint does
 * not carry — the log tree's frontier (whose root must equal the checkpoint's signed tree root) and the
 * streams that already keep signed commands.
 */
export const VerifiedMark = z.object({
  sequence: z.number().int().nonnegative(),
  entryHash: z.string().regex(/^[0-9a-f]{64}$/),
  logPosition: z.string().regex(/^\d+\/\d+$/),
  frontier: z.array(z.object({ size: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) })),
  signedStreams: z.array(z.string()),
  verifiedAt: z.string(),
});
export type VerifiedMark = z.infer<typeof VerifiedMark>;

export interface VerificationProgress {
  last(): VerifiedMark | undefined;
  record(mark: VerifiedMark): void;
}

/** Where the API and the CLI keep the record, in the data folder. */
export function verificationProgressPath(dataDir: string): string {
  return join(dataDir, 'verification-progress.db');
}

/** The progress record in its own small SQLite file: the API and `npm run verify` share it. */
export function openVerificationProgress(path: string): VerificationProgress & { close(): void } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS verified_marks (sequence INTEGER PRIMARY KEY, mark TEXT NOT NULL)');
  const last = db.prepare<[], { mark: string }>('SELECT mark FROM verified_marks ORDER BY sequence DESC LIMIT 1');
  const put = db.prepare<[number, string]>('INSERT OR REPLACE INTO verified_marks (sequence, mark) VALUES (?, ?)');
  return {
    last() {
      const row = last.get();
      if (!row) return undefined;
      const parsed = VerifiedMark.safeParse(JSON.parse(row.mark));
      return parsed.success ? parsed.data : undefined;
    },
    record(mark) {
      put.run(mark.sequence, JSON.stringify(mark));
    },
    close() {
      db.close();
    },
  };
}

/** What a run resumed from a verified checkpoint starts with, every part of it checked against that checkpoint. */
export interface ResumePoint {
  checkpoint: Checkpoint;
  heads: Map<string, { revision: number; hash: string }>;
  tree: CompactTree;
  signedStreams: string[];
  /** The audit stream's head at the checkpoint's position, so its chain goes on from there. */
  auditHead?: { revision: number; hash: string };
}

/**
 * The resume point of a mark, or why the mark cannot be used (then the run verifies from the start).
 * A mark is used only if the checkpoint it names is still the same entry (same hash), every checkpoint up
 * to it is accepted (signature, sequence, links, consistency), the stream heads their `changed` lists add
 * up to hash to its signed root, and the recorded frontier hashes to its signed tree root.
 */
export function resumePoint(
  mark: VerifiedMark,
  entries: readonly unknown[],
  accepted: readonly FeedEntry[],
  feedFindings: readonly { sequence: number }[],
  auditEvents: readonly RecordedEvent[],
): ResumePoint | string {
  const raw = entries[mark.sequence];
  if (raw === undefined) return `checkpoint ${mark.sequence}, last verified, is no longer in the audit stream`;
  if (entryHash(raw) !== mark.entryHash) return `checkpoint ${mark.sequence} is not the entry that was verified (its hash changed)`;
  if (feedFindings.some((f) => f.sequence <= mark.sequence)) return `the checkpoint feed has findings at or before checkpoint ${mark.sequence}`;
  const upTo = accepted.filter((e) => e.checkpoint.sequence <= mark.sequence);
  const checkpoint = upTo.at(-1)?.checkpoint;
  if (!checkpoint || checkpoint.sequence !== mark.sequence || upTo.length !== mark.sequence + 1) return `checkpoints up to ${mark.sequence} are not all accepted`;
  if (checkpoint.logPosition !== mark.logPosition) return `checkpoint ${mark.sequence} covers another position than the one verified`;
  const heads = new StreamHeads();
  const recorded = new Map<string, { revision: number; hash: string }>();
  for (const { checkpoint: c } of upTo) for (const [stream, revision, hash] of c.changed) recorded.set(stream, { revision, hash });
  for (const [stream, head] of recorded) heads.seed(stream, head);
  if (heads.root() !== checkpoint.root) return `the stream heads checkpoints 0..${mark.sequence} recorded do not hash to its signed root`;
  const tree = CompactTree.fromFrontier(mark.frontier);
  if (!checkpoint.tree || tree.size !== checkpoint.tree.size || tree.root() !== checkpoint.tree.root) {
    return `the recorded log-tree frontier does not hash to checkpoint ${mark.sequence}'s signed tree root`;
  }
  const at = positionFromString(checkpoint.logPosition);
  const auditBefore = auditEvents.filter((e) => comparePositions(e.position, at) <= 0).at(-1);
  const auditHead = auditBefore?.metadata.integrity ? { revision: auditBefore.revision, hash: auditBefore.metadata.integrity.hash } : undefined;
  return { checkpoint, heads: recorded, tree, signedStreams: mark.signedStreams, ...(auditHead ? { auditHead } : {}) };
}
