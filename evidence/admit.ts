import { createHash } from 'node:crypto';
import { DomainError } from '../domain/shared/errors';
import type { EvidenceFile } from '../domain/shared/evidence-file';
import type { EvidenceLimits } from './port';
import { ALLOWED_EVIDENCE_TYPES, sniffContentType } from './sniff';

export const sha256Of = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/**
 * What every store checks before it keeps a file: within the size limit, not empty, of an accepted type
 * (sniffed from the bytes, not taken on trust). Answers the file as the events will record it.
 */
export function admitEvidence(content: Buffer, declared: { filename: string; contentType: string | undefined }, limits: EvidenceLimits): EvidenceFile {
  if (content.length > limits.maxBytes) {
    throw new DomainError('EVIDENCE_TOO_LARGE', `The file has ${content.length} bytes; at most ${limits.maxBytes} are accepted (EVIDENCE_MAX_BYTES)`, 'file');
  }
  if (content.length === 0) throw new DomainError('VALIDATION_FAILED', 'The file is empty', 'file');
  const contentType = sniffContentType(content, declared.contentType);
  if (contentType === undefined) {
    throw new DomainError(
      'EVIDENCE_TYPE_NOT_ALLOWED',
      `The file is none of the accepted types (${ALLOWED_EVIDENCE_TYPES.join(', ')})${declared.contentType ? `; it was declared ${declared.contentType}` : ''}`,
      'contentType',
    );
  }
  return { sha256: sha256Of(content), filename: declared.filename, size: content.length, contentType };
}

/** The SHA-256 of a stream's bytes, read chunk by chunk: a large file is never held whole. */
export async function sha256OfStream(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
