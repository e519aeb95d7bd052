/**
 * A separate process racing on one stream of an event store file, as the worker, the API and the
 * command-line tools do in production. Usage: tsx racing-writer-process.ts <file> <stream> <writers> <revisions> <label> <go-file>.
 * Prints `ready` once its store is open, waits for the go file to exist (so that every process starts
 * racing at once, whatever its start-up took), then prints its tally as JSON.
 */
import { existsSync } from 'node:fs';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { raceOnStream } from './racing-writers';

async function main(): Promise<void> {
  const [path, stream, writers, revisions, label, go] = process.argv.slice(2);
  if (!path || !stream || !writers || !revisions || !label || !go) throw new Error('usage: <file> <stream> <writers> <revisions> <label> <go-file>');
  const store = new HashChainedEventStore(await openSqliteEventStore({ path }));
  try {
    process.stdout.write('ready\n');
    while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 5));
    const tally = await raceOnStream([store], stream, Number(writers), Number(revisions), label);
    process.stdout.write(`${JSON.stringify(tally)}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
