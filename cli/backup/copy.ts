import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_STORE_FILE, sha256OfFile, type ManifestFile } from './manifest';

/**
 * Copies a live SQLite database with SQLite's online backup API. The whole copy is one step, so it
 * reads one snapshot under one read transaction: in WAL mode writers in other processes carry on, and
 * no write made meanwhile can restart it. The copy is switched to a rollback journal, so it is one
 * self-contained file (the office turns WAL back on when it opens it).
 */
export async function backupSqlite(source: string, target: string): Promise<{ file: ManifestFile; lastPosition?: number | null; events?: number }> {
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new Database(partial);
  let head: { lastPosition: number | null; events: number } | undefined;
  try {
    copy.pragma('journal_mode = DELETE');
    const integrity = copy.pragma('quick_check', { simple: true });
    if (integrity !== 'ok') throw new Error(`the copy of ${source} fails SQLite's check: ${String(integrity)}`);
    if (target.endsWith(EVENT_STORE_FILE)) {
      const row = copy.prepare('SELECT MAX(global_position) AS last, COUNT(*) AS n FROM events').get() as { last: number | null; n: number };
      head = { lastPosition: row.last, events: row.n };
    }
  } finally {
    copy.close();
  }
  renameSync(partial, target);
  const file: ManifestFile = { path: target.split(sep).slice(-1)[0] as string, kind: 'sqlite', bytes: statSync(target).size, sha256: await sha256OfFile(target) };
  return head ? { file, ...head } : { file };
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.tmp-'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Evidence files are content-addressed and never change: a file already in the backup folder (from an
 * earlier backup into it) is kept, only missing ones are copied. Each is hashed as it stands in the
 * backup, so the manifest vouches for what was written.
 */
export async function copyEvidence(sourceRoot: string, targetRoot: string, folder: string): Promise<{ files: ManifestFile[]; copied: number }> {
  const files: ManifestFile[] = [];
  let copied = 0;
  for (const source of filesUnder(join(sourceRoot, folder))) {
    const path = relative(sourceRoot, source).split(sep).join('/');
    const target = join(targetRoot, path);
    if (!existsSync(target)) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(source, `${target}.partial`);
      renameSync(`${target}.partial`, target);
      copied += 1;
    }
    files.push({ path, kind: 'evidence', bytes: statSync(target).size, sha256: await sha256OfFile(target) });
  }
  return { files, copied };
}
