import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { verifyStore } from '../eventstore/integrity/verify-store';

/**
 * `npm run verify`: recomputes every stream's hash chain in the configured event store and reports each
 * broken stream with the first position that is wrong and what is wrong there. Exit 0 intact, 1 broken.
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const store = await createEventStore(config.eventStore);
  try {
    const tty = process.stderr.isTTY;
    const result = await verifyStore(store, (n) => tty && process.stderr.write(`\rverified ${n.toLocaleString('en-US')} events`));
    if (tty) process.stderr.write('\n');
    process.stdout.write(`${result.events} events in ${result.streams} streams checked\n`);
    if (result.breaks.length === 0) {
      process.stdout.write('history intact: every stream hash chain recomputes\n');
      return 0;
    }
    for (const b of result.breaks) process.stdout.write(`BROKEN ${b.stream} at revision ${b.revision}: ${b.problem} (${b.detail})\n`);
    return 1;
  } finally {
    await store.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`verify failed: ${(err as Error).message}\n`);
    process.exit(2);
  });
