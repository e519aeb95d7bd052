import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../config/config';
import { backupSqliteTogether, copyEvidence } from './backup/copy';
import {
  COPIED_TOGETHER,
  EVIDENCE_FOLDER,
  KEYS_NOT_COPIED,
  MANIFEST_FILE,
  S3_EVIDENCE_NOT_COPIED,
  SQLITE_FILES,
  SQLITE_FILES_LEFT_OUT,
  type Manifest,
  type ManifestFile,
} from './backup/manifest';
import { runToCompletion } from './output';

/**
 * `npm run backup -- --to <folder>`: a consistent copy of the embedded office's data while it runs —
 * every SQLite database of the data folder (but the verification marks and the as-of snapshots, see SQLITE_FILES_LEFT_OUT)
 * through SQLite's online backup API, the evidence files (when they are kept in the
 * data folder; a bucket's are backed up by the bucket, as the manifest says), and a manifest of what
 * was copied with each file's SHA-256. The folder is new, empty, or an earlier backup (its evidence
 * files are kept, the databases replaced). The manifest is written last: a folder without one is an
 * interrupted backup, which restore refuses. Exit 0 done, 2 could not back up.
 */
class UsageError extends Error {}

function targetOf(argv: string[]): string {
  const i = argv.indexOf('--to');
  const to = i >= 0 ? argv[i + 1] : undefined;
  if (!to || to.startsWith('--') || argv.length !== 2) throw new UsageError('usage: npm run backup -- --to <folder>');
  return resolve(to);
}

async function main(): Promise<number> {
  const config = loadConfig();
  const to = targetOf(process.argv.slice(2));
  if (config.eventStore.kind !== 'sqlite') {
    throw new UsageError('EVENTSTORE is eventstoredb: its log is backed up with EventStoreDB’s own tools; this command copies the embedded office');
  }
  const dataDir = config.dataDir;
  if (to === dataDir || to.startsWith(`${dataDir}/`) || dataDir.startsWith(`${to}/`)) throw new UsageError(`--to: ${to} overlaps DATA_DIR (${dataDir})`);
  if (existsSync(to) && readdirSync(to).length > 0 && !existsSync(join(to, MANIFEST_FILE))) {
    throw new UsageError(`--to: ${to} is neither empty nor an earlier backup (no ${MANIFEST_FILE})`);
  }
  mkdirSync(to, { recursive: true });
  // Until the new manifest is written the folder is an interrupted backup, not the earlier one.
  rmSync(join(to, MANIFEST_FILE), { force: true });
  const startedAt = new Date();
  const started = performance.now();
  const files: ManifestFile[] = [];
  const absent: string[] = [];
  let eventStore: Manifest['eventStore'] = { lastPosition: null, events: 0 };
  // Every database of the folder: any not known by name first, then the known ones in their order, which
  // ends with Temporal's and the event store, copied as of one instant (see COPIED_TOGETHER).
  const known: readonly string[] = SQLITE_FILES;
  const others = readdirSync(dataDir)
    .filter((name) => name.endsWith('.db') && !known.includes(name) && !(name in SQLITE_FILES_LEFT_OUT))
    .sort();
  const present = (name: string): boolean => {
    if (existsSync(join(dataDir, name))) return true;
    absent.push(name);
    rmSync(join(to, name), { force: true });
    return false;
  };
  const together: readonly string[] = COPIED_TOGETHER;
  const alone = [...others, ...known.filter((name) => !together.includes(name))].filter(present);
  const batches = [...alone.map((name) => [name]), together.filter(present)].filter((batch) => batch.length > 0);
  for (const batch of batches) {
    const copies = await backupSqliteTogether(batch.map((name) => ({ source: join(dataDir, name), target: join(to, name) })));
    for (const [i, copied] of copies.entries()) {
      files.push(copied.file);
      if (copied.events !== undefined) eventStore = { lastPosition: copied.lastPosition ?? null, events: copied.events };
      process.stdout.write(`copied ${batch[i]} (${copied.file.bytes.toLocaleString('en-US')} bytes)\n`);
    }
  }
  if (!files.some((f) => f.path === 'events.db')) throw new Error(`no event store at ${join(dataDir, 'events.db')}: nothing to back up`);
  const evidenceSettings = config.evidence.store;
  let evidenceStore: Manifest['evidenceStore'] = { kind: 'fs' };
  if (evidenceSettings.kind === 's3') {
    // Said in the manifest, not skipped in silence: whoever restores must know where the files are.
    const { bucket, endpoint } = evidenceSettings;
    evidenceStore = { kind: 's3', bucket, ...(endpoint ? { endpoint } : {}), note: S3_EVIDENCE_NOT_COPIED };
    process.stdout.write(`${S3_EVIDENCE_NOT_COPIED} (bucket ${bucket}${endpoint ? ` at ${endpoint}` : ''})\n`);
  } else {
    const evidence = await copyEvidence(dataDir, to, EVIDENCE_FOLDER);
    files.push(...evidence.files);
    process.stdout.write(`evidence: ${evidence.files.length} files, ${evidence.copied} copied now, ${evidence.files.length - evidence.copied} already in the backup\n`);
  }
  const manifest: Manifest = {
    format: 'cloud-office-backup',
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    source: dataDir,
    eventStore,
    files,
    absent,
    notCopied: KEYS_NOT_COPIED,
    evidenceStore,
  };
  writeFileSync(join(to, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`backup of ${dataDir} in ${to}: ${eventStore.events} events up to position ${eventStore.lastPosition ?? 'none'}, ${files.length} files, ${seconds.toFixed(2)} s\n`);
  if (absent.length > 0) process.stdout.write(`not present in DATA_DIR, so not in the backup: ${absent.join(', ')}\n`);
  for (const name of Object.keys(SQLITE_FILES_LEFT_OUT)) {
    if (existsSync(join(dataDir, name))) process.stdout.write(`${SQLITE_FILES_LEFT_OUT[name]}\n`);
  }
  process.stdout.write(`${KEYS_NOT_COPIED}\n`);
  return 0;
}

runToCompletion(main, (err) => {
  process.stderr.write(`${err instanceof UsageError ? '' : 'backup failed: '}${(err as Error).message}\n`);
  return 2;
});
