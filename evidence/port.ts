import type { EvidenceFile } from '../domain/shared/evidence-file';

/**
 * Where evidence files live: content-addressed by SHA-256, so an event that names a hash names exactly
 * those bytes, and the same file uploaded twice is one file. The filesystem adapter (fs-store.ts) is the
 * one built; an S3-compatible adapter would implement the same port with the object key
 * `sha256/<ab>/<rest>` (PutObject with `If-None-Match: *` for idempotency, HeadObject for `has`,
 * GetObject for `read`), once a well-kept S3 client is a dependency of the project.
 */
export interface EvidenceStore {
  /**
   * Checks the size and the content type (sniffed from the bytes, not taken on trust) and stores the
   * content once; the same content again writes nothing and answers the same.
   */
  put(content: Buffer, declared: { filename: string; contentType: string | undefined }): Promise<EvidenceFile>;
  has(sha256: string): Promise<boolean>;
  /** The bytes, or undefined when no file has this hash; the type is the one the referencing event records. */
  read(sha256: string): Promise<Buffer | undefined>;
  /** Whether the stored bytes still hash to their name: the verifier's question. */
  check(sha256: string): Promise<'intact' | 'missing' | 'altered'>;
}

export interface EvidenceLimits {
  /** Largest file accepted, in bytes (EVIDENCE_MAX_BYTES). */
  maxBytes: number;
}

export const DEFAULT_EVIDENCE_MAX_BYTES = 20 * 1024 * 1024;
