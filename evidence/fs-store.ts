import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../domain/shared/errors';
import { Sha256Hex, type EvidenceFile } from '../domain/shared/evidence-file';
import type { EvidenceLimits, EvidenceStore } from './port';
import { ALLOWED_EVIDENCE_TYPES, sniffContentType } from './sniff';

const sha256Of = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

/**
 * Evidence files under `<dataDir>/evidence/sha256/ab/cdef…`. A file is written to a temporary name in
 * the same folder, flushed, then renamed into place, so a reader sees the whole file or none; a hash
 * already present is not written again.
 */
export function createFsEvidenceStore(dataDir: string, limits: EvidenceLimits): EvidenceStore {
  const root = join(dataDir, 'evidence', 'sha256');
  const pathOf = (sha256: string): string => {
    // The hash becomes a path: anything but 64 hex digits must never reach the filesystem.
    Sha256Hex.parse(sha256);
    return join(root, sha256.slice(0, 2), sha256.slice(2));
  };
  const exists = async (path: string): Promise<boolean> => {
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  };
  const readIfThere = async (path: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };

  async function writeAtomically(path: string, content: Buffer): Promise<void> {
    const folder = join(path, '..');
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `.tmp-${randomUUID()}`);
    const handle = await open(temporary, 'wx', 0o640);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, path);
    } catch (err) {
      await rm(temporary, { force: true });
      throw err;
    }
  }

  return {
    async put(content, declared) {
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
      const sha256 = sha256Of(content);
      const path = pathOf(sha256);
      if (!(await exists(path))) await writeAtomically(path, content);
      const file: EvidenceFile = { sha256, filename: declared.filename, size: content.length, contentType };
      return file;
    },
    has: async (sha256) => exists(pathOf(sha256)),
    read: async (sha256) => readIfThere(pathOf(sha256)),
    async check(sha256) {
      const content = await readIfThere(pathOf(sha256));
      if (content === undefined) return 'missing';
      return sha256Of(content) === sha256 ? 'intact' : 'altered';
    },
  };
}
