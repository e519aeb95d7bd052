import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pino from 'pino';
import { SQLITE_FILES_LEFT_OUT } from '../../cli/backup/manifest';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { allProjections } from '../../projections';
import { openReadModelDb } from '../../projections/db';
import { ProjectionRunner } from '../../projections/runner';
import { runTool, type ToolRun } from '../cli/run-tool';
import { OfficeClient, addAccount, officeEnvironment, officeOutput, startOffice, stopOffice } from '../support/office-process';
import { CHECKPOINT_POSITIONS, MAIL_TABLES, compareReadModels, dumpReadModels } from '../support/read-model-dump';

/**
 * Issue 14, item 5: `npm run backup` copies a working office — a NOC with its expiry timer pending, an
 * accreditation waiting for the provider's answer with an uploaded evidence file, and NOC requests
 * arriving during the copy — and the copy, restored into another folder and started there, carries on:
 * the timer fires once, after its instant, and so does another NOC's expiry reminder; the waiting application takes the provider's answer and the
 * reviewer's next step, its file served as uploaded; every NOC the copy holds takes its next step;
 * `npm run verify` passes; and the read models equal a rebuild.
 */
const PASSWORD = 'restore test console password';
const CSP_ID = 'csp-nimbus';
const REMINDER_DAYS = 1;
const CERTIFICATE = Buffer.from('%PDF-1.7\nISO/IEC 27001 certificate IS 712345\n%%EOF\n');

let dir: string;
let env: NodeJS.ProcessEnv;
let restoredEnv: NodeJS.ProcessEnv;
let office: ChildProcess | undefined;
let client: OfficeClient;

const data = (): string => join(dir, 'data');
const restored = (): string => join(dir, 'restored');
const backupDir = (): string => join(dir, 'backup');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-carries-on-'));
  // The keys live outside the data, as the backup expects; the restored office is pointed at the same ones.
  // A reminder one day before expiry, so that a NOC valid for a day and a little is reminded of it during the test.
  const places = await officeEnvironment(data(), join(dir, 'keys', 'audit-signing-key.pem'), { NOC_REMINDER_DAYS: String(REMINDER_DAYS) });
  env = places.env;
  restoredEnv = { ...env, DATA_DIR: restored() };
  client = new OfficeClient(places.base, PASSWORD);
  await addAccount(env, ['--username', 'adm1', '--role', 'admin', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'pse1', '--role', 'pse', '--jurisdiction', 'federal', '--organisation', 'pse-fbr', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'rev1', '--role', 'reviewer', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'dir1', '--role', 'director', '--jurisdiction', 'federal', '--password', PASSWORD]);
  await addAccount(env, ['--username', 'csp1', '--role', 'csp', '--jurisdiction', 'federal', '--organisation', CSP_ID, '--password', PASSWORD]);
}, 120_000);

afterAll(async () => {
  await stopOffice(office);
  rmSync(dir, { recursive: true, force: true });
});

const NOC_REQUEST = {
  deviation: 'other',
  description: 'Temporary hosting exemption',
  justification: 'Contract transition',
  dataClass: 'public',
  systems: ['tax-portal'],
  requestedMonths: 1,
};

async function ok(what: string, answer: Promise<{ status: number; body: Record<string, unknown> }>): Promise<Record<string, unknown>> {
  const res = await answer;
  if (res.status >= 300) console.error(`${what}: ${res.status}; the office's last output:\n${officeOutput(office)}`);
  expect({ what, status: res.status < 300 ? 'ok' : res.status, body: res.status < 300 ? undefined : res.body }).toEqual({ what, status: 'ok', body: undefined });
  return res.body;
}

/**
 * A request being recorded at the copy's instant has its append activity started in the copied engine
 * by a worker the restored office never had: the engine runs it again once that attempt's start-to-close
 * timeout (30 s, workflows/shared/case-process.ts) has passed, and until then the process shows no
 * request and its NOC answers 404. Asks again on 404 until the retry must have run.
 */
