import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfficeClient, addAccount, officeEnvironment, startOffice, stopOffice, type ApiAnswer } from './office-process';

/**
 * The office seeded for a soak: accounts added with the console (`identity/cli.ts`), then the office
 * started as an operator runs it (office-process.ts), each account's first sign-in through the API
 * enrolling an authenticator as a person's app would; and samples of its processes' memory and CPU.
 */
/** The console's one-time password for every seeded account. */
const CONSOLE_PASSWORD = 'operator console password';

export interface OfficeAccount {
  username: string;
  role: string;
  jurisdiction: string;
  organisation?: string;
}

export type Reply = ApiAnswer;

export interface Office {
  base: string;
  supervisor: ChildProcess;
  /** Tokens by username, from each account's single sign-in. */
  tokens: Record<string, string>;
  call(method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  stop(): Promise<void>;
}

/**
 * Adds the accounts with the console, starts the office on free ports in a fresh data directory,
 * approves the privileged roles as the first (console) administrator, and signs everyone in once.
 * The first account must be an admin: the console's first admin takes effect at once.
 */
export async function startSeededOffice(accounts: OfficeAccount[], extraEnv: Record<string, string> = {}): Promise<Office> {
  const dir = mkdtempSync(join(tmpdir(), 'office-'));
  const { env, base } = await officeEnvironment(dir, join(`${dir}-key`, 'audit-signing-key.pem'), extraEnv);
  for (const a of accounts) {
    const org = a.organisation === undefined ? [] : ['--organisation', a.organisation];
    await addAccount(env, ['--username', a.username, '--role', a.role, '--jurisdiction', a.jurisdiction, ...org, '--password', CONSOLE_PASSWORD]);
  }
  const supervisor = await startOffice(env, { echo: true });
  const stop = async () => {
    await stopOffice(supervisor);
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-key`, { recursive: true, force: true });
  };
  try {
    const client = new OfficeClient(base, CONSOLE_PASSWORD);
    const tokens: Record<string, string> = {};
    const admin = accounts[0]?.username ?? '';
    tokens[admin] = await client.login(admin);
    const pending = (await client.call('GET', '/api/accounts/grants/pending', tokens[admin])).body.items as { username: string; grant: { grantId: string } }[];
    for (const item of pending) {
      const approved = await client.call('POST', `/api/accounts/${item.username}/grants/${item.grant.grantId}/approve`, tokens[admin], {});
      if (approved.status !== 200) throw new Error(`approving ${item.username}'s role answered ${approved.status}`);
    }
    for (const a of accounts.slice(1)) tokens[a.username] = await client.login(a.username);
    return { base, supervisor, tokens, call: (method, path, token, body, headers) => client.request(method, path, token, body, headers), stop };
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
