import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { totpCode } from '../../identity';

/**
 * `npm start` as an operator runs it: the supervisor, a persisted Temporal dev server, the worker, the
 * projector and the API as separate processes. The supervisor is killed with SIGKILL while a NOC's
 * expiry timer is pending; after a restart the NOC expires on time, once, and the register agrees.
 */
const ROOT = resolve(__dirname, '..', '..');
const PASSWORD = 'restart test password';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

let dir: string;
let env: NodeJS.ProcessEnv;
let api: string;
let supervisor: ChildProcess | undefined;

function start(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`start did not report running within 120 s:\n${out.slice(-3000)}`)), 120_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Cloud Office is running')) {
        clearTimeout(timer);
        ok(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => fail(new Error(`start exited with ${code}:\n${out.slice(-3000)}`)));
  });
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  // Loosely typed on purpose: this test reads a few fields of several response shapes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** What every account chooses at its enrolment in place of the console's one-time PASSWORD. */
const OWN_PASSWORD = 'the person’s own long password';

/** Recovery codes by username, from each account's first sign-in. */
const recoveryCodes = new Map<string, string[]>();

/**
 * The first sign-in of an account enrols an authenticator through the API (its code computed from the
 * secret, as an app would); later ones use a recovery code, so no two sign-ins need one time step.
 */
async function login(username: string): Promise<string> {
  const recovery = recoveryCodes.get(username)?.shift();
  if (recovery) return (await call('POST', '/api/auth/login', undefined, { username, password: OWN_PASSWORD, code: recovery })).body.token as string;
  // The console's password serves once: the enrolment chooses the person's own with it.
  const { secret } = (await call('POST', '/api/auth/mfa/enrolment', undefined, { username, password: PASSWORD, newPassword: OWN_PASSWORD })).body;
  const session = (await call('POST', '/api/auth/login', undefined, { username, password: OWN_PASSWORD, code: totpCode(secret, new Date()) })).body;
  recoveryCodes.set(username, session.recoveryCodes);
  return session.token as string;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restart-'));
  const [apiPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort()];
  env = {
    ...process.env,
    DATA_DIR: dir,
    AUDIT_SIGNING_KEY_FILE: join(`${dir}-key`, 'audit-signing-key.pem'),
    API_PORT: String(apiPort),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(uiPort),
    LOG_LEVEL: 'warn',
  };
  api = `http://127.0.0.1:${apiPort}`;
  const cli = (args: string[]) => promisify(execFile)(process.execPath, ['--import', 'tsx', 'identity/cli.ts', ...args], { cwd: ROOT, env });
  // The console's admin takes effect at once (no admin exists yet); the director waits for that admin's approval.
  await cli(['add', '--username', 'adm1', '--role', 'admin', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await cli(['add', '--username', 'pse1', '--role', 'pse', '--jurisdiction', 'federal', '--organisation', 'pse-fbr', '--password', PASSWORD]);
  await cli(['add', '--username', 'rev1', '--role', 'reviewer', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await cli(['add', '--username', 'dir1', '--role', 'director', '--jurisdiction', 'federal', '--password', PASSWORD]);
});

afterAll(async () => {
  if (supervisor && supervisor.exitCode === null) {
    const exited = new Promise((r) => supervisor?.once('exit', r));
    supervisor.kill('SIGINT');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-key`, { recursive: true, force: true });
});

it('resumes a pending expiry after the supervisor is killed with SIGKILL, with nothing lost or doubled', async () => {
  supervisor = await start();
  const adm = await login('adm1');
  const pending = (await call('GET', '/api/accounts/grants/pending', adm)).body.items as { username: string; grant: { grantId: string } }[];
  const grant = pending.find((item) => item.username === 'dir1');
  expect((await call('POST', `/api/accounts/dir1/grants/${grant?.grant.grantId}/approve`, adm, {})).status).toBe(200);
  // The entity is put on the PSE register before it may request a NOC.
  const entity = { pseId: 'pse-fbr', name: 'Federal Board of Revenue', ministry: 'Finance', jurisdiction: 'federal' };
  expect((await call('POST', '/api/pses', adm, entity)).status).toBe(201);
  const [pse, rev, dir1] = [await login('pse1'), await login('rev1'), await login('dir1')];
  const created = await call('POST', '/api/nocs', pse, {
    deviation: 'other',
    description: 'Temporary hosting exemption',
    justification: 'Contract transition',
    dataClass: 'public',
    systems: ['tax-portal'],
    requestedMonths: 1,
  });
  expect(created.status).toBe(201);
  const nocId = created.body.state.request.nocId as string;
  await call('POST', `/api/nocs/${nocId}/start-review`, rev, {});
  await call('POST', `/api/nocs/${nocId}/recommend`, rev, { recommendation: 'approve', reasons: 'Fine' });
  const validUntil = new Date(Date.now() + 30_000).toISOString();
  expect((await call('POST', `/api/nocs/${nocId}/decide`, dir1, { decision: 'approve', reasons: 'Fine', validUntil })).status).toBe(200);

  // Crash: the supervisor dies without a chance to stop anything.
  const exited = new Promise((r) => supervisor?.once('exit', r));
  supervisor.kill('SIGKILL');
  await exited;
  supervisor = await start();

  // The register catches up with what happened before the crash, then the timer fires on time.
  const deadline = Date.parse(validUntil) + 15_000;
  let row: { status?: string } | undefined;
  const operator = await login('dir1');
  while (Date.now() < deadline) {
    const res = await call('GET', `/api/nocs/${nocId}`, operator);
    row = res.body.register;
    if (row?.status === 'expired') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(row?.status).toBe('expired');
  const detail = await call('GET', `/api/nocs/${nocId}`, operator);
  expect(detail.body.history.map((e: { type: string }) => e.type)).toEqual([
    'NocRequested',
    'NocReviewStarted',
    'NocRecommended',
    'NocApproved',
    'NocExpired',
  ]);
  const list = await call('GET', '/api/nocs?limit=100', operator);
  expect((list.body.items as { nocId: string }[]).filter((r) => r.nocId === nocId)).toHaveLength(1);
}, 240_000);
