import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { allProjections } from '../projections';
import { rebuildAsOf } from '../projections/as-of';
import { openReadModelDb } from '../projections/db';
import { modelAsJsonChunks, tableAsCsvChunks, tablesOf } from '../projections/model-dump';
import { runToCompletion, writeOutput } from './output';

/**
 * `npm run replay -- --as-of <instant|now> --model <read model> [--format json|csv|sqlite] [--out PATH]`
 * rebuilds one read model, as the office knew it at an instant, into a separate output; the live read
 * models are never touched. json goes to stdout unless --out; csv writes one file per table into the
 * --out folder; sqlite writes a database file at --out.
 */
const models = allProjections().map((p) => p.name);

const Args = z
  .object({
    'as-of': z.string().refine((v) => v === 'now' || z.iso.datetime({ offset: true }).safeParse(v).success, {
      message: 'an ISO-8601 instant (e.g. 2026-06-30T23:59:59Z) or "now"',
    }),
    model: z.enum(models as [string, ...string[]], { message: `one of ${models.join(', ')}` }),
    format: z.enum(['json', 'csv', 'sqlite']).default('json'),
    out: z.string().min(1).optional(),
  })
  .refine((a) => a.format === 'json' || a.out !== undefined, { message: 'required for csv (a folder) and sqlite (a file)', path: ['out'] });

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (!flag.startsWith('--')) throw new UsageError(`unexpected argument ${flag}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag}: needs a value`);
    out[flag.slice(2)] = value;
    i += 1;
  }
  return out;
}

class UsageError extends Error {}

function progressBar(events: number, total?: number): string {
  if (!total) return `\rreplayed ${events.toLocaleString('en-US')} events`;
  const share = Math.min(1, events / total);
  const filled = Math.round(share * 30);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${events.toLocaleString('en-US')} events`;
}

async function main(): Promise<number> {
  const parsed = Args.safeParse(parseArgs(process.argv.slice(2)));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`--${issue.path.join('.')}: ${issue.message}\n`);
    return 2;
  }
  const args = parsed.data;
  const config = loadConfig();
  const projection = allProjections().find((p) => p.name === args.model);
  if (!projection) return 2;
  if (args.format === 'sqlite' && args.out && existsSync(args.out)) {
    process.stderr.write(`--out: ${args.out} exists; the replay writes a new database and never overwrites\n`);
    return 2;
  }
  const store = await createEventStore(config.eventStore);
  const db = openReadModelDb(args.format === 'sqlite' ? (args.out as string) : ':memory:');
  try {
    const tty = process.stderr.isTTY;
    const result = await rebuildAsOf(store, [projection], db, {
      asOf: args['as-of'] === 'now' ? undefined : args['as-of'],
      onProgress: ({ events, total }) => {
        if (tty) process.stderr.write(progressBar(events, total));
      },
    });
    if (tty) process.stderr.write('\n');
    process.stderr.write(`${projection.name} as of ${args['as-of']}: ${result.events} events replayed\n`);
    if (args.format === 'json') await writeOutput(modelAsJsonChunks(db, projection), args.out);
    else if (args.format === 'csv') {
      mkdirSync(args.out as string, { recursive: true });
      for (const table of tablesOf(projection)) await writeOutput(tableAsCsvChunks(db, table), join(args.out as string, `${table}.csv`));
    }
    return 0;
  } finally {
    db.close();
    await store.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`${err instanceof UsageError ? '' : 'replay failed: '}${(err as Error).message}\n`);
  return err instanceof UsageError ? 2 : 1;
});
