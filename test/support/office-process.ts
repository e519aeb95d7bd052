import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { totpCode } from '../../identity';
import { freePort } from './ports';

/**
 * The whole office as an operator runs it (`npm start`: scripts/start.ts supervising the Temporal dev
 * server, the worker, the projector and the API), driven over HTTP as its people would: for system
 * tests that stop, kill or move an office between runs.
 */
export const ROOT = resolve(__dirname, '..', '..');


/**
 * An office's environment on free ports, with its data in `dataDir` and its signing key at `keyFile`
 * (outside the data, as a backup expects), and the address of its API.
 */
export async function officeEnvironment(dataDir: string, keyFile: string, extra: NodeJS.ProcessEnv = {}): Promise<{ env: NodeJS.ProcessEnv; base: string }> {
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    AUDIT_SIGNING_KEY_FILE: keyFile,
    API_PORT: String(apiPort),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(uiPort),
    LOG_LEVEL: 'warn',
    ...extra,
  };
  return { env, base: `http://127.0.0.1:${apiPort}` };
}

const outputs = new WeakMap<ChildProcess, () => string>();

/** The last lines an office printed (its processes' logs), for a failing test to show. */
export function officeOutput(office: ChildProcess | undefined): string {
  return (office && outputs.get(office)?.()) ?? '';
}

export interface StartOptions {
  timeoutMs?: number;
  /**
   * Copies the processes' own log lines to the test's stderr (stdout once the office runs, stderr
   * throughout): a soak is read afterwards, and its warnings must stay visible in the run's log.
   */
  echo?: boolean;
}

/** Starts the supervisor and resolves once it reports the office running. */
export function startOffice(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<ChildProcess> {
  const { timeoutMs = 180_000, echo = false } = options;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let running = false;
  // Kept short: an office that runs for minutes logs a lot, and only the end explains a failure.
  const keep = (text: string): void => {
    out = (out + text).slice(-20_000);
  };
  outputs.set(child, () => out);
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`start did not report running within ${timeoutMs / 1000} s:\n${out.slice(-3000)}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk.toString());
      if (running && echo) process.stderr.write(chunk);
      if (!running && out.includes('Cloud Office is running')) {
        running = true;
        clearTimeout(timer);
        ok(child);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      keep(chunk.toString());
      if (echo) process.stderr.write(chunk);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`start exited with ${code}:\n${out.slice(-3000)}`));
    });
  });
}

/** Ctrl-C, as an operator stops it: every process ends cleanly. */
export async function stopOffice(supervisor: ChildProcess | undefined): Promise<void> {
  if (!supervisor || supervisor.exitCode !== null || supervisor.signalCode !== null) return;
  const exited = new Promise((r) => supervisor.once('exit', r));
  supervisor.kill('SIGINT');
  await exited;
}

/** Adds an account with the console's CLI (identity/cli.ts), as `npm run accounts -- add` does. */
export async function addAccount(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', 'identity/cli.ts', 'add', ...args], { cwd: ROOT, env });
}

export interface ApiAnswer {
  status: number;
  // Loosely typed on purpose: the system tests read a few fields of many response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
}

/**
 * An HTTP client of one office. Each account's first sign-in enrols an authenticator with the console's
 * one-time password and chooses its own; later ones use a recovery code, so no two sign-ins wait for a
 * new time step. `base` may change (the same people on a restored office, with their restored accounts).
 */
export class OfficeClient {
  private readonly recoveryCodes = new Map<string, string[]>();
  constructor(
    public base: string,
    private readonly consolePassword: string,
    private readonly ownPassword = 'the person’s own long password',
  ) {}

  async request(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: text ? (JSON.parse(text) as ApiAnswer['body']) : {} };
    } catch {
      // A proxy's or a crashed process's plain-text answer, kept for the test to show.
      return { status: res.status, body: { text } };
    }
  }

  call(method: string, path: string, token?: string, body?: unknown, idempotencyKey?: string): Promise<ApiAnswer> {
    return this.request(method, path, token, body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  /**
   * A command as a careful client sends it: under one Idempotency-Key, sent again while the office
   * answers 503 (a process that has not recorded its first step yet, a worker still starting).
   */
  async command(method: string, path: string, token: string, body: unknown, attempts = 60): Promise<ApiAnswer> {
    const key = randomUUID();
    let res = await this.call(method, path, token, body, key);
    for (let i = 1; i < attempts && res.status === 503; i++) {
      await sleep(500);
      res = await this.call(method, path, token, body, key);
    }
    return res;
  }

  async login(username: string): Promise<string> {
    const recovery = this.recoveryCodes.get(username)?.shift();
    if (recovery) {
      const res = await this.call('POST', '/api/auth/login', undefined, { username, password: this.ownPassword, code: recovery });
      if (res.status !== 200) throw new Error(`${username} could not sign in: ${JSON.stringify(res.body)}`);
      return res.body.token as string;
    }
    const enrolled = await this.call('POST', '/api/auth/mfa/enrolment', undefined, { username, password: this.consolePassword, newPassword: this.ownPassword });
    if (enrolled.status >= 300) throw new Error(`${username} could not enrol: ${JSON.stringify(enrolled.body)}`);
    const session = await this.call('POST', '/api/auth/login', undefined, { username, password: this.ownPassword, code: totpCode(enrolled.body.secret as string, new Date()) });
    if (session.status !== 200) throw new Error(`${username} could not sign in: ${JSON.stringify(session.body)}`);
    this.recoveryCodes.set(username, session.body.recoveryCodes as string[]);
    return session.body.token as string;
  }
}
