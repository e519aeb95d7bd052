import { ensureBinary } from '../config/temporal-binaries';

/** The workflow and integration tiers need both Temporal binaries; install them once, up front. */
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_CLI_PATH ??= ensureBinary('cli');
  process.env.TEMPORAL_TEST_SERVER_PATH ??= ensureBinary('testServer');
}
