import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { comparePositions, positionFromString, type RecordedEvent } from '../port';
import { entryHash } from './checkpoint';
import type { Checkpoint } from './checkpoint-events';
import type { FeedEntry } from './feed';
import { CompactTree } from './merkle';

/**
 * Where the last intact verification got to: the last signed checkpoint it verified, the hash of that
 * checkpoint's entry as it then stood, and the log tree's frontier there (whose root must equal the
 * checkpoint's signed tree root). The stream heads that checkpoint signed and the streams that kept
 * signed commands by then are kept beside it, one row a stream, so that a later run looks up only the
 * streams it meets. Version 1 marks carried the signed streams in the mark itself and no heads: a run
 * that finds one verifies from the start and records a version 2 mark.
 */
export const VerifiedMark = z.object({
  version: z.literal(2),
  sequence: z.number().int().nonnegative(),
  entryHash: z.string().regex(/^[0-9a-f]{64}$/),
  logPosition: z.string().regex(/^\d+\/\d+$/),
  frontier: z.array(z.object({ size: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) })),
  verifiedAt: z.string(),
});
export type VerifiedMark = z.infer<typeof VerifiedMark>;

export type Head = { revision: number; hash: string };

/** What a run that recorded a mark adds to the rows beside it: everything (`from: 'start'`), or what changed since the mark it went on from (its sequence). */
export interface MarkedState {
  from: 'start' | number;
  /** Heads the checkpoints up to the mark signed: all of them from the start, else those signed after the run's own starting mark. */
  heads: Iterable<[string, Head]>;
  /** Streams that kept signed commands by the mark (or began to, since the starting mark). */
  signedStreams: Iterable<string>;
}

export interface VerificationProgress {
  last(): VerifiedMark | undefined;
  /** Why `last()` gives no mark: none recorded yet, or the newest one unusable (an earlier version, or unreadable). */
  whyNoMark(): string;
  /** The head the last mark's checkpoints signed for a stream; undefined for a stream they never named. */
  head(stream: string): Head | undefined;
  /** Whether the stream kept a signed command by the last mark. */
  keepsSignedCommands(stream: string): boolean;
  record(mark: VerifiedMark, state: MarkedState): void;
}

/** Where the API and the CLI keep the record, in the data folder. */
export function verificationProgressPath(dataDir: string): string {
  return join(dataDir, 'verification-progress.db');
}

/**
 * The progress record in its own small SQLite file: the API and `npm run verify` share it. A mark and
 * the rows it needs are written in one transaction, so the rows always belong to the newest mark: a run
 * from the start replaces the whole record (it may follow a restore to an older history); a run that went
 * on from a mark adds what changed since, unless the record no longer holds that mark's rows (another run
 * recorded a later mark, or a run from the start replaced them meanwhile) — then it leaves it as it is.
 */
