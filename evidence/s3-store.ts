import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import { Sha256Hex } from '../domain/shared/evidence-file';
import { admitEvidence, sha256OfStream } from './admit';
import { evidenceKeyOf, sha256OfKey, type EvidenceLimits, type EvidenceStore, type StoredEvidence } from './port';

/** Where the bucket is and how to reach it (config/evidence-store.ts reads it from the environment). */
export interface S3EvidenceSettings {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL (MinIO, Ceph, a cloud's S3 API); unset for AWS itself. */
  endpoint?: string;
  /** Bucket in the path, not the host name: what most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Unset: the SDK's own chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, an instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * Evidence files as objects in an S3-compatible bucket, under the key `sha256/ab/cdef…`. A put asks
 * first whether the object is there and writes only when it is not, with `If-None-Match: *` so that two
 * uploads of one file at once still write it once, and with its SHA-256 so the server refuses bytes
 * damaged on the way. Reads stream the object.
 */
export function createS3EvidenceStore(settings: S3EvidenceSettings, limits: EvidenceLimits, client?: S3Client): EvidenceStore {
  const s3 =
    client ??
    new S3Client({
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only where S3 requires them: S3-compatible servers differ in which extra ones they know.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  const Bucket = settings.bucket;
  const keyOf = (sha256: string): string => {
    Sha256Hex.parse(sha256);
    return evidenceKeyOf(sha256);
  };

  async function has(sha256: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket, Key: keyOf(sha256) }));
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw err;
    }
  }

  async function open(sha256: string): Promise<Readable | undefined> {
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket, Key: keyOf(sha256) }));
      return object.Body as Readable;
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  return {
    kind: 's3',
    async put(content, declared) {
      const file = admitEvidence(content, declared, limits);
      if (await has(file.sha256)) return file;
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket,
            Key: keyOf(file.sha256),
            Body: content,
            ContentLength: content.length,
            ContentType: 'application/octet-stream',
            ChecksumSHA256: Buffer.from(file.sha256, 'hex').toString('base64'),
            IfNoneMatch: '*',
          }),
        );
      } catch (err) {
        // Someone stored the same bytes between the question and the write: they are stored, once.
        if (statusOf(err) !== 412 && statusOf(err) !== 409) throw err;
      }
      return file;
    },
    has,
    async read(sha256) {
      const stream = await open(sha256);
      if (stream === undefined) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    },
    open,
    async check(sha256) {
      const stream = await open(sha256);
      if (stream === undefined) return 'missing';
      return (await sha256OfStream(stream)) === sha256 ? 'intact' : 'altered';
    },
    async *list(): AsyncIterable<StoredEvidence> {
      let ContinuationToken: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'sha256/', ...(ContinuationToken ? { ContinuationToken } : {}) }));
        for (const object of page.Contents ?? []) {
          const sha256 = object.Key === undefined ? undefined : sha256OfKey(object.Key);
          // A time unknown counts as now: the clean-up then leaves the object for a later run.
          if (sha256 !== undefined) yield { sha256, size: object.Size ?? 0, storedAt: object.LastModified ?? new Date() };
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken !== undefined);
    },
    async remove(sha256) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: keyOf(sha256) }));
    },
  };
}
