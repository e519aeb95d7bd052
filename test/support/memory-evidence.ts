import { createHash } from 'node:crypto';
import { DomainError } from '../../domain/shared/errors';
import type { EvidenceStore } from '../../evidence/port';
import { sniffContentType } from '../../evidence/sniff';

/** The evidence store port in memory, for API tests that need files but no folder: same checks, no disk. */
export function memoryEvidenceStore(maxBytes: number): EvidenceStore & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const hash = (content: Buffer): string => createHash('sha256').update(content).digest('hex');
  return {
    files,
    async put(content, declared) {
      if (content.length > maxBytes) throw new DomainError('EVIDENCE_TOO_LARGE', `at most ${maxBytes} bytes`, 'file');
      if (content.length === 0) throw new DomainError('VALIDATION_FAILED', 'The file is empty', 'file');
      const contentType = sniffContentType(content, declared.contentType);
      if (contentType === undefined) throw new DomainError('EVIDENCE_TYPE_NOT_ALLOWED', 'not an accepted type', 'contentType');
      const sha256 = hash(content);
      if (!files.has(sha256)) files.set(sha256, Buffer.from(content));
      return { sha256, filename: declared.filename, size: content.length, contentType };
    },
    has: async (sha256) => files.has(sha256),
    read: async (sha256) => files.get(sha256),
    async check(sha256) {
      const content = files.get(sha256);
      if (content === undefined) return 'missing';
      return hash(content) === sha256 ? 'intact' : 'altered';
    },
  };
}
