/**
 * Goal: a NOC's whole lifecycle (request, review, recommendation, decision, expiry) runs at no less
 * than half the rate of a bare Temporal workflow doing the same to the engine (an update-with-start
 * answered after the first step, three updates, a timer, each with an activity that does nothing), on the same dev server in the same run, at the
 * same concurrency. The NOCs go through the API's gateways (sealed commands) to the app's real worker
 * (worker/create-worker.ts) on the hash-chained SQLite event store; each is approved for a few seconds
 * so its expiry timer fires and its process ends. The baseline runs on its own task queue, after.
 *
 * Sizes: LIFECYCLES (default 100 × BENCH_SCALE), LIFECYCLE_CONCURRENCY (20), LIFECYCLE_VALIDITY_MS (2000).
 */
import { join } from 'node:path';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import pino from 'pino';
import { trustedKeyOf } from '../config/command-keys';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { HashChainedEventStore } from '../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { devServerEnv, quietBundlerLogger } from '../test/support/temporal';
import { appBundleOptions, createAppWorker } from '../worker/create-worker';
import { nocWorkflowId } from '../workflows/noc/messages';
import { benchCommandKeyPem, BENCH_NAMESPACE, cpuSecondsOf, devServerPid, inPool, millis, nocSteps, percentile, resent, seconds } from './noc-driver';
import { registerBench, type BenchContext } from './registry';
import { createBareActivities } from './workflows/bare-activities';
import { bareStarted, bareStep, type bareLifecycleWorkflow } from './workflows/bare-lifecycle.workflow';

const RATIO_GOAL = 0.5;
const positive = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
  return value;
};

interface Run {
  perSecond: number;
  wallMs: number;
  /** CPU seconds per lifecycle: this process (client, gateways, worker, store) and the dev server; less noisy than wall time on a shared machine. */
  cpuHere: number;
  cpuServer: number;
  /** Per lifecycle, from its first call to its process's end. */
  p50Ms: number;
  p99Ms: number;
}

/** Runs `count` lifecycles, `concurrency` at a time; the rate is lifecycles per second of wall time. */
async function measure(count: number, concurrency: number, lifecycle: () => Promise<void>): Promise<Run> {
  const durations: number[] = [];
  const server = devServerPid();
  const serverBefore = cpuSecondsOf(server);
  const hereBefore = process.cpuUsage();
  const began = performance.now();
  await inPool(Array.from({ length: count }), concurrency, async () => {
    const started = performance.now();
    await lifecycle();
    durations.push(performance.now() - started);
  });
  const wallMs = performance.now() - began;
  const here = process.cpuUsage(hereBefore);
  const cpuHere = (here.user + here.system) / 1e6 / count;
  const cpuServer = (cpuSecondsOf(server) - serverBefore) / count;
  return { perSecond: (count * 1000) / wallMs, wallMs, cpuHere, cpuServer, p50Ms: percentile(durations, 50), p99Ms: percentile(durations, 99) };
}

