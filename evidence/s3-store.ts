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

/**
 * An empty object per file uploaded again after it was first stored, its time the latest such upload:
 * the file itself is never rewritten, and S3 cannot move an object's time without rewriting it.
 */
const MARKERS = 'uploaded-again/';

const statusOf = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * Evidence files as objects in an S3-compatible bucket, under the key `sha256/ab/cdef…`. A put asks
 * first whether the object is there and writes only when it is not, with `If-None-Match: *` so that two
 * uploads of one file at once still write it once, and with its SHA-256 so that a server which checks
 * it (AWS S3 does; moto, the tests' server, does not) refuses bytes damaged on the way. Reads stream the object. Uploading stored bytes again writes only a marker of that
 * upload (`uploaded-again/sha256/…`), which the listing reads as the file's `storedAt`.
 */
export function createS3EvidenceStore(settings: S3EvidenceSettings, limits: EvidenceLimits): EvidenceStore {
  const s3 = new S3Client({
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

  const markerOf = (sha256: string): string => `${MARKERS}${keyOf(sha256)}`;

  async function* listed(Prefix: string): AsyncIterable<{ key: string; size: number; lastModified: Date }> {
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, ...(ContinuationToken ? { ContinuationToken } : {}) }));
      for (const object of page.Contents ?? []) {
        // A time unknown counts as now: the clean-up then leaves the object for a later run.
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date() };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken !== undefined);
  }

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
      if (await has(file.sha256)) {
        // The object is not rewritten; a marker records this upload, for the clean-up's grace period.
        await s3.send(new PutObjectCommand({ Bucket, Key: markerOf(file.sha256), Body: Buffer.alloc(0), ContentLength: 0 }));
        return file;
      }
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
      const files: StoredEvidence[] = [];
      for await (const object of listed('sha256/')) {
        const sha256 = sha256OfKey(object.key);
        if (sha256 !== undefined) files.push({ sha256, size: object.size, storedAt: object.lastModified });
      }
      // Markers after the files: an upload during the listing is then seen rather than missed.
      const uploadedAgain = new Map<string, Date>();
      for await (const marker of listed(MARKERS)) {
        const sha256 = sha256OfKey(marker.key.slice(MARKERS.length));
        if (sha256 !== undefined) uploadedAgain.set(sha256, marker.lastModified);
      }
      for (const file of files) {
        const again = uploadedAgain.get(file.sha256);
        yield again !== undefined && again > file.storedAt ? { ...file, storedAt: again } : file;
      }
    },
    async remove(sha256) {
      await s3.send(new DeleteObjectCommand({ Bucket, Key: keyOf(sha256) }));
      await s3.send(new DeleteObjectCommand({ Bucket, Key: markerOf(sha256) }));
    },
  };
}
