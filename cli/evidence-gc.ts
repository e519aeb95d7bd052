import { z } from 'zod';
import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { collectUnreferencedEvidence } from '../evidence/gc';
import { openEvidenceStore } from '../evidence/open-store';
import { runToCompletion } from './output';

/**
 * `npm run evidence:gc -- [--older-than-hours N] [--dry-run]`: deletes the stored evidence files that no
 * event names and that were stored more than N hours ago (default 24), from the data folder or the
 * bucket, whichever is configured, printing each. The grace period keeps a file uploaded for a case not
 * yet submitted; a dry run prints what would go and deletes nothing. Exit 0 done, 2 could not run.
 */
class UsageError extends Error {}

const USAGE = 'usage: npm run evidence:gc -- [--older-than-hours N] [--dry-run]';

const Args = z.object({
  olderThanHours: z.coerce.number().nonnegative().max(24 * 365 * 100).default(24),
  dryRun: z.boolean(),
});

function argsOf(argv: string[]): z.infer<typeof Args> {
  let olderThanHours: string | undefined;
  let dryRun = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--older-than-hours' && argv[i + 1] !== undefined) olderThanHours = argv[(i += 1)];
    else throw new UsageError(`${arg}: not understood\n${USAGE}`);
  }
  const parsed = Args.safeParse({ olderThanHours, dryRun });
  if (!parsed.success) throw new UsageError(`--older-than-hours: a number of hours, 0 or more\n${USAGE}`);
  return parsed.data;
}

async function main(): Promise<number> {
  const { olderThanHours, dryRun } = argsOf(process.argv.slice(2));
  const config = loadConfig();
  const files = openEvidenceStore(config);
  const events = await createEventStore(config.eventStore);
  try {
    const olderThan = new Date(Date.now() - olderThanHours * 60 * 60 * 1000);
    const verb = dryRun ? 'would remove' : 'removed';
    const result = await collectUnreferencedEvidence(events, files, {
      olderThan,
      dryRun,
      onRemoved: (f) => process.stdout.write(`${verb} ${f.sha256} (${f.size} bytes, stored ${f.storedAt.toISOString()})\n`),
    });
    const where = config.evidence.store.kind === 's3' ? `bucket ${config.evidence.store.bucket}` : `${config.dataDir}/evidence`;
    process.stdout.write(
      `${where}: ${result.stored} files; ${result.referenced} named by a case, ${result.young} unnamed but stored within ${olderThanHours} h (kept), ` +
        `${result.removed.length} unnamed and older ${dryRun ? 'would be removed (dry run: nothing deleted)' : 'removed'}\n`,
    );
    return 0;
  } finally {
    await events.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`${err instanceof UsageError ? '' : 'evidence:gc failed: '}${(err as Error).message}\n`);
  return 2;
});
