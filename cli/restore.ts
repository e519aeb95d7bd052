import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { KEYS_NOT_COPIED, Manifest, MANIFEST_FILE, sha256OfFile } from './backup/manifest';
import { runToCompletion } from './output';

/**
 * `npm run restore -- --from <backup folder> --to <data dir>`: checks every file of the backup against
 * the SHA-256 its manifest recorded, then copies them into a data folder that must not exist yet or be
 * empty (a restore never mixes with or overwrites live data). Nothing is copied unless every file
 * checks. Exit 0 restored, 1 the backup does not match its manifest, 2 could not restore.
 */
class UsageError extends Error {}

function argsOf(argv: string[]): { from: string; to: string } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    const v = i >= 0 ? argv[i + 1] : undefined;
    return v && !v.startsWith('--') ? v : undefined;
  };
  const from = value('--from');
  const to = value('--to');
  if (!from || !to || argv.length !== 4) throw new UsageError('usage: npm run restore -- --from <backup folder> --to <data dir>');
  return { from: resolve(from), to: resolve(to) };
}

async function main(): Promise<number> {
  const { from, to } = argsOf(process.argv.slice(2));
  if (existsSync(to) && readdirSync(to).length > 0) throw new UsageError(`--to: ${to} is not empty; restore only into a new or empty folder`);
  const manifestPath = join(from, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new UsageError(`--from: ${from} has no ${MANIFEST_FILE} (not a backup, or an interrupted one)`);
  const parsed = Manifest.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
  if (!parsed.success) throw new UsageError(`--from: ${manifestPath} is not a backup manifest: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;
  const started = performance.now();
  const mismatches: string[] = [];
  for (const file of manifest.files) {
    const path = join(from, file.path);
    if (!existsSync(path)) mismatches.push(`${file.path}: missing`);
    else if ((await sha256OfFile(path)) !== file.sha256) mismatches.push(`${file.path}: SHA-256 differs from the manifest`);
  }
  if (mismatches.length > 0) {
    for (const m of mismatches) process.stdout.write(`MISMATCH ${m}\n`);
    process.stdout.write(`nothing restored: ${mismatches.length} of ${manifest.files.length} files do not match the manifest\n`);
    return 1;
  }
  for (const file of manifest.files) {
    const target = join(to, file.path);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(from, file.path), target);
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `restored ${manifest.files.length} files (${manifest.eventStore.events} events up to position ${manifest.eventStore.lastPosition ?? 'none'}, backup of ${manifest.finishedAt}) into ${to} in ${seconds.toFixed(2)} s\n`,
  );
  process.stdout.write(`${KEYS_NOT_COPIED}: point AUDIT_SIGNING_KEY_FILE, MFA_ENCRYPTION_KEY_FILE and COMMAND_SIGNING_KEY_FILE at them\n`);
  if (manifest.evidenceStore?.kind === 's3') process.stdout.write(`${manifest.evidenceStore.note}: set EVIDENCE_S3_BUCKET=${manifest.evidenceStore.bucket} again\n`);
  return 0;
}

runToCompletion(main, (err) => {
  process.stderr.write(`${err instanceof UsageError ? '' : 'restore failed: '}${(err as Error).message}\n`);
  return 2;
});
