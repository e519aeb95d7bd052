import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { ensureBinary } from '../../config/temporal-binaries';
import { devServerDatabaseArgs } from '../../config/temporal-dev-server';
import { CASE_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { freePort } from './ports';

/**
 * The system as `npm start` runs it — a Temporal dev server persisted on a file, the worker, the
 * projector and the API, each its own process — but held by the test, so it can SIGKILL the worker
 * at any instant (a dead worker is started again at once, as the supervisor would) and restart the
 * dev server on the same database file. Each process's output goes to `<dir>/logs/<name>.log`.
 */
const ROOT = resolve(__dirname, '..', '..');
const NAMESPACE = 'cloud-office';


const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface ProcessSystemOptions {
  /** The data folder (DATA_DIR); keys go into `<dir>-config`, outside it. */
  dir: string;
  /** Added to every process's environment (configuration such as NOC policy settings). */
  env?: NodeJS.ProcessEnv;
  /** The worker's CRASH_AT (worker/crash-points.ts); only the worker gets it. */
  crashAt?: string;
  /** Dev server dynamic configuration, KEY=VALUE each. */
  dynamicConfig?: string[];
  /** The worker's WORKFLOW_BUNDLE_FILE: workflows bundled once, so a killed worker is back in seconds. */
  workflowBundleFile?: string;
}

export class ProcessSystem {
  readonly env: NodeJS.ProcessEnv;
  readonly api: string;
  readonly temporalAddress: string;
  /** Worker processes started, and how many of them died by SIGKILL (the test's or their own). */
  workerStarts = 0;
  workerKilled = 0;
  /** When the running worker began polling; undefined while none is. */
  workerRunningSince: number | undefined;
  /** How long the last worker took from its spawn to polling: a loaded machine's pace. */
  lastWorkerStartMs = 0;
  temporalRestarts = 0;
  private readonly children = new Map<string, ChildProcess>();
  private stopping = false;

  private constructor(
    private readonly options: ProcessSystemOptions,
    ports: { api: number; temporal: number; ui: number },
  ) {
    this.api = `http://127.0.0.1:${ports.api}`;
    this.temporalAddress = `127.0.0.1:${ports.temporal}`;
    const config = `${options.dir}-config`;
    this.env = {
      ...process.env,
      ...options.env,
      DATA_DIR: options.dir,
      AUDIT_SIGNING_KEY_FILE: join(config, 'audit-signing-key.pem'),
      COMMAND_SIGNING_KEY_FILE: join(config, 'command-signing-key.pem'),
      XDG_CONFIG_HOME: config,
      API_PORT: String(ports.api),
      TEMPORAL_ADDRESS: this.temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_UI_PORT: String(ports.ui),
      LOG_LEVEL: 'warn',
      // The children end themselves if the test process dies (config/supervision.ts).
      CLOUD_OFFICE_SUPERVISOR_PID: String(process.pid),
    };
    delete this.env.CRASH_AT;
    mkdirSync(join(options.dir, 'logs'), { recursive: true });
  }

  static async create(options: ProcessSystemOptions): Promise<ProcessSystem> {
    return new ProcessSystem(options, { api: await freePort(), temporal: await freePort(), ui: await freePort() });
  }

  /** Runs a CLI script of the project (e.g. identity/cli.ts) against this system's data. */
  async cli(script: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    return promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: this.env });
  }

  async start(): Promise<void> {
    await this.startTemporal();
    this.startWorker();
    this.spawn('projector', process.execPath, ['--import', 'tsx', 'projections/main.ts'], this.env);
    this.spawn('api', process.execPath, ['--import', 'tsx', 'server/main.ts'], this.env);
    await this.waitFor('the API', async () => (await fetch(`${this.api}/healthz`)).status === 200, 120_000);
  }

  /** SIGKILL to the worker, wherever it is; answers whether one was running. */
  killWorker(): boolean {
    const worker = this.children.get('worker');
    // One that was already sent a signal, or killed itself at a crash point, is dying: not killed twice.
    if (!worker || worker.killed || worker.exitCode !== null || worker.signalCode !== null) return false;
    this.workerRunningSince = undefined;
    return worker.kill('SIGKILL');
  }

  /** Stops the dev server (SIGTERM) and starts it again on the same database file. */
  async restartTemporal(): Promise<void> {
    await this.end('temporal', 'SIGTERM');
    await this.startTemporal();
    this.temporalRestarts += 1;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const name of ['api', 'projector', 'worker', 'temporal']) await this.end(name, 'SIGTERM');
  }

  /** How often the worker killed itself at each crash point, from the lines it wrote as it did. */
  crashPointsHit(): Record<string, number> {
    const hits: Record<string, number> = {};
    for (const [, point] of readFileSync(join(this.options.dir, 'logs', 'worker.log'), 'utf8').matchAll(/CRASH_AT: killing the worker at ([a-z-]+)/g)) {
      if (point) hits[point] = (hits[point] ?? 0) + 1;
    }
    return hits;
  }

  async connect(): Promise<Connection> {
    return Connection.connect({ address: this.temporalAddress, connectTimeout: 2000 });
  }

  private startWorker(): void {
    this.workerStarts += 1;
    const child = this.spawn('worker', process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
      ...this.env,
      ...(this.options.crashAt ? { CRASH_AT: this.options.crashAt } : {}),
      ...(this.options.workflowBundleFile ? { WORKFLOW_BUNDLE_FILE: this.options.workflowBundleFile } : {}),
    });
    this.workerRunningSince = undefined;
    const spawnedAt = Date.now();
    let seen = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4000);
      // The SDK logs its state changes; RUNNING is when it polls for tasks.
      if (this.workerRunningSince === undefined && /state: '?RUNNING/.test(seen)) {
        this.workerRunningSince = Date.now();
        this.lastWorkerStartMs = this.workerRunningSince - spawnedAt;
      }
    });
    child.on('exit', (_code, signal) => {
      this.workerRunningSince = undefined;
      if (signal === 'SIGKILL') this.workerKilled += 1;
      // As the supervisor does, but at once: the test wants the next crash, not a back-off.
      if (!this.stopping) setTimeout(() => !this.stopping && this.startWorker(), 100);
    });
  }

  private async startTemporal(): Promise<void> {
    const args = [
      'server', 'start-dev',
      '--ip', '127.0.0.1',
      '--port', this.temporalAddress.split(':')[1] ?? '7233',
      '--ui-port', this.env.TEMPORAL_UI_PORT ?? '8233',
      '--headless',
      ...devServerDatabaseArgs(join(this.options.dir, 'temporal.db')),
      '--namespace', NAMESPACE,
      ...CASE_SEARCH_ATTRIBUTES.flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
      ...(this.options.dynamicConfig ?? []).flatMap((value) => ['--dynamic-config-value', value]),
      '--log-level', 'warn',
    ];
    this.spawn('temporal', ensureBinary('cli'), args, this.env);
    await this.waitFor(
      'Temporal',
      async () => {
        const connection = await this.connect();
        try {
          await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
          return true;
        } finally {
          await connection.close();
        }
      },
      60_000,
    );
  }

  private spawn(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const logFile = join(this.options.dir, 'logs', `${name}.log`);
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => appendFileSync(logFile, chunk));
    this.children.set(name, child);
    child.on('exit', () => {
      if (this.children.get(name) === child) this.children.delete(name);
    });
    return child;
  }

  private async end(name: string, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 20_000)))]);
    clearTimeout(timer);
    if (late) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  private async waitFor(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if (await probe()) return;
      } catch {
        // Not up yet.
      }
      await sleep(250);
    }
    throw new Error(`${what} did not come up within ${timeoutMs / 1000} s (logs in ${join(this.options.dir, 'logs')})`);
  }
}
