import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Sha256Hex } from '../domain/shared/evidence-file';
import { admitEvidence, sha256OfStream } from './admit';
import { sha256OfKey, type EvidenceLimits, type EvidenceStore, type StoredEvidence } from './port';

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Evidence files under `<dataDir>/evidence/sha256/ab/cdef…`. A file is written to a temporary name in
 * the same folder, flushed, then renamed into place, so a reader sees the whole file or none; a hash
 * already present is not written again (its modification time, the `storedAt` the clean-up reads, is
 * moved to the latest upload).
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
      if (isMissing(err)) return false;
      throw err;
    }
  };
  const readIfThere = async (path: string): Promise<Buffer | undefined> => {
    try {
      return await readFile(path);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  };
  const entries = async (dir: string): Promise<string[]> => {
    try {
      return (await readdir(dir)).sort();
    } catch (err) {
      if (isMissing(err)) return [];
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

  async function openIfThere(sha256: string) {
    try {
      const handle = await open(pathOf(sha256), 'r');
      return handle.createReadStream();
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  return {
    kind: 'fs',
    async put(content, declared) {
      const file = admitEvidence(content, declared, limits);
      const path = pathOf(file.sha256);
      if (!(await exists(path))) {
        await writeAtomically(path, content);
      } else {
        // Not rewritten; only its time moves, so a clean-up run does not take a file just handed in again.
        const now = new Date();
        await utimes(path, now, now);
      }
      return file;
    },
    has: async (sha256) => exists(pathOf(sha256)),
    read: async (sha256) => readIfThere(pathOf(sha256)),
    open: openIfThere,
    async check(sha256) {
      const stream = await openIfThere(sha256);
      if (stream === undefined) return 'missing';
      return (await sha256OfStream(stream)) === sha256 ? 'intact' : 'altered';
    },
    async *list(): AsyncIterable<StoredEvidence> {
      for (const prefix of await entries(root)) {
        for (const rest of await entries(join(root, prefix))) {
          // Temporary files of a write in progress are not stored files yet.
          const sha256 = sha256OfKey(`sha256/${prefix}/${rest}`);
          if (sha256 === undefined) continue;
          try {
            const info = await stat(join(root, prefix, rest));
            if (info.isFile()) yield { sha256, size: info.size, storedAt: info.mtime };
          } catch (err) {
            if (!isMissing(err)) throw err;
          }
        }
      }
    },
    remove: async (sha256) => rm(pathOf(sha256), { force: true }),
  };
}