export function openVerificationProgress(path: string): VerificationProgress & { close(): void } {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS verified_marks (sequence INTEGER PRIMARY KEY, mark TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS verified_heads (stream TEXT PRIMARY KEY, revision INTEGER NOT NULL, hash TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS signed_streams (stream TEXT PRIMARY KEY) WITHOUT ROWID;
  `);
  const last = db.prepare<[], { sequence: number; mark: string }>('SELECT sequence, mark FROM verified_marks ORDER BY sequence DESC LIMIT 1');
  const put = db.prepare<[number, string]>('INSERT OR REPLACE INTO verified_marks (sequence, mark) VALUES (?, ?)');
  const head = db.prepare<[string], Head>('SELECT revision, hash FROM verified_heads WHERE stream = ?');
  // A head only moves forward along one feed: an older run's row never overwrites a newer one.
  const putHead = db.prepare<[string, number, string]>(
    'INSERT INTO verified_heads (stream, revision, hash) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET revision = excluded.revision, hash = excluded.hash WHERE excluded.revision >= verified_heads.revision',
  );
  const signed = db.prepare<[string], { stream: string }>('SELECT stream FROM signed_streams WHERE stream = ?');
  const putSigned = db.prepare<[string]>('INSERT OR IGNORE INTO signed_streams (stream) VALUES (?)');
  const record = db.transaction((mark: VerifiedMark, state: MarkedState) => {
    if (state.from === 'start') {
      db.exec('DELETE FROM verified_marks; DELETE FROM verified_heads; DELETE FROM signed_streams;');
    } else {
      const held = last.get()?.sequence ?? -1;
      if (held < state.from || held > mark.sequence) return;
    }
    for (const [stream, { revision, hash }] of state.heads) putHead.run(stream, revision, hash);
    for (const stream of state.signedStreams) putSigned.run(stream);
    put.run(mark.sequence, JSON.stringify(mark));
  });
  return {
    last() {
      const row = last.get();
      if (!row) return undefined;
      const parsed = VerifiedMark.safeParse(JSON.parse(row.mark));
      return parsed.success ? parsed.data : undefined;
    },
    whyNoMark() {
      const row = last.get();
      if (!row) return 'no verified checkpoint is recorded yet';
      const version = (JSON.parse(row.mark) as { version?: unknown }).version;
      return version !== 2
        ? `the mark recorded at checkpoint ${row.sequence} is of an earlier version (${String(version ?? 1)}), without the stream heads a run going on from it needs`
        : `the mark recorded at checkpoint ${row.sequence} cannot be read`;
    },
    head(stream) {
      return head.get(stream);
    },
    keepsSignedCommands(stream) {
      return signed.get(stream) !== undefined;
    },
    record(mark, state) {
      record(mark, state);
    },
    close() {
      db.close();
    },
  };
}

/** What a run resumed from a verified checkpoint starts with, every part of it checked against that checkpoint. */
export interface ResumePoint {
  checkpoint: Checkpoint;
  tree: CompactTree;
  /** The audit stream's head at the checkpoint's position, so its chain goes on from there. */
  auditHead?: Head;
}

/**
 * The resume point of a mark, or why the mark cannot be used (then the run verifies from the start).
 * `entries` are the audit stream's from `first` on (the mark's checkpoint and the one before it, at
 * least), `accepted` and `findings` what checkFeed made of them. A mark is used only if the checkpoint it
 * names is still the same entry (same hash) — and so, through the links the run that recorded it checked,
 * is every entry before it — signed by a key trusted now, covering the same position, every later
 * checkpoint bears a log tree, and the recorded frontier hashes to its signed tree root. The heads it
 * signed are the record's rows, written by that run from the checkpoints it verified.
 */
export function resumePoint(
  mark: VerifiedMark,
  entries: readonly unknown[],
  first: number,
  accepted: readonly FeedEntry[],
  feedFindings: readonly { sequence: number }[],
  auditEvents: readonly RecordedEvent[],
): ResumePoint | string {
  const raw = mark.sequence >= first ? entries[mark.sequence - first] : undefined;
  if (raw === undefined) return `checkpoint ${mark.sequence}, last verified, is no longer in the audit stream`;
  if (entryHash(raw) !== mark.entryHash) return `checkpoint ${mark.sequence} is not the entry that was verified (its hash changed)`;
  if (feedFindings.some((f) => f.sequence <= mark.sequence)) return `the checkpoint feed has findings at or before checkpoint ${mark.sequence}`;
  const checkpoint = accepted.find((e) => e.checkpoint.sequence === mark.sequence)?.checkpoint;
  if (!checkpoint) return `checkpoint ${mark.sequence} is not accepted`;
  if (checkpoint.logPosition !== mark.logPosition) return `checkpoint ${mark.sequence} covers another position than the one verified`;
  const treeless = accepted.find((e) => e.checkpoint.sequence > mark.sequence && !e.checkpoint.tree);
  // Without a tree a checkpoint is held only to the root over every stream's head, which only a run from the start knows.
  if (treeless) return `checkpoint ${treeless.checkpoint.sequence}, signed after checkpoint ${mark.sequence}, bears no log tree`;
  const tree = CompactTree.fromFrontier(mark.frontier);
  if (!checkpoint.tree || tree.size !== checkpoint.tree.size || tree.root() !== checkpoint.tree.root) {
    return `the recorded log-tree frontier does not hash to checkpoint ${mark.sequence}'s signed tree root`;
  }
  const at = positionFromString(checkpoint.logPosition);
  const auditBefore = auditEvents.filter((e) => comparePositions(e.position, at) <= 0).at(-1);
  const auditHead = auditBefore?.metadata.integrity ? { revision: auditBefore.revision, hash: auditBefore.metadata.integrity.hash } : undefined;
  return { checkpoint, tree, ...(auditHead ? { auditHead } : {}) };
}