async function onceRecorded(ask: () => Promise<{ status: number; body: Record<string, unknown> }>): Promise<{ status: number; body: Record<string, unknown> }> {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const res = await ask();
    if (res.status !== 404 || Date.now() > deadline) return res;
    await sleep(1000);
  }
}

/** A clean rebuild of a data folder's log compared, table by table and row by row, with its read models caught up. */
async function rebuildMismatches(folder: string) {
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(folder, 'events.db') }));
  const live = openReadModelDb(join(folder, 'readmodels.db'));
  const clean = openReadModelDb(':memory:');
  const runners = [live, clean].map((db) => new ProjectionRunner({ store, db, projections: allProjections(), logger: pino({ level: 'silent' }) }));
  try {
    for (const runner of runners) {
      await runner.start();
      await runner.waitFor(await store.headPosition(), 60_000);
    }
    return compareReadModels(dumpReadModels(live, { columns: CHECKPOINT_POSITIONS, exclude: MAIL_TABLES }), dumpReadModels(clean, { columns: CHECKPOINT_POSITIONS, exclude: MAIL_TABLES }));
  } finally {
    for (const runner of runners) await runner.stop();
    live.close();
    clean.close();
    await store.close();
  }
}

function nocIdsIn(folder: string): string[] {
  const db = new Database(join(folder, 'events.db'), { readonly: true });
  try {
    return (db.prepare("SELECT json_extract(data, '$.nocId') AS id FROM events WHERE type = 'NocRequested' ORDER BY global_position").all() as { id: string }[]).map((r) => r.id);
  } finally {
    db.close();
  }
}

