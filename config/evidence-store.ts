import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { S3EvidenceSettings } from '../evidence/s3-store';

/**
 * Where evidence files are kept: the data folder unless EVIDENCE_S3_BUCKET names a bucket of an
 * S3-compatible store. Credentials come from the AWS SDK's own chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, a profile, an instance role) unless given as secret files here.
 */
export const EvidenceStoreEnv = z.object({
  /** A bucket name (S3's rules: 3–63 lower-case letters, digits, dots and dashes). */
  EVIDENCE_S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3 to 63 lower-case letters, digits, dots and dashes')
    .optional(),
  EVIDENCE_S3_ENDPOINT: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL of an S3-compatible server, e.g. https://s3.example.gov.pk' }).optional(),
  EVIDENCE_S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'a region name, e.g. us-east-1').default('us-east-1'),
  /** Bucket in the path rather than the host name; most S3-compatible servers need it. Default: true with an endpoint, false for AWS. */
  EVIDENCE_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  EVIDENCE_S3_ACCESS_KEY_ID_FILE: z.string().min(1).optional(),
  EVIDENCE_S3_SECRET_ACCESS_KEY_FILE: z.string().min(1).optional(),
});
type EvidenceStoreEnv = z.infer<typeof EvidenceStoreEnv>;

export type EvidenceStoreSettings = { kind: 'fs' } | ({ kind: 's3' } & S3EvidenceSettings);

/** A setting the environment got wrong: the variable and why, never a secret's content. */
export class EvidenceStoreConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`${variable}: ${detail}`);
  }
}

function secret(variable: string, file: string): string {
  let value: string;
  try {
    value = readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new EvidenceStoreConfigError(variable, `cannot read ${file} (${(err as Error).message})`);
  }
  if (value === '') throw new EvidenceStoreConfigError(variable, `${file} is empty`);
  return value;
}

export function evidenceStoreSettings(e: EvidenceStoreEnv): EvidenceStoreSettings {
  const s3Only = (['EVIDENCE_S3_ENDPOINT', 'EVIDENCE_S3_FORCE_PATH_STYLE', 'EVIDENCE_S3_ACCESS_KEY_ID_FILE', 'EVIDENCE_S3_SECRET_ACCESS_KEY_FILE'] as const).filter((v) => e[v] !== undefined);
  if (e.EVIDENCE_S3_BUCKET === undefined) {
    // A half-configured bucket would silently keep files in the data folder instead.
    if (s3Only.length > 0) throw new EvidenceStoreConfigError(s3Only[0] as string, 'set only with EVIDENCE_S3_BUCKET (without it evidence files stay in the data folder)');
    return { kind: 'fs' };
  }
  if (Boolean(e.EVIDENCE_S3_ACCESS_KEY_ID_FILE) !== Boolean(e.EVIDENCE_S3_SECRET_ACCESS_KEY_FILE)) {
    throw new EvidenceStoreConfigError('EVIDENCE_S3_SECRET_ACCESS_KEY_FILE', 'EVIDENCE_S3_ACCESS_KEY_ID_FILE and EVIDENCE_S3_SECRET_ACCESS_KEY_FILE go together');
  }
  const credentials =
    e.EVIDENCE_S3_ACCESS_KEY_ID_FILE && e.EVIDENCE_S3_SECRET_ACCESS_KEY_FILE
      ? {
          accessKeyId: secret('EVIDENCE_S3_ACCESS_KEY_ID_FILE', e.EVIDENCE_S3_ACCESS_KEY_ID_FILE),
          secretAccessKey: secret('EVIDENCE_S3_SECRET_ACCESS_KEY_FILE', e.EVIDENCE_S3_SECRET_ACCESS_KEY_FILE),
        }
      : undefined;
  return {
    kind: 's3',
    bucket: e.EVIDENCE_S3_BUCKET,
    region: e.EVIDENCE_S3_REGION,
    ...(e.EVIDENCE_S3_ENDPOINT ? { endpoint: e.EVIDENCE_S3_ENDPOINT } : {}),
    forcePathStyle: e.EVIDENCE_S3_FORCE_PATH_STYLE === undefined ? e.EVIDENCE_S3_ENDPOINT !== undefined : e.EVIDENCE_S3_FORCE_PATH_STYLE === 'true',
    ...(credentials ? { credentials } : {}),
  };
}
