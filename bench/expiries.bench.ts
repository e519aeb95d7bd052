/**
 * Goals, with many NOCs open on one Temporal dev server and their expiries clustered inside one minute:
 * every expiry is recorded within 2 s of its instant (lateness = the NocExpired event's recorded instant
 * − its validUntil, as metrics/timers.ts reads it), the worker's resident memory stays ≤ 1 GB, and a
 * decision is visible in the NOC register read model within 250 ms (p99) while 20 decisions/s run.
 * The dev server's CPU time is reported beside.
 *
 * As in production, the worker (worker/main.ts) and the projector (projections/main.ts) are processes of
 * their own on one data folder; this process drives them through the API's gateways with sealed
 * commands (no HTTP) and reads the read model and the event log as files. Every NOC takes the full way:
 * request, review, recommendation (EXPIRY_CONCURRENCY at a time), then its approval, paced at
 * DECISIONS_PER_SECOND and each timed until its row shows it, valid until a random instant inside the
 * minute that starts once every approval has been answered.
 *
 * The baseline, after, on the same dev server: as many bare workflows (bench/workflows/bare-expiry.workflow.ts),
 * each waiting on a timer until a random instant of a minute of their own, then running one activity that
 * does nothing but note how late it ran, then ending: what a NOC's expiry asks of the engine, without the
 * NOC. What both cost the dev server per expiry, and how late each ran, side by side. EXPIRY_BASELINE_ONLY=1
 * runs the baseline alone.
 *
 * The dev server runs as `npm start` runs it (devServerArgs).
 *
 * Size: EXPIRY_NOCS, else 500 × BENCH_SCALE (`BENCH_SCALE=20 npm run bench -- expiries`: 10,000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { EnvSchema } from '../config/env-schema';
import { devServerCacheArgs, devServerDatabaseArgs } from '../config/temporal-dev-server';
import { timerDueOf } from '../metrics/timers';
import { devServerEnv, quietBundlerLogger } from '../test/support/temporal';
import {
  benchCommandKeyPem,
  BENCH_NAMESPACE,
  cpuSecondsOf,
  devServerPid,
  inPool,
  megabytes,
  millis,
  nocSteps,
  percentile,
  resent,
  rssBytesOf,
  seconds,
} from './noc-driver';
import { registerBench, type BenchContext } from './registry';
import { createBareExpiryActivities } from './workflows/bare-activities';
import type { bareExpiryWorkflow } from './workflows/bare-expiry.workflow';

const ROOT = resolve(__dirname, '..');
const TASK_QUEUE = 'cloud-office';
const BARE_TASK_QUEUE = 'bench-bare-expiry';
const WINDOW_MS = 60_000;
const GOALS = { latenessMs: 2000, workerRssBytes: 2 ** 30, visibleP99Ms: 250 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const positive = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
  return value;
};
const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** Starts one of the app's processes (`script`), its output kept for an error; resolves once `ready` shows in it. */
async function startProcess(script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  await new Promise<void>((ok, fail) => {
    const onData = (chunk: Buffer): void => {
      seen = (seen + chunk.toString()).slice(-8000);
      if (ready.test(seen)) ok();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new Error(`${script} exited (${code}) before it was ready:\n${seen}`)));
  });
  // Keep draining its output so it never blocks on a full pipe.
  child.removeAllListeners('exit');
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

interface ExpiryMinute {
  lateness: number[];
  /** Dev-server CPU seconds from the minute's start until the last expiry ran (or the bench gave up). */
  serverCpu: number;
  wallMs: number;
}

/**
 * The baseline's minute: `count` bare workflows started `concurrency` at a time, each due at a random
 * instant of a minute that starts once they are all started (foreseen from a warm-up batch's pace, with
 * the NOCs' room to spare), on a worker of this process that keeps as many workflows in memory as the app's.
 */
