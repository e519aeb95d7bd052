import { MOTO, ensureMotoServer } from '../config/moto-server';
import { SCHEMATHESIS, ensureSchemathesis } from '../config/schemathesis';
import { ensureBinary } from '../config/temporal-binaries';

/**
 * `npm run setup`: makes sure both Temporal binaries, the API fuzzer and the S3-compatible test server
 * are at hand, installing them when needed.
 */
for (const which of ['cli', 'testServer'] as const) {
  try {
    const path = ensureBinary(which);
    console.log(`${which === 'cli' ? 'Temporal CLI' : 'Temporal test server'}: ${path}`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
try {
  const { env } = ensureSchemathesis();
  console.log(`Schemathesis ${SCHEMATHESIS.version}: ${env.PYTHONPATH?.split(':')[0]}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
try {
  const { env } = ensureMotoServer();
  console.log(`moto server ${MOTO.version}: ${env.PYTHONPATH?.split(':')[0]}`);
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
