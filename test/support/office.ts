import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { totpCode } from '../../identity';
import { freePort } from './ports';

/**
 * The office as an operator runs it: accounts added with the console (`identity/cli.ts`), then
 * `scripts/start.ts` — the supervisor, a persisted Temporal dev server, the worker, the projector and
 * the API as separate processes — and each account's first sign-in through the API, enrolling an
 * authenticator as a person's app would.
 */
const ROOT = resolve(__dirname, '..', '..');
/** The console's one-time password for every seeded account. */
const CONSOLE_PASSWORD = 'operator console password';
/** What every account chooses at its enrolment in place of the console's one. */
const OWN_PASSWORD = 'the person’s own long password';

export interface OfficeAccount {
  username: string;
  role: string;
  jurisdiction: string;
  organisation?: string;
}

export interface Reply {
  status: number;
  // Loosely typed on purpose: traffic reads a few fields of many response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>;
}

export interface Office {
  base: string;
  supervisor: ChildProcess;
  /** Tokens by username, from each account's single sign-in. */
  tokens: Record<string, string>;
  call(method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  stop(): Promise<void>;
}


function startSupervisor(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`start did not report running within 180 s:\n${out.slice(-3000)}`)), 180_000);
    const onExit = (code: number | null) => fail(new Error(`start exited with ${code}:\n${out.slice(-3000)}`));
    let running = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      // Once running, the processes' own log lines (warnings and errors at LOG_LEVEL=warn) stay visible.
      if (running) return void process.stderr.write(chunk);
      out += chunk.toString();
      if (out.includes('Cloud Office is running')) {
        running = true;
        clearTimeout(timer);
        child.off('exit', onExit);
        ok(child);
      }
    });
    // The processes' own warnings stay visible in the run's log: a soak is read afterwards.
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('exit', onExit);
  });
}

async function httpCall(base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Reply['body'] = {};
  try {
    parsed = text ? (JSON.parse(text) as Reply['body']) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/** First sign-in: the console's password serves once, to enrol an authenticator and choose the person's own. */
async function signIn(base: string, username: string): Promise<string> {
  const enrolment = await httpCall(base, 'POST', '/api/auth/mfa/enrolment', undefined, { username, password: CONSOLE_PASSWORD, newPassword: OWN_PASSWORD });
  if (enrolment.status !== 200) throw new Error(`enrolment of ${username} answered ${enrolment.status}: ${JSON.stringify(enrolment.body)}`);
  const code = totpCode(enrolment.body.secret as string, new Date());
  const session = await httpCall(base, 'POST', '/api/auth/login', undefined, { username, password: OWN_PASSWORD, code });
  if (session.status !== 200) throw new Error(`sign-in of ${username} answered ${session.status}: ${JSON.stringify(session.body)}`);
  return session.body.token as string;
}

/**
 * Adds the accounts with the console, starts the office on free ports in a fresh data directory,
 * approves the privileged roles as the first (console) administrator, and signs everyone in once.
 * The first account must be an admin: the console's first admin takes effect at once.
 */
export async function startOffice(accounts: OfficeAccount[], extraEnv: Record<string, string> = {}): Promise<Office> {
  const dir = mkdtempSync(join(tmpdir(), 'office-'));
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dir,
    AUDIT_SIGNING_KEY_FILE: join(`${dir}-key`, 'audit-signing-key.pem'),
    API_PORT: String(apiPort),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(uiPort),
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const base = `http://127.0.0.1:${apiPort}`;
  const cli = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'identity/cli.ts', ...args], { cwd: ROOT, env });
  for (const a of accounts) {
    const org = a.organisation === undefined ? [] : ['--organisation', a.organisation];
    await cli(['add', '--username', a.username, '--role', a.role, '--jurisdiction', a.jurisdiction, ...org, '--password', CONSOLE_PASSWORD]);
  }
  const supervisor = await startSupervisor(env);
  const stop = async () => {
    if (supervisor.exitCode === null && supervisor.signalCode === null) {
      const exited = new Promise((r) => supervisor.once('exit', r));
      supervisor.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-key`, { recursive: true, force: true });
  };
  try {
    const tokens: Record<string, string> = {};
    const admin = accounts[0]?.username ?? '';
    tokens[admin] = await signIn(base, admin);
    const pending = (await httpCall(base, 'GET', '/api/accounts/grants/pending', tokens[admin])).body.items as { username: string; grant: { grantId: string } }[];
    for (const item of pending) {
      const approved = await httpCall(base, 'POST', `/api/accounts/${item.username}/grants/${item.grant.grantId}/approve`, tokens[admin], {});
      if (approved.status !== 200) throw new Error(`approving ${item.username}'s role answered ${approved.status}`);
    }
    for (const a of accounts.slice(1)) tokens[a.username] = await signIn(base, a.username);
    return { base, supervisor, tokens, call: (method, path, token, body, headers) => httpCall(base, method, path, token, body, headers), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** What each of the supervisor's children runs, told apart by its command line. */
function roleOf(cmdline: string): string | undefined {
  if (cmdline.includes('worker/main.ts')) return 'worker';
  if (cmdline.includes('projections/main.ts')) return 'projector';
  if (cmdline.includes('server/main.ts')) return 'api';
  if (cmdline.includes('temporal')) return 'temporal';
  return undefined;
}

/** Clock ticks a second in /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** The children of every live process and each one's CPU seconds so far, from /proc. */
function processTable(): { byParent: Map<number, number[]>; cpu: Map<number, number> } {
  const byParent = new Map<number, number[]>();
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may hold spaces and parentheses: read past its closing one.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the name: state, ppid, … utime (12th), stime (13th).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      byParent.set(ppid, [...(byParent.get(ppid) ?? []), Number(entry)]);
      cpu.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / TICKS);
    } catch {
      // Ended while listed.
    }
  }
  return { byParent, cpu };
}

function rssKb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface ProcessSample {
  /** Resident memory in MB by process. */
  rss: Record<string, number>;
  /** Process ids by process: a changed one means the supervisor restarted it. */
  pids: Record<string, number>;
  /** CPU seconds used so far by process: on a shared machine, how much of it the office got. */
  cpuSeconds: Record<string, number>;
}

/**
 * Resident memory (MB) and CPU time of the supervisor and of each process it runs, each with its own
 * descendants (a launcher's real server counts with it), sampled from /proc now.
 */
export function officeProcesses(supervisorPid: number): ProcessSample {
  const { byParent: tree, cpu } = processTable();
  const sum = (pid: number, own: (pid: number) => number): number => own(pid) + (tree.get(pid) ?? []).reduce((s, child) => s + sum(child, own), 0);
  const rss: Record<string, number> = { supervisor: rssKb(supervisorPid) / 1024 };
  const pids: Record<string, number> = { supervisor: supervisorPid };
  const cpuSeconds: Record<string, number> = { supervisor: cpu.get(supervisorPid) ?? 0 };
  for (const child of tree.get(supervisorPid) ?? []) {
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const role = roleOf(cmdline);
    if (role === undefined) continue;
    rss[role] = sum(child, rssKb) / 1024;
    cpuSeconds[role] = sum(child, (pid) => cpu.get(pid) ?? 0);
    pids[role] = child;
  }
  return { rss, pids, cpuSeconds };
}