async function bareExpiryMinute(env: TestWorkflowEnvironment, count: number, concurrency: number, serverPid: number): Promise<ExpiryMinute & { startMs: number; overranMs: number }> {
  const lateness: number[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: BENCH_NAMESPACE,
    taskQueue: BARE_TASK_QUEUE,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows/bare-expiry.workflow'), logger: quietBundlerLogger }),
    activities: createBareExpiryActivities(lateness),
    maxCachedWorkflows: EnvSchema.shape.WORKER_MAX_CACHED_WORKFLOWS.parse(process.env.WORKER_MAX_CACHED_WORKFLOWS),
  });
  const running = worker.run();
  const startAll = (name: string, n: number, dueAt: () => number): Promise<void> =>
    inPool(Array.from({ length: n }), concurrency, async (_, i) => {
      await env.client.workflow.start<typeof bareExpiryWorkflow>('bareExpiryWorkflow', { workflowId: `${name}-${process.pid}-${i}`, taskQueue: BARE_TASK_QUEUE, args: [dueAt()] });
    });
  try {
    // A warm-up batch, due at once and not counted, warms the worker and foretells how long the starts take.
    const warmUp = Math.min(count, 200);
    const warmUpStarted = Date.now();
    await startAll('bare-warm-up', warmUp, () => Date.now());
    const perStartMs = (Date.now() - warmUpStarted) / warmUp;
    // Due at once, they run within seconds on a healthy engine: a worker that never runs them fails the bench rather than hang it.
    const warmUpDeadline = Date.now() + 120_000;
    while (lateness.length < warmUp) {
      if (Date.now() > warmUpDeadline) throw new Error(`The baseline's warm-up: ${lateness.length} of ${warmUp} bare workflows ran within two minutes of their start`);
      await sleep(100);
    }
    lateness.length = 0;

    const started = Date.now();
    const windowStart = started + Math.round(perStartMs * count * 2.5) + 15_000;
    await startAll('bare-expiry', count, () => windowStart + Math.floor(Math.random() * WINDOW_MS));
    const startMs = Date.now() - started;
    const overranMs = Math.max(0, Date.now() - windowStart);
    await sleep(windowStart - Date.now());
    const serverCpuAtWindow = cpuSecondsOf(serverPid);
    const gaveUpAt = windowStart + WINDOW_MS + 120_000;
    while (lateness.length < count && Date.now() < gaveUpAt) await sleep(500);
    return { lateness, serverCpu: cpuSecondsOf(serverPid) - serverCpuAtWindow, wallMs: Date.now() - windowStart, startMs, overranMs };
  } finally {
    worker.shutdown();
    await running;
  }
}

const lateLine = (lateness: readonly number[]): string =>
  `lateness p50 ${millis(percentile(lateness, 50))}, p99 ${millis(percentile(lateness, 99))}, max ${millis(lateness.length === 0 ? Number.NaN : Math.max(...lateness))}`;
/** Dev-server CPU seconds per expiry that ran in the minute. */
const cpuPerExpiry = (m: ExpiryMinute): number => m.serverCpu / Math.max(1, m.lateness.length);
const cpuLine = (m: ExpiryMinute): string =>
  `dev server CPU ${m.serverCpu.toFixed(1)} s over ${seconds(m.wallMs)} (${Math.round((100 * m.serverCpu * 1000) / m.wallMs)}% of one core), ${millis(1000 * cpuPerExpiry(m))} per expiry`;

