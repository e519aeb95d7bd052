import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { z } from 'zod';

/**
 * The databases of an embedded office, by their name under DATA_DIR, in the order a backup copies
 * them. Read models, the tasklist and the accounts are copied before the event store, so every position
 * they refer to is in the copied log (a read model behind it catches up after restore), and Temporal's
 * database with it (COPIED_TOGETHER: an activity that appended but was not yet recorded as done runs
 * again after restore, with the same event ids, which the store ignores).
 * Evidence files come after the log, so every file an event names is there.
 */
export const SQLITE_FILES = ['readmodels.db', 'tasklist.db', 'identity.db', 'temporal.db', 'events.db'] as const;
/**
 * Copied as of one instant: a process Temporal started after a separate copy of its database would
 * have its first events in a log copied later, and no process in the restored engine.
 */
export const COPIED_TOGETHER = ['temporal.db', 'events.db'] as const;
/**
 * Databases of the data folder a backup leaves out on purpose, with the reason it prints. Any other
 * `*.db` found there (one a later version of the office adds) is copied too, before the known ones.
 */
export const SQLITE_FILES_LEFT_OUT: Readonly<Record<string, string>> = {
  'verification-progress.db': 'verification-progress.db is not copied: the restored office verifies its whole log again rather than trust marks made on the machine it was copied from',
  'as-of-snapshots.db':
    "as-of-snapshots.db is not copied: the auditors' as-of snapshots (their images are the files in as-of-snapshots-images/) are derived from the log, and the restored office's projector takes them again",
};
export const EVENT_STORE_FILE = 'events.db';
export const EVIDENCE_FOLDER = 'evidence';
export const MANIFEST_FILE = 'manifest.json';

/** Kept outside the data folder by design: a copy of the data alone must neither sign nor decrypt. */
export const KEYS_NOT_COPIED =
  'keys are not in this backup: the audit signing key, the MFA encryption key and the command signing key live outside DATA_DIR; back them up separately';

/** Said in the manifest and printed when evidence files live in a bucket: what backs them up instead. */
export const S3_EVIDENCE_NOT_COPIED =
  'evidence files are not in this backup: they live in an S3-compatible bucket (EVIDENCE_S3_BUCKET), backed up by the bucket’s own versioning and replication; restoring this backup expects that bucket as it was';

export const ManifestFile = z.object({
  path: z.string().min(1).refine((p) => !p.split('/').includes('..') && !p.startsWith('/'), { message: 'a path inside the backup folder' }),
  kind: z.enum(['sqlite', 'evidence']),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const Manifest = z.object({
  format: z.literal('cloud-office-backup'),
  version: z.literal(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  source: z.string(),
  eventStore: z.object({ lastPosition: z.number().int().nonnegative().nullable(), events: z.number().int().nonnegative() }),
  files: z.array(ManifestFile),
  absent: z.array(z.string()),
  notCopied: z.string(),
  /**
   * Where the evidence files were: absent or fs, copied into this backup (the `evidence` files above);
   * s3, left in their bucket, whose own versioning and replication back them up (nothing to restore).
   */
  evidenceStore: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('fs') }),
      z.object({ kind: z.literal('s3'), bucket: z.string(), endpoint: z.string().optional(), note: z.string() }),
    ])
    .optional(),
});
export type Manifest = z.infer<typeof Manifest>;

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
