import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfficeClient, addAccount, officeEnvironment, startOffice, stopOffice } from '../support/office-process';

/**
 * `npm start` as an operator runs it: the supervisor, a persisted Temporal dev server, the worker, the
 * projector and the API as separate processes. The supervisor is killed with SIGKILL while a NOC's
 * expiry timer is pending; after a restart the NOC expires on time, once, and the register agrees.
 */
const PASSWORD = 'restart test password';

let dir: string;
let env: NodeJS.ProcessEnv;
let client: OfficeClient;
let supervisor: ChildProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restart-'));
  const places = await officeEnvironment(dir, join(`${dir}-key`, 'audit-signing-key.pem'));
  env = places.env;
  client = new OfficeClient(places.base, PASSWORD);
  // The console's admin takes effect at once (no admin exists yet); the director waits for that admin's approval.
  await addAccount(env, ['--username', 'adm1', '--role', 'admin', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'pse1', '--role', 'pse', '--jurisdiction', 'federal', '--organisation', 'pse-fbr', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'rev1', '--role', 'reviewer', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'dir1', '--role', 'director', '--jurisdiction', 'federal', '--password', PASSWORD]);
});

afterAll(async () => {
  await stopOffice(supervisor);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}-key`, { recursive: true, force: true });
});

it('resumes a pending expiry after the supervisor is killed with SIGKILL, with nothing lost or doubled', async () => {
  supervisor = await startOffice(env);
  const adm = await client.login('adm1');
  const pending = (await client.call('GET', '/api/accounts/grants/pending', adm)).body.items as { username: string; grant: { grantId: string } }[];
  const grant = pending.find((item) => item.username === 'dir1');
  expect((await client.command('POST', `/api/accounts/dir1/grants/${grant?.grant.grantId}/approve`, adm, {})).status).toBe(200);
  // The entity is put on the PSE register before it may request a NOC.
  const entity = { pseId: 'pse-fbr', name: 'Federal Board of Revenue', ministry: 'Finance', jurisdiction: 'federal' };
  expect((await client.command('POST', '/api/pses', adm, entity)).status).toBe(201);
  const [pse, rev, dir1] = [await client.login('pse1'), await client.login('rev1'), await client.login('dir1')];
  const created = await client.command('POST', '/api/nocs', pse, {
    deviation: 'other',
    description: 'Temporary hosting exemption',
    justification: 'Contract transition',
    dataClass: 'public',
    systems: ['tax-portal'],
    requestedMonths: 1,
  });
  expect(created.status).toBe(201);
  const nocId = created.body.state.request.nocId as string;
  await client.command('POST', `/api/nocs/${nocId}/start-review`, rev, {});
  await client.command('POST', `/api/nocs/${nocId}/recommend`, rev, { recommendation: 'approve', reasons: 'Fine' });
  const validUntil = new Date(Date.now() + 30_000).toISOString();
  expect((await client.command('POST', `/api/nocs/${nocId}/decide`, dir1, { decision: 'approve', reasons: 'Fine', validUntil })).status).toBe(200);

  // Crash: the supervisor dies without a chance to stop anything.
  const exited = new Promise((r) => supervisor?.once('exit', r));
  supervisor.kill('SIGKILL');
  await exited;
  supervisor = await startOffice(env);

  // The register catches up with what happened before the crash, then the timer fires on time.
  const deadline = Date.parse(validUntil) + 15_000;
  let row: { status?: string } | undefined;
  const operator = await client.login('dir1');
  while (Date.now() < deadline) {
    const res = await client.call('GET', `/api/nocs/${nocId}`, operator);
    row = res.body.register;
    if (row?.status === 'expired') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(row?.status).toBe('expired');
  const detail = await client.call('GET', `/api/nocs/${nocId}`, operator);
  expect(detail.body.history.map((e: { type: string }) => e.type)).toEqual([
    'NocRequested',
    'NocReviewStarted',
    'NocRecommended',
    'NocApproved',
    'NocExpired',
  ]);
  const list = await client.call('GET', '/api/nocs?limit=100', operator);
  expect((list.body.items as { nocId: string }[]).filter((r) => r.nocId === nocId)).toHaveLength(1);
}, 240_000);
