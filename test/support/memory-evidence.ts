import { Readable } from 'node:stream';
import { admitEvidence, sha256Of } from '../../evidence/admit';
import type { EvidenceStore, StoredEvidence } from '../../evidence/port';

/** The evidence store port in memory, for API tests that need files but no folder: same checks, no disk. */
export function memoryEvidenceStore(maxBytes: number): EvidenceStore & { files: Map<string, Buffer> } {
  const files = new Map<string, Buffer>();
  const storedAt = new Map<string, Date>();
  return {
    kind: 'memory',
    files,
    async put(content, declared) {
      const file = admitEvidence(content, declared, { maxBytes });
      if (!files.has(file.sha256)) {
        files.set(file.sha256, Buffer.from(content));
        storedAt.set(file.sha256, new Date());
      }
      return file;
    },
    has: async (sha256) => files.has(sha256),
    read: async (sha256) => files.get(sha256),
    async open(sha256) {
      const content = files.get(sha256);
      return content === undefined ? undefined : Readable.from([content]);
    },
    async check(sha256) {
      const content = files.get(sha256);
      if (content === undefined) return 'missing';
      return sha256Of(content) === sha256 ? 'intact' : 'altered';
    },
    async *list(): AsyncIterable<StoredEvidence> {
      for (const [sha256, content] of files) yield { sha256, size: content.length, storedAt: storedAt.get(sha256) ?? new Date() };
    },
    remove: async (sha256) => {
      files.delete(sha256);
    },
  };
}
