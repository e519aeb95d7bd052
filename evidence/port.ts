import type { Readable } from 'node:stream';
import type { EvidenceFile } from '../domain/shared/evidence-file';

/**
 * Where evidence files live: content-addressed by SHA-256, so an event that names a hash names exactly
 * those bytes, and the same file uploaded twice is one file. Two adapters pass one contract suite
 * (test/evidence/store-contract.ts): the data folder (fs-store.ts) and an S3-compatible bucket
 * (s3-store.ts), both under the key `sha256/<ab>/<rest>`.
 */
export interface EvidenceStore {
  /** Which adapter (memory: tests' fake). Backup copies the files of an fs store; a bucket is backed up by its own versioning. */
  readonly kind: 'fs' | 's3' | 'memory';
  /**
   * Checks the size and the content type (sniffed from the bytes, not taken on trust) and stores the
   * content once; the same content again leaves the stored bytes as they are and answers the same, but
   * counts as uploaded now (its `storedAt` moves), so the clean-up's grace period runs from the last upload.
   */
  put(content: Buffer, declared: { filename: string; contentType: string | undefined }): Promise<EvidenceFile>;
  has(sha256: string): Promise<boolean>;
  /** The bytes, or undefined when no file has this hash; the type is the one the referencing event records. */
  read(sha256: string): Promise<Buffer | undefined>;
  /** The bytes as a stream (for downloads: a large file is never held whole), or undefined when absent. */
  open(sha256: string): Promise<Readable | undefined>;
  /** Whether the stored bytes still hash to their name: the verifier's question. */
  check(sha256: string): Promise<'intact' | 'missing' | 'altered'>;
  /** Every stored file, with when it was stored: what the clean-up of unreferenced files walks. */
  list(): AsyncIterable<StoredEvidence>;
  /** Deletes the file; a file already gone is no error. Only the clean-up of unreferenced files calls it. */
  remove(sha256: string): Promise<void>;
}

export interface StoredEvidence {
  sha256: string;
  size: number;
  /** When the file was last uploaded (first stored, or handed in again since). */
  storedAt: Date;
}

export interface EvidenceLimits {
  /** Largest file accepted, in bytes (EVIDENCE_MAX_BYTES). */
  maxBytes: number;
}

export const DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;

/** The object key (and, under the data folder, the path) of a file: `sha256/ab/cdef…`. */
export const evidenceKeyOf = (sha256: string): string => `sha256/${sha256.slice(0, 2)}/${sha256.slice(2)}`;

/** The hash a key names, or undefined for anything else found where files are kept. */
export function sha256OfKey(key: string): string | undefined {
  const match = /^sha256\/([0-9a-f]{2})\/([0-9a-f]{62})$/.exec(key);
  return match ? `${match[1]}${match[2]}` : undefined;
}
