import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HashChainedEventStore } from '../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { recordUpgradeLog } from '../test/support/upgrade-log';
import { EVENT_LOG_FIXTURE_DIR, toFixtureLine } from '../test/support/event-log-fixture';

/**
 * `npm run export:event-log [-- <name>]` writes the upgrade history (test/support/upgrade-log.ts), as the
 * code of this checkout writes it, into `test/fixtures/event-logs/<name>.jsonl` (default: `current`):
 * one stored event per line, hash-chain links included, exactly as the store holds it. Run it on a
 * release before changing an event's schema and keep the file: the upcasting tests read it as that
 * release's log. Never regenerate a kept release's file.
 */
async function main(): Promise<void> {
  const name = process.argv[2] ?? 'current';
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`Not a fixture name: ${name}`);
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' }));
  try {
    for (const event of recordUpgradeLog()) {
      const { id, type, data, metadata } = event;
      await store.append(event.stream, [{ id, type, data, metadata }], event.revision === 0 ? 'no-stream' : event.revision - 1);
    }
    const stored = await store.readAll();
    const file = join(EVENT_LOG_FIXTURE_DIR, `${name}.jsonl`);
    writeFileSync(file, stored.map(toFixtureLine).join(''));
    process.stdout.write(`${stored.length} events written to ${file}\n`);
  } finally {
    await store.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
