import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { loadConfig, type AppConfig } from '../config/config';
import { temporalConnectionOptions } from '../config/temporal-connection';
import { PROJECT_ROOT, ensureBinary } from '../config/temporal-binaries';
import { devServerCacheArgs, devServerDatabaseArgs } from '../config/temporal-dev-server';
import { openIdentityForStart } from './start-identity';

/**
 * `npm start`: the whole system on one machine. Starts the Temporal dev server (persisted under
 * data/), then the worker, the projector and the API as child processes; restarts a child that dies;
 * stops everything on Ctrl-C. Every state lives in data/, so a restart (even after kill -9) resumes
 * every workflow, timer and projection where it was.
 */
const config = loadConfig();
const PIDS = join(config.dataDir, 'pids.json');
const children = new Map<string, ChildProcess>();
/** Temporal's TaskQueueKind.NORMAL and TaskQueueType.WORKFLOW (api/enums/v1/task_queue.proto). */
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
let stopping = false;

function log(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

/**
 * A kill -9 of an earlier supervisor leaves its Temporal server and children running: end them, and
 * wait until they are gone, before starting anew (a server still ending holds its ports).
 */
async function killLeftovers(): Promise<void> {
  if (!existsSync(PIDS)) return;
  const pids = JSON.parse(readFileSync(PIDS, 'utf8')) as Record<string, number>;
  const ending: number[] = [];
  for (const [name, pid] of Object.entries(pids)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmdline.includes('temporal') || cmdline.includes(PROJECT_ROOT)) {
        process.kill(pid, 'SIGTERM');
        ending.push(pid);
        log(`ended ${name} (pid ${pid}) left over from an earlier run`);
      }
    } catch {
      // Gone already.
    }
  }
  const alive = (pid: number): boolean => existsSync(`/proc/${pid}`);
  const deadline = Date.now() + 15_000;
  while (ending.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  for (const pid of ending.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // It ended after all.
    }
  }
  unlinkSync(PIDS);
}

function recordPids(): void {
  const pids: Record<string, number> = {};
  for (const [name, child] of children) if (child.pid) pids[name] = child.pid;
  writeFileSync(PIDS, JSON.stringify(pids));
}

function externalTemporal(): boolean {
  return process.env.TEMPORAL_EXTERNAL === '1' || process.env.TEMPORAL_EXTERNAL === 'true';
}

function startTemporal(cfg: AppConfig): void {
  const cli = ensureBinary('cli');
  const [host, port] = cfg.temporal.address.split(':');
  const args = [
    'server', 'start-dev',
    '--ip', host ?? '127.0.0.1',
    '--port', port ?? '7233',
    '--ui-port', String(cfg.temporal.uiPort),
    ...devServerDatabaseArgs(join(cfg.dataDir, 'temporal.db')),
    '--namespace', cfg.temporal.namespace,
    '--search-attribute', 'CaseKind=Keyword',
    '--search-attribute', 'CaseStatus=Keyword',
    '--search-attribute', 'Jurisdiction=Keyword',
    '--search-attribute', 'OfferingId=Keyword',
    '--log-level', 'warn',
    '--ui-disable-news-fetch',
    ...devServerCacheArgs(cfg.temporal.devServerCachedWorkflows),
  ];
  spawnChild('temporal', cli, args, false);
}

function spawnChild(name: string, command: string, args: string[], restart: boolean, restarts = 0): void {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CLOUD_OFFICE_SUPERVISOR_PID: String(process.pid) },
  });
  children.set(name, child);
  recordPids();
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (stopping) return;
    log(`${name} exited (${signal ?? code})`);
    if (!restart) {
      log(`${name} is required; stopping everything`);
      void stopAll(1);
      return;
    }
    // Back off when a process keeps dying at once, so a broken configuration does not spin.
    const quick = Date.now() - startedAt < 10_000 ? restarts + 1 : 0;
    if (quick > 5) {
      log(`${name} keeps failing; stopping everything`);
      void stopAll(1);
      return;
    }
    setTimeout(() => !stopping && spawnChild(name, command, args, restart, quick), Math.min(30_000, 500 * 2 ** quick));
  });
}

function startNode(name: string, script: string): void {
  spawnChild(name, process.execPath, ['--import', 'tsx', script], true);
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if (await probe()) return;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

async function temporalReady(cfg: AppConfig): Promise<boolean> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(cfg.temporal), connectTimeout: 1000 });
  try {
    await connection.workflowService.describeNamespace({ namespace: cfg.temporal.namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/**
 * Whether a worker polls the task queue for workflow tasks. Until one does, a command to a case finds
 * no one to run it (Temporal answers "no poller seen"), and bundling the workflows can take the worker
 * half a minute on a busy machine.
 */
async function workerPolling(cfg: AppConfig): Promise<boolean> {
  const connection = await Connection.connect({ ...temporalConnectionOptions(cfg.temporal), connectTimeout: 1000 });
  try {
    const res = await connection.workflowService.describeTaskQueue({
      namespace: cfg.temporal.namespace,
      taskQueue: { name: cfg.temporal.taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (res.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

async function stopAll(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  // The API first (no new commands), the temporal server last (the worker drains against it).
  for (const name of ['api', 'projector', 'worker', 'temporal']) {
    const child = children.get(name);
    if (!child) continue;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), new Promise((r) => setTimeout(() => r(true), 15_000))]);
    if (timedOut) child.kill('SIGKILL');
  }
  if (existsSync(PIDS)) unlinkSync(PIDS);
  log('stopped');
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(config.dataDir, { recursive: true });
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  await killLeftovers();

  if (externalTemporal()) {
    log(`using the Temporal server at ${config.temporal.address}`);
  } else {
    startTemporal(config);
  }
  await waitFor('Temporal', () => temporalReady(config), 60_000);

  const initialAdmin = await openIdentityForStart(config);
  startNode('worker', 'worker/main.ts');
  startNode('projector', 'projections/main.ts');
  startNode('api', 'server/main.ts');

  const api = `http://${config.api.host}:${config.api.port}`;
  await waitFor('the API', async () => (await fetch(`${api}/healthz`)).status === 200, 120_000);
  await waitFor('the worker', () => workerPolling(config), 180_000);
  log('Cloud Office is running');
  log(`  API and pages:  ${api}  (health: ${api}/healthz, OpenAPI: ${api}/openapi.json)`);
  if (!externalTemporal()) log(`  Temporal UI:    http://127.0.0.1:${config.temporal.uiPort}  (namespace ${config.temporal.namespace})`);
  log(`  Temporal:       ${config.temporal.address}`);
  log(`  Data:           ${config.dataDir}`);
  if (initialAdmin) {
    log('  First start: an administrator account was created. Its password is shown only this once:');
    log(`    username: ${initialAdmin.username}   password: ${initialAdmin.password}`);
  }
  log('Press Ctrl-C to stop.');
}

main().catch((err: unknown) => {
  log(`failed: ${(err as Error).message}`);
  void stopAll(1);
});
