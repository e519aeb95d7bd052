import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { createEventStore } from '../eventstore';
import { openReadModelDb } from './db';
import { allProjections } from './index';
import { ProjectionRunner } from './runner';

/**
 * `tsx projections/rebuild.ts [name]`: projects the whole log again for one read model (all of them
 * without a name) into a scratch file beside the read models, swaps the rebuilt tables in with their
 * checkpoints in one transaction (projections/fresh-rebuild.ts), then exits. Readers keep the old rows
 * until the swap. A projector running at the same time notices the moved checkpoint and re-applies what
 * followed it; both commit under the write lock with a checkpoint check, so no event is applied twice.
 * Notifications already sent are not sent again (see projections/mail/dispatcher.ts).
 */
async function main(): Promise<void> {
  const name = process.argv[2];
  const config = loadConfig();
  const logger = createLogger('rebuild', config.logLevel);
  const projections = allProjections();
  if (name !== undefined && !projections.some((p) => p.name === name)) {
    console.error(`No projection named ${name}. Known: ${projections.map((p) => p.name).join(', ')}`);
    process.exit(2);
  }
  const store = await createEventStore(config.eventStore, { pollMs: config.projectionPollMs });
  const db = openReadModelDb(config.readModelPath);
  const runner = new ProjectionRunner({ store, db, projections, logger });
  const started = performance.now();
  try {
    await runner.rebuild(name);
    const status = await runner.status();
    const seconds = (performance.now() - started) / 1000;
    for (const s of status) console.log(`${s.name} v${s.version}: at ${s.position ?? 'start'}, ${s.lag} behind`);
    console.log(`Rebuilt ${name ?? 'all projections'} in ${seconds.toFixed(1)} s`);
  } finally {
    await runner.stop();
    await store.close();
    db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
