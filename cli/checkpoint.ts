import { loadConfig } from '../config/config';
import { createEventStore } from '../eventstore';
import { Checkpointer } from '../eventstore/integrity/checkpoint';
import { loadAuditSigner } from '../eventstore/integrity/signing';
import { runToCompletion } from './output';

/** `npm run checkpoint`: signs a checkpoint of the log now (the worker also does so at an interval). */
async function main(): Promise<number> {
  const config = loadConfig();
  const store = await createEventStore(config.eventStore);
  try {
    const signer = loadAuditSigner({ pem: config.audit.signingKeyPem, file: config.audit.signingKeyFile });
    const checkpoint = await new Checkpointer(store, signer).checkpoint(new Date().toISOString());
    process.stdout.write(
      `checkpoint ${checkpoint.sequence} signed by key ${checkpoint.keyId}: ${checkpoint.events} events in ${checkpoint.streams} streams up to ${checkpoint.logPosition}, root ${checkpoint.root}\n`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

runToCompletion(main, (err) => {
  process.stderr.write(`checkpoint failed: ${(err as Error).message}\n`);
  return 1;
});