/** The baseline's minute, and its lines. */
async function bareBaseline(env: TestWorkflowEnvironment, count: number, concurrency: number, serverPid: number, log: (line: string) => void): Promise<ExpiryMinute> {
  const bare = await bareExpiryMinute(env, count, concurrency, serverPid);
  log(`   baseline: ${count.toLocaleString('en-US')} bare workflows (a timer, one activity that does nothing, the end) started in ${seconds(bare.startMs)}, due inside a minute of their own${bare.overranMs > 0 ? `; the starts overran the minute's start by ${seconds(bare.overranMs)}` : ''}`);
  log(`     ${bare.lateness.length.toLocaleString('en-US')} of ${count.toLocaleString('en-US')} ran; ${lateLine(bare.lateness)}; ${cpuLine(bare)}`);
  const cores = (count / 60) * cpuPerExpiry(bare);
  log(`     a minute of ${count.toLocaleString('en-US')} expiries asks ${(count / 60).toFixed(0)}/s: ${cores.toFixed(1)} cores of the dev server's at the bare expiry's cost (this machine has ${availableParallelism()})`);
  return bare;
}

/**
 * The dev server as `npm start` runs it (scripts/start.ts): its state in a SQLite file with a WAL and
 * synchronous=FULL, and a history cache of TEMPORAL_DEV_CACHED_WORKFLOWS with its ten-minute sweep.
 * EXPIRY_DEV_SERVER=memory runs the CLI's in-memory store with its own cache instead (the engine of the
 * runs before 2026-12-07's afternoon).
 */
function devServerArgs(tmpDir: string): { what: string; args: string[] } {
  const kind = process.env.EXPIRY_DEV_SERVER ?? 'app';
  if (kind === 'memory') return { what: "the CLI's in-memory store and cache (EXPIRY_DEV_SERVER=memory)", args: [] };
  if (kind !== 'app') throw new Error(`EXPIRY_DEV_SERVER must be app (the default) or memory, not ${kind}`);
  const cached = EnvSchema.shape.TEMPORAL_DEV_CACHED_WORKFLOWS.parse(process.env.TEMPORAL_DEV_CACHED_WORKFLOWS);
  return {
    what: `as npm start runs it: temporal.db in WAL mode, synchronous=FULL, history cache of ${cached.toLocaleString('en-US')} workflows (EXPIRY_DEV_SERVER=memory: the in-memory store)`,
    args: [...devServerDatabaseArgs(join(tmpDir, 'temporal.db')), ...devServerCacheArgs(cached)],
  };
}

async function expiriesBench({ scale, tmpDir, log, goal }: BenchContext): Promise<void> {
  const count = Math.round(positive('EXPIRY_NOCS', Math.max(50, Math.round(500 * scale))));
  const concurrency = Math.round(positive('EXPIRY_CONCURRENCY', 20));
  const decisionsPerSecond = positive('DECISIONS_PER_SECOND', 20);
  const maxInFlight = Math.round(positive('DECISIONS_IN_FLIGHT', 100));
  const keyPem = benchCommandKeyPem();
  const dataDir = join(tmpDir, 'expiries-data');
  const configDir = join(tmpDir, 'expiries-config');
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(configDir, { recursive: true });

  const engine = devServerArgs(tmpDir);
  log(`   dev server: ${engine.what}`);
  const env = await devServerEnv(BENCH_NAMESPACE, engine.args);
  const serverPid = devServerPid();
  if (process.env.EXPIRY_BASELINE_ONLY === '1') {
    try {
      await bareBaseline(env, count, concurrency, serverPid, log);
    } finally {
      await env.teardown();
    }
    return;
  }
  const serverCpuAtStart = cpuSecondsOf(serverPid);
  const processEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    XDG_CONFIG_HOME: configDir,
    AUDIT_SIGNING_KEY_FILE: join(configDir, 'audit-signing-key.pem'),
    // The worker holds only the public half, as in production.
    COMMAND_TRUSTED_KEYS: createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'pem' }).toString(),
    COMMAND_SIGNING_KEY_FILE: join(configDir, 'unused-command-key.pem'),
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_NAMESPACE: BENCH_NAMESPACE,
    TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    LOG_LEVEL: 'warn',
    CLOUD_OFFICE_SUPERVISOR_PID: String(process.pid),
  };
  let worker: ChildProcess | undefined;
  let projector: ChildProcess | undefined;
  let rssTimer: NodeJS.Timeout | undefined;
  try {
    // The SDK reports the worker RUNNING once it polls; the projector creates its read model file at start.
    [worker, projector] = await Promise.all([
      startProcess('worker/main.ts', processEnv, /state: '?RUNNING/),
      startProcess('projections/main.ts', processEnv, /SMTP_URL is not set|notices are mailed/),
    ]);
    const workerPid = worker.pid as number;
    let peakRss = 0;
    let peakRssInWindow = 0;
    let inWindow = false;
    rssTimer = setInterval(() => {
      try {
        const rss = rssBytesOf(workerPid);
        peakRss = Math.max(peakRss, rss);
        if (inWindow) peakRssInWindow = Math.max(peakRssInWindow, rss);
      } catch {
        // The worker ended: the bench fails below when its expiries never come.
      }
    }, 250);

    const steps = await nocSteps(env.client, keyPem, TASK_QUEUE);
    const readModelPath = join(dataDir, 'readmodels.db');
    while (!existsSync(readModelPath)) await sleep(50);
    const readModels = new Database(readModelPath, { readonly: true, fileMustExist: true });
    readModels.pragma('busy_timeout = 5000');

    // 1. Every NOC requested, reviewed and recommended for approval.
    const buildStarted = performance.now();
    const nocIds: string[] = new Array<string>(count);
    await inPool(nocIds, concurrency, async (_, i) => {
      const nocId = await steps.request();
      await steps.review(nocId);
      await steps.recommend(nocId);
      nocIds[i] = nocId;
    });
    const buildMs = performance.now() - buildStarted;
    log(`   ${count.toLocaleString('en-US')} NOCs requested, reviewed and recommended in ${seconds(buildMs)} (${concurrency} at a time; ${resent.count} commands resent after UNAVAILABLE)`);
    const resentBefore = resent.count;

    // 2. The approvals, sent at DECISIONS_PER_SECOND with at most MAX_IN_FLIGHT unanswered (an engine slower than the
    // pace slows it rather than piling up calls), each valid until a random instant of the minute that starts once all
    // are answered. How long that takes is foreseen from the build's pace (three commands per NOC) when it is slower,
    // with room to spare: an approval costs more than a build's command (its seal, the run it rests in), and at 1,000
    // NOCs approvals ran at 10 to 16/s where the build foresaw 20, spilling into the minute, so that late approvals
    // counted as late expiries.
    const engineCommandsPerSecond = (3 * count * 1000) / buildMs;
    const plannedMs = (count * 1000) / Math.min(decisionsPerSecond, engineCommandsPerSecond);
    const approvalsStarted = Date.now();
    const windowStart = approvalsStarted + Math.round(plannedMs * 2.5) + 15_000;
    const watch = readModels.prepare<[string], { status: string; revision: number }>('SELECT status, revision FROM noc_register WHERE noc_id = ?');
    const visibleMs: number[] = [];
    const sentToVisibleMs: number[] = [];
    const decideMs: number[] = [];
    const refused: string[] = [];
    let tooLate = 0;
    const watched = new Map<string, { revision: number; sent: number; answeredAt: number }>();
    let watching = true;
    const watcher = (async () => {
      while (watching || watched.size > 0) {
        for (const [nocId, w] of watched) {
          const row = watch.get(nocId);
          if (row && row.revision >= w.revision && row.status === 'active') {
            visibleMs.push(performance.now() - w.answeredAt);
            sentToVisibleMs.push(performance.now() - w.sent);
            watched.delete(nocId);
          }
        }
        await sleep(2);
      }
    })();
    let inFlight = 0;
    const answers: Promise<void>[] = [];
    for (const [i, nocId] of nocIds.entries()) {
      await sleep(approvalsStarted + (i * 1000) / decisionsPerSecond - Date.now());
      while (inFlight >= maxInFlight) await sleep(5);
      const validUntilMs = windowStart + Math.floor(Math.random() * WINDOW_MS);
      // An approval sent this close to its instant would expire before the minute: left open, and counted.
      if (validUntilMs - Date.now() < 5_000) {
        tooLate += 1;
        continue;
      }
      inFlight += 1;
      answers.push(
        (async () => {
          const sent = performance.now();
          try {
            const view = await steps.approve(nocId, new Date(validUntilMs).toISOString());
            const answeredAt = performance.now();
            decideMs.push(answeredAt - sent);
            watched.set(nocId, { revision: view.revision, sent, answeredAt });
          } catch (err) {
            refused.push(`${nocId}: ${(err as Error).message}`);
          } finally {
            inFlight -= 1;
          }
        })(),
      );
    }
    await Promise.all(answers);
    const approvalsMs = Date.now() - approvalsStarted;
    watching = false;
    await watcher;
    const approved = decideMs.length;
    const decisionRate = (approved * 1000) / approvalsMs;
    log(
      `   ${approved.toLocaleString('en-US')} approvals at ${decisionRate.toFixed(1)}/s (paced at ${decisionsPerSecond}/s, at most ${maxInFlight} unanswered) in ${seconds(approvalsMs)}; decide answered p50 ${millis(percentile(decideMs, 50))}, p99 ${millis(percentile(decideMs, 99))}`,
    );
    if (resent.count > resentBefore) log(`   ${resent.count - resentBefore} approvals resent after UNAVAILABLE`);
    if (refused.length > 0) log(`   ${refused.length} approvals refused, e.g. ${refused[0]}`);
    if (tooLate > 0) log(`   ${tooLate} approvals not sent: the engine fell so far behind that their instant was under 5 s away`);
    if (Date.now() > windowStart) log(`   the approvals overran the minute's start by ${seconds(Date.now() - windowStart)}: early expiries count as late`);

    // 3. The minute of expiries, and what it cost the dev server and the worker.
    await sleep(windowStart - Date.now());
    inWindow = true;
    const serverCpuAtWindow = cpuSecondsOf(serverPid);
    const events = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    events.pragma('busy_timeout = 5000');
    const expired = events.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM events WHERE type = 'NocExpired'");
    const expiredCount = (): number => expired.get()?.n ?? 0;
    const gaveUpAt = windowStart + WINDOW_MS + 120_000;
    while (expiredCount() < approved && Date.now() < gaveUpAt) await sleep(500);
    inWindow = false;
    const serverCpuWindow = cpuSecondsOf(serverPid) - serverCpuAtWindow;
    const windowWallMs = Date.now() - windowStart;

    const lateness = (events.prepare("SELECT type, data, recorded_at AS recordedAt FROM events WHERE type = 'NocExpired'").all() as { type: string; data: string; recordedAt: string }[])
      .map((e) => {
        const due = timerDueOf({ type: e.type, data: JSON.parse(e.data) as unknown });
        if (due === undefined) throw new Error('A NocExpired event without its validUntil');
        return Date.parse(e.recordedAt) - due.dueAtMs;
      });
    events.close();
    readModels.close();
    const maxLate = lateness.length === 0 ? Number.NaN : Math.max(...lateness);
    const allRecorded = lateness.length === approved;
    const nocMinute: ExpiryMinute = { lateness, serverCpu: serverCpuWindow, wallMs: windowWallMs };
    log(`   ${lateness.length.toLocaleString('en-US')} of ${approved.toLocaleString('en-US')} expiries recorded; ${lateLine(lateness)}`);
    const latenessMet = allRecorded && maxLate <= GOALS.latenessMs;
    log(`   goal: every expiry recorded within ${GOALS.latenessMs} ms of its instant: ${met(latenessMet)}`);
    log(`   worker RSS peak (WORKER_MAX_CACHED_WORKFLOWS ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 'default'}) ${megabytes(peakRss)} (in the expiry minute ${megabytes(peakRssInWindow)}); goal ≤ ${megabytes(GOALS.workerRssBytes)}: ${met(peakRss <= GOALS.workerRssBytes)}`);
    log(`   ${cpuLine(nocMinute)}; ${(cpuSecondsOf(serverPid) - serverCpuAtStart).toFixed(1)} s over the whole bench so far`);
    const p99 = percentile(visibleMs, 99);
    const paceHeld = decisionRate >= 0.9 * decisionsPerSecond;
    log(`   decision → visible in noc_register (${visibleMs.length}, at ${decisionRate.toFixed(1)} decisions/s): p50 ${millis(percentile(visibleMs, 50))}, p99 ${millis(p99)}, max ${millis(Math.max(...visibleMs))}`);
    const visibleMet = paceHeld && p99 <= GOALS.visibleP99Ms;
    log(`   goal: p99 ≤ ${GOALS.visibleP99Ms} ms while ${decisionsPerSecond} decisions/s run: ${met(visibleMet)}${paceHeld ? '' : ' (the engine did not hold the pace)'} (from the decision sent: p50 ${millis(percentile(sentToVisibleMs, 50))}, p99 ${millis(percentile(sentToVisibleMs, 99))})`);

    // 4. The baseline, with the app's processes stopped.
    clearInterval(rssTimer);
    await Promise.all([stopProcess(worker), stopProcess(projector)]);
    const bare = await bareBaseline(env, approved, concurrency, serverPid, log);
    log(`   the NOC's expiry beside the bare one: dev server CPU per expiry ×${(cpuPerExpiry(nocMinute) / cpuPerExpiry(bare)).toFixed(2)}; p99 lateness ${millis(percentile(lateness, 99))} vs ${millis(percentile(bare.lateness, 99))}`);
    const size = `${approved.toLocaleString('en-US')} NOCs`;
    const ranOf = (m: ExpiryMinute, of: number): string => `${m.lateness.length.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} recorded, ${lateLine(m.lateness)}`;
    goal({
      goal: 5,
      what: `${size} expiring inside one minute: every expiry recorded within ${millis(GOALS.latenessMs)} of its instant`,
      figure: `${ranOf(nocMinute, approved)}; dev server ${millis(1000 * cpuPerExpiry(nocMinute))} CPU an expiry`,
      baseline: `bare workflows ${ranOf(bare, count)}; ${millis(1000 * cpuPerExpiry(bare))} CPU each`,
      ratio: `max ${millis(maxLate)}`,
      met: latenessMet,
    });
    goal({
      goal: 5,
      what: `${size} open: worker RSS ≤ ${megabytes(GOALS.workerRssBytes)}`,
      figure: `peak ${megabytes(peakRss)} (in the expiry minute ${megabytes(peakRssInWindow)})`,
      baseline: '—',
      ratio: megabytes(peakRss),
      met: peakRss <= GOALS.workerRssBytes,
    });
    goal({
      goal: 5,
      what: `decision → visible in the read model p99 ≤ ${millis(GOALS.visibleP99Ms)} while ${decisionsPerSecond} decisions/s run`,
      figure: `p50 ${millis(percentile(visibleMs, 50))}, p99 ${millis(p99)} at ${decisionRate.toFixed(1)} decisions/s`,
      baseline: '—',
      ratio: `p99 ${millis(p99)}${paceHeld ? '' : ' (the pace not held)'}`,
      met: visibleMet,
    });
  } finally {
    clearInterval(rssTimer);
    await Promise.all([stopProcess(worker), stopProcess(projector)]);
    await env.teardown();
  }
}

registerBench('expiries of many open NOCs', expiriesBench);
