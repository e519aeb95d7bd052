/**
 * What each open NOC costs the worker in memory (issue 15, goal 5: RSS ≤ 1 GB with 10,000 open NOCs).
 * The app worker runs in this process as worker/main.ts builds it (reuseV8Context, its workflow thread),
 * on the Temporal dev server and the hash-chained SQLite store; NOCs are requested and taken into review
 * through the API's gateways (bench/noc-driver.ts), 20 at a time, so each stays open and cached. The
 * process's RSS is read at each stage; the cost of one NOC is the RSS added between the first stage and
 * the last, over the NOCs added (the first stage absorbs the worker's warm-up).
 *
 * Size: WORKER_MEMORY_STAGES, NOC counts in increasing order (default 50,200).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { Worker } from '@temporalio/worker';
import { trustedKeyOf } from '../config/command-keys';
import { HashChainedEventStore, openSqliteEventStore } from '../eventstore';
import { devServerEnv } from '../test/support/temporal';
import { createAppWorker } from '../worker/create-worker';
import { benchCommandKeyPem, BENCH_NAMESPACE, inPool, megabytes, nocSteps, seconds } from './noc-driver';
import { registerBench, type BenchContext } from './registry';

const TASK_QUEUE = 'bench-memory';

function stagesFrom(value: string | undefined): number[] {
  const stages = (value ?? '50,200').split(',').map(Number);
  if (stages.length < 2 || stages.some((n, i) => !Number.isInteger(n) || n <= 0 || (i > 0 && n <= (stages[i - 1] as number)))) {
    throw new Error(`WORKER_MEMORY_STAGES must be two or more increasing NOC counts, got ${value}`);
  }
  return stages;
}

async function workerMemoryBench({ tmpDir, log }: BenchContext): Promise<void> {
  const stages = stagesFrom(process.env.WORKER_MEMORY_STAGES);
  const keyPem = benchCommandKeyPem();
  const env = await devServerEnv(BENCH_NAMESPACE);
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(tmpDir, 'memory-events.db') }));
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    worker = await createAppWorker({
      connection: env.nativeConnection,
      namespace: BENCH_NAMESPACE,
      taskQueue: TASK_QUEUE,
      eventStore: store,
      logger: pino({ level: 'silent' }),
      trustedCommandKeys: [trustedKeyOf(createPublicKey(createPrivateKey(keyPem)))],
    });
    running = worker.run();
    const steps = await nocSteps(env.client, keyPem, TASK_QUEUE, store);
    const started = performance.now();
    const rss: number[] = [];
    let open = 0;
    for (const target of stages) {
      await inPool(
        Array.from({ length: target - open }, (_, i) => i),
        20,
        async () => {
          await steps.review(await steps.request());
        },
      );
      open = target;
      // Let the last tasks' garbage settle a little, as it would between tasks in production.
      await new Promise((r) => setTimeout(r, 2000));
      rss.push(process.memoryUsage().rss);
      log(`   ${target} NOCs open (${seconds(performance.now() - started)}): RSS ${megabytes(rss.at(-1) as number)}, ${worker.getStatus().numCachedWorkflows} workflows cached`);
    }
    const first = stages[0] as number;
    const last = stages.at(-1) as number;
    const perNoc = ((rss.at(-1) as number) - (rss[0] as number)) / (last - first);
    log(`   each open NOC: ${(perNoc / 2 ** 20).toFixed(2)} MB of RSS (${first} → ${last} NOCs); 10,000 would take about ${megabytes(perNoc * 10_000)}`);
  } finally {
    worker?.shutdown();
    await running;
    await store.close();
    await env.teardown();
  }
}

registerBench('worker-memory', workerMemoryBench);
