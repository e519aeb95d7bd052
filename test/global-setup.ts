import { ensureBinary } from '../config/temporal-binaries';

/** The workflow and integration tiers need both Temporal binaries; install them once, up front. */
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_CLI_PATH ??= ensureBinary('cli');
  process.env.TEMPORAL_TEST_SERVER_PATH ??= ensureBinary('testServer');
  if (!process.env.EVENTSTORE_URL) {
    // Jest hides the console of a suite whose tests are all skipped; say it here, where it is seen.
    process.stdout.write(
      '\nEventStoreDB contract suite skipped: EVENTSTORE_URL is not set (no EventStoreDB server on this machine; ' +
        '`docker run --rm -p 127.0.0.1:2113:2113 eventstore/eventstore:24.10 --insecure` starts a throwaway one, then ' +
        'EVENTSTORE_URL=esdb://127.0.0.1:2113?tls=false npm test)\n',
    );
  }
}