async function lifecycleBench({ scale, tmpDir, log, goal }: BenchContext): Promise<void> {
  const count = Math.max(10, Math.round(positive('LIFECYCLES', 100) * scale));
  const concurrency = Math.round(positive('LIFECYCLE_CONCURRENCY', 20));
  const validityMs = Math.round(positive('LIFECYCLE_VALIDITY_MS', 2000));
  const keyPem = benchCommandKeyPem();
  const trusted = [trustedKeyOf(createPublicKey(createPrivateKey(keyPem)))];

  const env = await devServerEnv(BENCH_NAMESPACE);
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(tmpDir, 'lifecycle-events.db') }));
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  try {
    const [appBundle, bareBundle] = await Promise.all([
      bundleWorkflowCode({ ...appBundleOptions({ trustedCommandKeys: trusted, crashPoints: false }), logger: quietBundlerLogger }),
      bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/bare-lifecycle.workflow'), logger: quietBundlerLogger }),
    ]);
    const appWorker = await createAppWorker({
      connection: env.nativeConnection,
      namespace: BENCH_NAMESPACE,
      taskQueue: 'bench-noc',
      eventStore: store,
      logger: pino({ level: 'silent' }),
      trustedCommandKeys: trusted,
      workflowBundle: appBundle,
    });
    const bareWorker = await Worker.create({
      connection: env.nativeConnection,
      namespace: BENCH_NAMESPACE,
      taskQueue: 'bench-bare',
      workflowBundle: bareBundle,
      activities: createBareActivities(),
    });
    for (const worker of [appWorker, bareWorker]) workers.push({ worker, running: worker.run() });

    const steps = await nocSteps(env.client, keyPem, 'bench-noc', store);
    // Where each lifecycle spends its time, step by step (the last: from the last update's answer to the process's end).
    const STEPS = ['request', 'review', 'recommend', 'decide', 'expiry and end'] as const;
    type Step = (typeof STEPS)[number];
    const nocStepMs = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    const bareStepMs = new Map<Step, number[]>(STEPS.map((s) => [s, []]));
    const timed = async <T>(into: Map<Step, number[]>, step: Step, fn: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await fn();
      into.get(step)?.push(performance.now() - started);
      return result;
    };
    const nocLifecycle = async (): Promise<void> => {
      const t = <T>(step: Step, fn: () => Promise<T>): Promise<T> => timed(nocStepMs, step, fn);
      const nocId = await t('request', () => steps.request());
      await t('review', () => steps.review(nocId));
      await t('recommend', () => steps.recommend(nocId));
      await t('decide', () => steps.approve(nocId, new Date(Date.now() + validityMs).toISOString()));
      const outcome = await t('expiry and end', () => env.client.workflow.getHandle(nocWorkflowId(nocId)).result());
      if (outcome.state.status !== 'expired') throw new Error(`NOC ${nocId} ended ${outcome.state.status}, not expired`);
    };
    let bareCount = 0;
    const bareLifecycle = async (): Promise<void> => {
      const t = <T>(step: Step, fn: () => Promise<T>): Promise<T> => timed(bareStepMs, step, fn);
      const workflowId = `bare-${process.pid}-${++bareCount}`;
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof bareLifecycleWorkflow>('bareLifecycleWorkflow', {
        workflowId,
        taskQueue: 'bench-bare',
        workflowIdConflictPolicy: 'FAIL',
      });
      await t('request', () => env.client.workflow.executeUpdateWithStart(bareStarted, { startWorkflowOperation }));
      const handle = env.client.workflow.getHandle<typeof bareLifecycleWorkflow>(workflowId);
      await t('review', () => handle.executeUpdate(bareStep, { args: [{}] }));
      await t('recommend', () => handle.executeUpdate(bareStep, { args: [{}] }));
      await t('decide', () => handle.executeUpdate(bareStep, { args: [{ until: Date.now() + validityMs }] }));
      if ((await t('expiry and end', () => handle.result())) !== 3) throw new Error('The bare lifecycle ended with other than three steps');
    };

    // A few of each first, so neither side pays for the workers' cold start.
    await measure(concurrency, concurrency, nocLifecycle);
    await measure(concurrency, concurrency, bareLifecycle);
    for (const samples of [...nocStepMs.values(), ...bareStepMs.values()]) samples.length = 0;
    const resentBefore = resent.count;
    const noc = await measure(count, concurrency, nocLifecycle);
    const bare = await measure(count, concurrency, bareLifecycle);
    const ratio = noc.perSecond / bare.perSecond;
    const line = (name: string, r: Run): string =>
      `   ${name} ${r.perSecond.toFixed(2)} lifecycles/s (${count} in ${seconds(r.wallMs)}; one lifecycle p50 ${seconds(r.p50Ms)}, p99 ${seconds(r.p99Ms)}; CPU per lifecycle ${millis(r.cpuHere * 1000)} here, ${millis(r.cpuServer * 1000)} dev server)`;
    log(`   ${count} lifecycles each, ${concurrency} at a time, validity/timer ${validityMs} ms, one dev server`);
    log(line('NOC (gateways, app worker, SQLite store):', noc));
    log(line('bare workflow (no-op activities):        ', bare));
    const perStep = (ms: Map<Step, number[]>): string => STEPS.map((step) => `${step} ${millis(percentile(ms.get(step) ?? [], 50))}`).join(', ');
    log(`   steps p50, NOC:  ${perStep(nocStepMs)}`);
    log(`   steps p50, bare: ${perStep(bareStepMs)}`);
    log(`   ${resent.count - resentBefore} NOC commands resent after UNAVAILABLE`);
    log(`   goal: NOC rate ≥ ${RATIO_GOAL} × bare rate; ratio ${ratio.toFixed(2)}: ${ratio >= RATIO_GOAL ? 'met' : 'NOT met'}`);
    goal({
      goal: 4,
      what: `a NOC's whole lifecycle ≥ ${RATIO_GOAL}× a bare workflow's with the same updates and no-op activities (${count}, ${concurrency} at a time)`,
      figure: `${noc.perSecond.toFixed(2)} lifecycles/s`,
      baseline: `bare ${bare.perSecond.toFixed(2)} lifecycles/s`,
      ratio: `×${ratio.toFixed(2)}`,
      met: ratio >= RATIO_GOAL,
    });
  } finally {
    for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all(workers.map((w) => w.running));
    await store.close();
    await env.teardown();
  }
}

registerBench('noc lifecycle vs bare workflow', lifecycleBench);