it('restores a backup taken while the office works, and the restored office carries on every open process and timer', async () => {
  const firstStart = Date.now();
  office = await startOffice(env);
  const startSeconds = (Date.now() - firstStart) / 1000;
  const adm = await client.login('adm1');
  const pending = (await client.call('GET', '/api/accounts/grants/pending', adm)).body.items as { username: string; grant: { grantId: string } }[];
  const grant = pending.find((item) => item.username === 'dir1');
  await ok('approve the director', client.command('POST', `/api/accounts/dir1/grants/${grant?.grant.grantId}/approve`, adm, {}));
  await ok('register the entity', client.command('POST', '/api/pses', adm, { pseId: 'pse-fbr', name: 'Federal Board of Revenue', ministry: 'Finance', jurisdiction: 'federal' }));
  const [pse, rev, dir1, csp] = [await client.login('pse1'), await client.login('rev1'), await client.login('dir1'), await client.login('csp1')];

  // A NOC in force whose expiry lies beyond the backup, the stop, the restore and a second start.
  const nocId = ((await ok('request the NOC', client.command('POST', '/api/nocs', pse, NOC_REQUEST))).state as { request: { nocId: string } }).request.nocId;
  await ok('start the review', client.command('POST', `/api/nocs/${nocId}/start-review`, rev, {}));
  await ok('recommend', client.command('POST', `/api/nocs/${nocId}/recommend`, rev, { recommendation: 'approve', reasons: 'Fine' }));
  const validUntil = new Date(Date.now() + (2 * startSeconds + 90) * 1000).toISOString();
  await ok('decide', client.command('POST', `/api/nocs/${nocId}/decide`, dir1, { decision: 'approve', reasons: 'Fine', validUntil }));
  // A NOC in force for a day longer, whose expiry reminder (a day before) falls at the first one's expiry.
  const remindedId = ((await ok('request the NOC to remind', client.command('POST', '/api/nocs', pse, { ...NOC_REQUEST, systems: ['customs-portal'] }))).state as { request: { nocId: string } }).request.nocId;
  await ok('start the review of the NOC to remind', client.command('POST', `/api/nocs/${remindedId}/start-review`, rev, {}));
  await ok('recommend the NOC to remind', client.command('POST', `/api/nocs/${remindedId}/recommend`, rev, { recommendation: 'approve', reasons: 'Fine' }));
  const remindedUntil = new Date(Date.parse(validUntil) + REMINDER_DAYS * 86_400_000).toISOString();
  await ok('decide the NOC to remind', client.command('POST', `/api/nocs/${remindedId}/decide`, dir1, { decision: 'approve', reasons: 'Fine', validUntil: remindedUntil }));

  // An application waiting for the provider's answer (its own lapse timer running).
  const organisation = { cspId: CSP_ID, name: 'Nimbus Cloud (Pvt) Ltd', registrationNumber: '0123456', contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' } };
  await ok('register the provider', client.command('POST', '/api/csps', csp, organisation));
  const offering = { offeringId: 'off-gov', name: 'Nimbus Government Cloud', serviceModels: ['IaaS'], deploymentModel: 'government', dataCentres: [{ city: 'Islamabad', country: 'PK' }] };
  await ok('add the offering', client.command('POST', `/api/csps/${CSP_ID}/offerings`, csp, offering));
  // Its evidence names an uploaded file, which the backup copies with the data.
  const upload = await fetch(`${client.base}/api/evidence?filename=certificate.pdf`, { method: 'POST', headers: { authorization: `Bearer ${csp}`, 'content-type': 'application/pdf' }, body: CERTIFICATE });
  expect(upload.status).toBe(201);
  const certificate = (await upload.json()) as { sha256: string };
  const evidence = [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345', files: [certificate] }];
  const submitted = await ok('apply', client.command('POST', '/api/accreditations', csp, { offeringId: 'off-gov', requestedBaseline: 'baseline', evidence }));
  const applicationId = (submitted.state as { application: { applicationId: string } }).application.applicationId;
  await ok('start screening', client.command('POST', `/api/accreditations/${applicationId}/start-screening`, rev, {}));
  const waiting = await ok('ask the provider', client.command('POST', `/api/accreditations/${applicationId}/request-information`, rev, { questions: 'Which data centre hosts the backups?' }));
  expect((waiting.state as { status: string }).status).toBe('awaiting-applicant');

  // The backup runs while entities keep requesting NOCs.
  const backup = runTool('cli/backup.ts', ['--to', backupDir()], env);
  let backupDone = false;
  void backup.then(() => (backupDone = true));
  let requestedDuring = 0;
  while (!backupDone) {
    await ok('request a NOC during the backup', client.command('POST', '/api/nocs', pse, { ...NOC_REQUEST, systems: [`system-${requestedDuring}`] }));
    requestedDuring += 1;
  }
  const backupRun: ToolRun = await backup;
  expect(backupRun.stderr).toBe('');
  expect(backupRun.code).toBe(0);
  expect(backupRun.stdout.toString()).toContain('evidence: 1 files');
  await stopOffice(office);
  office = undefined;
  // Every database the office made is in the backup, but the verification marks, left out on purpose.
  const manifest = JSON.parse(readFileSync(join(backupDir(), 'manifest.json'), 'utf8')) as { files: { path: string }[] };
  const databases = readdirSync(data()).filter((name) => name.endsWith('.db'));
  expect(databases).toEqual(expect.arrayContaining(['events.db', 'readmodels.db', 'identity.db', 'temporal.db', 'as-of-snapshots.db']));
  expect(databases.filter((name) => !manifest.files.some((f) => f.path === name))).toEqual(databases.filter((name) => name in SQLITE_FILES_LEFT_OUT));

  const restoreRun = await runTool('cli/restore.ts', ['--from', backupDir(), '--to', restored()], restoredEnv);
  expect(restoreRun.stderr).toBe('');
  expect(restoreRun.code).toBe(0);
  const secondStart = Date.now();
  office = await startOffice(restoredEnv);
  console.log(
    `backup while ${requestedDuring} NOCs were requested:\n${backupRun.stdout.toString()}${restoreRun.stdout.toString()}` +
      `office start: ${startSeconds.toFixed(1)} s first, ${((Date.now() - secondStart) / 1000).toFixed(1)} s on the restored folder`,
  );
  expect(Date.now()).toBeLessThan(Date.parse(validUntil));

  // The waiting application takes the provider's answer, then the reviewer's next step.
  const [csp2, rev2, pse2] = [await client.login('csp1'), await client.login('rev1'), await client.login('pse1')];
  const answered = await ok('answer the reviewer', client.command('POST', `/api/accreditations/${applicationId}/provide-information`, csp2, { answer: 'Both data centres are in Pakistan; backups stay in Karachi.' }));
  expect((answered.state as { status: string }).status).toBe('screening');
  const file = await fetch(`${client.base}/api/evidence/${certificate.sha256}`, { headers: { authorization: `Bearer ${rev2}` } });
  expect(file.status).toBe(200);
  expect(Buffer.from(await file.arrayBuffer())).toEqual(CERTIFICATE);
  const screened = await ok('complete screening', client.command('POST', `/api/accreditations/${applicationId}/complete-screening`, rev2, { notes: 'Complete' }));
  expect((screened.state as { status: string }).status).toBe('assessment');

  // Every NOC request the copy holds is a live process: each takes its review (or its withdrawal).
  const copied = nocIdsIn(restored()).filter((id) => id !== nocId && id !== remindedId);
  expect(copied.length).toBeGreaterThan(0);
  for (const id of copied) await ok(`start the review of ${id}`, onceRecorded(() => client.command('POST', `/api/nocs/${id}/start-review`, rev2, {})));

  // The expiry timer fires after its instant, once.
  const deadline = Date.parse(validUntil) + 60_000;
  let history: { type: string; metadata: { occurredAt: string } }[] = [];
  while (Date.now() < deadline) {
    const res = await client.call('GET', `/api/nocs/${nocId}`, pse2);
    history = res.body.history;
    if (res.body.register?.status === 'expired') break;
    await sleep(500);
  }
  expect(history.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended', 'NocApproved', 'NocExpired']);
  const expiredAt = Date.parse((history[4] as { metadata: { occurredAt: string } }).metadata.occurredAt);
  expect(expiredAt).toBeGreaterThanOrEqual(Date.parse(validUntil));
  console.log(`the restored office expired the NOC ${((expiredAt - Date.parse(validUntil)) / 1000).toFixed(1)} s after its validUntil`);
  // The reminder pending at the backup fires too, after its instant (the first NOC's expiry), once.
  let reminded: { type: string; data: { daysBefore?: number }; metadata: { occurredAt: string } }[] = [];
  while (Date.now() < deadline + 30_000) {
    reminded = (await client.call('GET', `/api/nocs/${remindedId}`, pse2)).body.history;
    if (reminded.some((e) => e.type === 'NocExpiryReminderDue')) break;
    await sleep(500);
  }
  expect(reminded.map((e) => e.type)).toEqual(['NocRequested', 'NocReviewStarted', 'NocRecommended', 'NocApproved', 'NocExpiryReminderDue']);
  const reminder = reminded[4] as { data: { daysBefore?: number }; metadata: { occurredAt: string } };
  expect(reminder.data.daysBefore).toBe(REMINDER_DAYS);
  expect(Date.parse(reminder.metadata.occurredAt)).toBeGreaterThanOrEqual(Date.parse(validUntil));
  await sleep(3_000);
  const after = await client.call('GET', `/api/nocs/${nocId}`, pse2);
  expect((after.body.history as { type: string }[]).filter((e) => e.type === 'NocExpired')).toHaveLength(1);
  const remindedAfter = await client.call('GET', `/api/nocs/${remindedId}`, pse2);
  expect((remindedAfter.body.history as { type: string }[]).filter((e) => e.type === 'NocExpiryReminderDue')).toHaveLength(1);
  expect(remindedAfter.body.register?.status).toBe('active');

  await stopOffice(office);
  office = undefined;
  const verify = await runTool('cli/verify.ts', [], restoredEnv);
  expect(verify.stdout.toString()).toContain('history intact');
  expect(verify.stdout.toString()).toContain('1 evidence files checked against their hashes');
  expect(verify.code).toBe(0);
  expect(await rebuildMismatches(restored())).toEqual([]);
}, 15 * 60_000);
