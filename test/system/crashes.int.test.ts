import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { DefaultLogger, bundleWorkflowCode } from '@temporalio/worker';
import { loadCommandSigner, loadTrustedCommandKeys } from '../../config/command-keys';
import { appBundleOptions } from '../../worker/create-worker';
import pino from 'pino';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { createEventStore } from '../../eventstore';
import { allProjections } from '../../projections';
import { openReadModelDb } from '../../projections/db';
import { ProjectionRunner } from '../../projections/runner';
import { logFindings } from '../support/event-log-checks';
import { reportFigures } from '../support/figures';
import { ProcessSystem } from '../support/process-system';
import { BOOKKEEPING_TABLES, compareReadModels, dumpReadModelFile, rowCounts } from '../support/read-model-dump';
import { RetryingClient } from '../support/retrying-client';

/**
 * Issue 14, item 1: crash at every step. NOC and accreditation lifecycles are driven through the API
 * while the worker dies by SIGKILL — by itself at activity boundaries (CRASH_AT: before an append,
 * after it and before Temporal hears of it, in a continue-as-new) and from the test at random
 * instants — and the Temporal dev server is restarted under pending expiry timers and commands in
 * flight. Every lifecycle must complete, every event be written exactly once, the hash chains hold,
 * and the read models equal a clean rebuild of the log. Sizes: CRASH_NOCS, CRASH_ACCREDITATIONS
 * (small here; `npm run chaos:crashes` runs 50 and 10), CRASH_SERVER_RESTARTS, CRASH_AT.
 */
const NOCS = Number(process.env.CRASH_NOCS ?? 5);
const ACCREDITATIONS = Number(process.env.CRASH_ACCREDITATIONS ?? 2);
const SERVER_RESTARTS = Number(process.env.CRASH_SERVER_RESTARTS ?? 1);
const CONCURRENCY = Number(process.env.CRASH_CONCURRENCY ?? 6);
const CRASH_AT = process.env.CRASH_AT ?? 'before-append:0.03,after-append:0.03,continue-as-new:0.1';
/**
 * How long a worker runs (polling) before the test SIGKILLs it: uniformly between these, in seconds,
 * plus as long as it took to start. On a loaded machine a worker takes long to start and to replay, and
 * a worker killed sooner than that would leave the processes no time to move at all.
 */
const KILL_AFTER_S = [2, 10] as const;
/**
 * NOCs approved with a validity of hours: their expiry timers stay pending through every crash and
 * restart, and the validity cannot pass while a decision is resent (a resend carries the same body).
 */
const LONG_VALIDITY_H = 6;
/**
 * The first NOCs driven are approved for this long and followed until their expiry fires: the
 * expiry itself under crashes. Their decision is made again (a new command) should it land too late.
 */
const SHORT_VALIDITY_S = 90;
const EXPIRING_NOCS = Math.min(NOCS, Math.max(1, Math.round(NOCS / 10)));
/**
 * How long one command may keep being resent (and a read retried) before the run fails: the worst
 * the schedule allows in a row — a dev server restart (its stop and start bounds, 20 s and 60 s) and
 * CONSECUTIVE_KILLS worker kills, each a worker lifetime, a worker start on a loaded machine and
 * Temporal handing the task to the next worker — bounded by CRASH_PATIENCE_S.
 */
const WORKER_START_S = 60;
const TASK_HANDOVER_S = 20;
const CONSECUTIVE_KILLS = 5;
const PATIENCE_S = Number(process.env.CRASH_PATIENCE_S ?? (SERVER_RESTARTS > 0 ? 80 : 0) + CONSECUTIVE_KILLS * (KILL_AFTER_S[1] + WORKER_START_S + TASK_HANDOVER_S));
jest.setTimeout(20 * 60_000 + (NOCS + ACCREDITATIONS) * 30_000);

const ROOT = resolve(__dirname, '..', '..');
const PASSWORD = 'crash test console password';
const PSE_ID = 'pse-crash';
const CSP_ID = 'csp-crash';
const ACCOUNTS = {
  admin: ['adm1', 'admin', []],
  pse: ['pse1', 'pse', ['--organisation', PSE_ID]],
  reviewer: ['rev1', 'reviewer', []],
  security: ['sec1', 'security-reviewer', []],
  director: ['dir1', 'director', []],
  csp: ['csp1', 'csp', ['--organisation', CSP_ID]],
} as const;
type Who = keyof typeof ACCOUNTS;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const frameworks = createFrameworkLibrary(loadConfig({}).framework);

let dir: string;
let system: ProcessSystem;
let api: RetryingClient<Who>;
const started = Date.now();
/** NOCs approved whose expiry has not yet fired: each is a pending timer in Temporal. */
let pendingExpiries = 0;
const restartsUnder: { pendingExpiries: number; commandsInFlight: number }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crashes-'));
  system = await ProcessSystem.create({
    dir,
    crashAt: CRASH_AT,
    // Histories hand over to a fresh run often, so crashes land in continue-as-new too.
    dynamicConfig: ['limit.historyCount.suggestContinueAsNew=30'],
    workflowBundleFile: join(dir, 'workflow-bundle.js'),
  });
  await bundleWorkflows(system, join(dir, 'workflow-bundle.js'));
  for (const [username, role, extra] of Object.values(ACCOUNTS)) {
    await system.cli('identity/cli.ts', ['add', '--username', username, '--role', role, '--jurisdiction', 'federal', '--password', PASSWORD, ...extra]);
  }
  await system.start();
  api = new RetryingClient<Who>(system.api, {
    patienceMs: PATIENCE_S * 1000,
    circumstances: () =>
      `patience ${PATIENCE_S} s (CRASH_PATIENCE_S) for ${CONSECUTIVE_KILLS} worker kills in a row and a dev server restart; ` +
      `so far ${system.workerKilled} kills, ${system.workerStarts} worker starts, ${system.temporalRestarts} dev server restarts, worker ${system.workerRunningSince === undefined ? 'not polling' : 'polling'}`,
  });
  await api.enrol('admin', ACCOUNTS.admin[0], PASSWORD);
  // Directors and security reviewers take effect once an administrator approves them.
  const pending = (await api.once('GET', '/api/accounts/grants/pending', 'admin')).body.items as { username: string; grant: { grantId: string } }[];
  for (const { username, grant } of pending) {
    expect((await api.once('POST', `/api/accounts/${username}/grants/${grant.grantId}/approve`, 'admin', {})).status).toBe(200);
  }
  expect((await api.command('POST', '/api/pses', 'admin', { pseId: PSE_ID, name: 'Crash Test Entity', ministry: 'Finance', jurisdiction: 'federal' })).status).toBe(201);
  for (const who of ['pse', 'reviewer', 'security', 'director', 'csp'] as const) await api.enrol(who, ACCOUNTS[who][0], PASSWORD);
}, 300_000);

afterAll(async () => {
  await system?.stop();
  if (dir && process.env.CRASH_KEEP_DATA === undefined) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}-config`, { recursive: true, force: true });
  }
});

/**
 * The workflows bundled once, as the worker would bundle them with CRASH_AT set (its trusted command
 * key, which the API signs with, and the crash interceptor), so every restart of the worker is quick.
 */
async function bundleWorkflows(on: ProcessSystem, file: string): Promise<void> {
  const config = loadConfig(on.env);
  // The API's key is created on first use: create it now, so the bundle trusts the key the API will sign with.
  loadCommandSigner(config.commandKeys, config.dataDir);
  const { code } = await bundleWorkflowCode({
    ...appBundleOptions({ trustedCommandKeys: loadTrustedCommandKeys(config.commandKeys, config.dataDir), crashPoints: true }),
    logger: new DefaultLogger('WARN'),
  });
  writeFileSync(file, code);
}

/** NOC decisions made again because they reached the process later than the short validity they chose. */
let decisionsRetaken = 0;
/** Short-validity decisions applied whose answer was lost, the NOC expired and its process ended before a resend. */
let decisionsSeenAfterExpiry = 0;

const codeOf = (body: Record<string, unknown>): string | undefined => (body.error as { code?: string } | undefined)?.code;

/**
 * A command that must be accepted, after as many resends as the crashes make necessary. A resend gets
 * the first send's answer even once the case has continued as new (patch `taken-commands-answered`):
 * a refusal as "already taken" is a failure here, not a tolerated outcome.
 */
async function step(method: string, path: string, who: Who, body: unknown = {}): Promise<Record<string, unknown>> {
  const reply = await api.command(method, path, who, body);
  if (reply.status < 300) return reply.body;
  throw new Error(`${method} ${path} as ${who}: ${reply.status} ${JSON.stringify(reply.body)} after ${reply.resends} resends (Idempotency-Key ${reply.idempotencyKey})`);
}

const typesOf = (body: Record<string, unknown>): string[] => ((body.history ?? []) as { type: string }[]).map((e) => e.type);

/**
 * The director's approval, valid for `seconds` from when it is made. A short validity can pass while the
 * decision waits for a worker: refused then (the resends carry the same body), a director decides anew.
 */
async function approve(nocId: string, seconds: number): Promise<void> {
  for (;;) {
    const validUntil = new Date(Date.now() + seconds * 1000).toISOString();
    const reply = await api.command('POST', `/api/nocs/${nocId}/decide`, 'director', { decision: 'approve', reasons: 'Agreed', validUntil });
    if (reply.status < 300) return;
    if (codeOf(reply.body) === 'NOC_INVALID_VALIDITY' && seconds < 3600) {
      decisionsRetaken += 1;
      continue;
    }
    // The first send was applied and its answer lost; by the resend the NOC had expired and its process
    // ended, and a process that has ended answers nothing (Temporal keeps no update of a closed run):
    // the NOC's own history says the decision was taken.
    if (reply.resends > 0 && codeOf(reply.body) === 'NOC_WRONG_STATE' && seconds < 3600) {
      // Read once the read models show the expiry that ended the process (they may lag the 409).
      let types: string[] = [];
      for (const giveUp = Date.now() + PATIENCE_S * 1000; !types.includes('NocExpired') && Date.now() < giveUp; await sleep(500)) {
        types = typesOf((await api.read(`/api/nocs/${nocId}`, 'director')).body);
      }
      if (JSON.stringify(types.slice(3)) === JSON.stringify(['NocApproved', 'NocExpired'])) {
        decisionsSeenAfterExpiry += 1;
        return;
      }
    }
    throw new Error(`POST /api/nocs/${nocId}/decide: ${reply.status} ${JSON.stringify(reply.body)} after ${reply.resends} resends (Idempotency-Key ${reply.idempotencyKey})`);
  }
}


/** A NOC requested, reviewed and approved; an expiring one is followed until its expiry fires. */
async function nocLifecycle(expiring: boolean): Promise<string> {
  const created = await step('POST', '/api/nocs', 'pse', {
    deviation: 'on-premises-hosting',
    description: 'Keep the payroll system on premises',
    justification: 'Migration is scheduled for next quarter',
    dataClass: 'restricted',
    systems: ['payroll'],
    requestedMonths: 1,
  });
  const nocId = (created.state as { request: { nocId: string } }).request.nocId;
  await step('POST', `/api/nocs/${nocId}/start-review`, 'reviewer');
  await step('POST', `/api/nocs/${nocId}/recommend`, 'reviewer', { recommendation: 'approve', reasons: 'Justified' });
  await approve(nocId, expiring ? SHORT_VALIDITY_S : LONG_VALIDITY_H * 3600);
  pendingExpiries += 1;
  const expected = ['NocRequested', 'NocReviewStarted', 'NocRecommended', 'NocApproved', ...(expiring ? ['NocExpired'] : [])];
  const status = expiring ? 'expired' : 'active';
  const waitS = (expiring ? SHORT_VALIDITY_S : 0) + PATIENCE_S;
  const giveUp = Date.now() + waitS * 1000;
  try {
    for (;;) {
      if (Date.now() > giveUp) throw new Error(`NOC ${nocId} was not seen ${status} within ${waitS} s of its approval`);
      const detail = (await api.read(`/api/nocs/${nocId}`, 'director')).body;
      if (typesOf(detail).length >= expected.length && (detail.register as { status?: string } | undefined)?.status === status) {
        expect(typesOf(detail)).toEqual(expected);
        return nocId;
      }
      await sleep(500);
    }
  } finally {
    // A long validity's timer stays pending to the end of the run.
    if (expiring) pendingExpiries -= 1;
  }
}

async function accreditationLifecycle(n: number): Promise<string> {
  const offeringId = `off-crash-${n}`;
  await step('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', {
    offeringId,
    name: `Crash Cloud ${n}`,
    serviceModels: ['IaaS'],
    deploymentModel: 'government',
    dataCentres: [{ city: 'Islamabad', country: 'PK' }],
  });
  const submitted = await step('POST', '/api/accreditations', 'csp', {
    offeringId,
    requestedBaseline: 'enhanced',
    evidence: [{ kind: 'iso-27001', reference: `ISO/IEC 27001 certificate ${n}` }],
  });
  const id = (submitted.state as { application: { applicationId: string } }).application.applicationId;
  const scores = Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.enhanced]));
  await step('POST', `/api/accreditations/${id}/start-screening`, 'reviewer');
  await step('POST', `/api/accreditations/${id}/complete-screening`, 'reviewer', { notes: 'Complete' });
  await step('POST', `/api/accreditations/${id}/score`, 'reviewer', { scores, rationale: 'Evidence reviewed' });
  await step('POST', `/api/accreditations/${id}/security-review`, 'security', { outcome: 'passed', notes: 'Clean' });
  await step('POST', `/api/accreditations/${id}/decide`, 'director', { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', reasons: 'Meets it' });
  await step('POST', `/api/accreditations/${id}/suspend`, 'director', { reasons: 'Audit finding' });
  await step('POST', `/api/accreditations/${id}/reinstate`, 'director', { reasons: 'Finding closed' });
  const detail = (await api.read(`/api/accreditations/${id}`, 'csp')).body;
  expect(typesOf(detail)).toEqual([
    'AccreditationSubmitted',
    'AccreditationScreeningStarted',
    'AccreditationScreeningCompleted',
    'AccreditationCriteriaScored',
    'AccreditationSecurityReviewRecorded',
    'AccreditationGranted',
    'AccreditationSuspended',
    'AccreditationReinstated',
  ]);
  return id;
}

/** Runs the lifecycles CONCURRENCY at a time; answers those that completed and the first failure. */
async function driveAll(lifecycles: (() => Promise<string>)[]): Promise<{ completed: string[]; failures: string[] }> {
  const completed: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < lifecycles.length) {
      const lifecycle = lifecycles[next++];
      try {
        if (lifecycle) completed.push(await lifecycle());
      } catch (err) {
        failures.push((err as Error).message);
        // Told at once, for whoever watches a long run: the test itself reports only at its end.
        appendFileSync(join(dir, 'logs', 'lifecycle-failures.log'), `${new Date().toISOString()} ${(err as Error).message}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return { completed, failures };
}

/** SIGKILLs the worker at random instants, and restarts the dev server while timers and commands are pending. */
async function chaos(done: () => boolean, total: number, completedSoFar: () => number): Promise<number> {
  let kills = 0;
  const lifetime = (): number => system.lastWorkerStartMs + 1000 * (KILL_AFTER_S[0] + Math.random() * (KILL_AFTER_S[1] - KILL_AFTER_S[0]));
  let runFor = lifetime();
  while (!done()) {
    // Restarts spread over the run: the next is due once its share of the lifecycles has completed.
    const due = Math.floor((system.temporalRestarts / SERVER_RESTARTS) * total);
    if (system.temporalRestarts < SERVER_RESTARTS && completedSoFar() >= due && pendingExpiries > 0 && api.inFlight > 0) {
      restartsUnder.push({ pendingExpiries, commandsInFlight: api.inFlight });
      await system.restartTemporal();
    }
    const since = system.workerRunningSince;
    if (since !== undefined && Date.now() - since >= runFor) {
      if (system.killWorker()) kills += 1;
      runFor = lifetime();
    }
    await sleep(100);
  }
  return kills;
}

it('completes every lifecycle through worker SIGKILLs and dev server restarts, every event written once, and the read models equal a clean rebuild', async () => {
  expect((await api.command('POST', '/api/csps', 'csp', { cspId: CSP_ID, name: 'Crash Cloud (Pvt) Ltd', registrationNumber: '0777777', contact: { name: 'Ops', email: 'ops@crash.example.pk' } })).status).toBe(201);
  const lifecycles: (() => Promise<string>)[] = [];
  // Interleaved, so accreditations run alongside NOCs rather than after them; the expiring NOCs first,
  // so their timers are pending through the crashes that follow.
  for (let i = 0; i < Math.max(NOCS, ACCREDITATIONS); i++) {
    if (i < NOCS) lifecycles.push(() => nocLifecycle(i < EXPIRING_NOCS));
    if (i < ACCREDITATIONS) lifecycles.push(() => accreditationLifecycle(i));
  }
  let finished = false;
  let completedCount = 0;
  const driving = driveAll(lifecycles.map((lifecycle) => async () => {
    const id = await lifecycle();
    completedCount += 1;
    return id;
  })).finally(() => (finished = true));
  const chaosDone = chaos(() => finished, lifecycles.length, () => completedCount);
  const { completed, failures } = await driving;
  const testKills = await chaosDone;
  expect(failures).toEqual([]);
  expect(completed).toHaveLength(NOCS + ACCREDITATIONS);

  // Temporal's own account: no process failed or was terminated along the way.
  const connection = await system.connect();
  const client = new Client({ connection, namespace: 'cloud-office' });
  const broken = (await client.workflow.count('ExecutionStatus="Failed" OR ExecutionStatus="Terminated" OR ExecutionStatus="TimedOut"')).count;
  const continuedAsNew = (await client.workflow.count('ExecutionStatus="ContinuedAsNew"')).count;
  await connection.close();
  expect(broken).toBe(0);
  await system.stop();

  const config = loadConfig(system.env);
  const store = await createEventStore(config.eventStore);
  try {
    const log = await store.readAll();
    const findings = logFindings(log);
    expect({ gaps: findings.gaps, duplicateIds: findings.duplicateIds, repeatedCommands: findings.repeatedCommands }).toEqual({ gaps: [], duplicateIds: [], repeatedCommands: [] });
    const verify = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/verify.ts'], { cwd: ROOT, env: system.env }).catch((err: { stdout?: string; code?: number }) => err);
    expect({ exit: 'code' in verify ? verify.code : 0, out: verify.stdout }).toEqual({ exit: 0, out: expect.stringContaining(`${findings.events} events`) });

    // The live read models, brought up to the end of the log, against a clean rebuild into a fresh file.
    const logger = pino({ level: 'warn' });
    const live = openReadModelDb(config.readModelPath);
    const follow = new ProjectionRunner({ store, db: live, projections: allProjections(), logger });
    await follow.start();
    await follow.waitFor(await store.headPosition());
    await follow.stop();
    live.close();
    const rebuiltPath = join(dir, 'rebuilt-readmodels.db');
    const fresh = openReadModelDb(rebuiltPath);
    const rebuild = new ProjectionRunner({ store, db: fresh, projections: allProjections(), logger });
    await rebuild.rebuild();
    await rebuild.waitFor(await store.headPosition());
    await rebuild.stop();
    fresh.close();
    // Bookkeeping, not read models: how far each projection has read (and when), and mail already sent.
    const liveDump = dumpReadModelFile(config.readModelPath, { exclude: BOOKKEEPING_TABLES });
    const rebuiltDump = dumpReadModelFile(rebuiltPath, { exclude: BOOKKEEPING_TABLES });
    expect(compareReadModels(liveDump, rebuiltDump)).toEqual([]);
    const rows = Object.values(rowCounts(liveDump)).reduce((n, count) => n + count, 0);
    expect(rows).toBeGreaterThan(0);

    expect(system.temporalRestarts).toBeGreaterThanOrEqual(Math.min(1, SERVER_RESTARTS));
    expect(system.workerKilled).toBeGreaterThan(0);
    reportFigures('crashes', {
      lifecyclesDriven: lifecycles.length,
      lifecyclesCompleted: completed.length,
      nocs: NOCS,
      nocsExpired: EXPIRING_NOCS,
      accreditations: ACCREDITATIONS,
      workerKills: system.workerKilled,
      workerKillsByTest: testKills,
      // A test kill can land on a worker already dying at a crash point: the two may add up to more than workerKills.
      workerKillsAtCrashPoints: Object.entries(system.crashPointsHit()).map(([point, n]) => `${point}:${n}`).join(',') || 'none',
      runsContinuedAsNew: continuedAsNew,
      workerStarts: system.workerStarts,
      devServerRestarts: system.temporalRestarts,
      restartsUnder: restartsUnder.map((r) => `${r.pendingExpiries}timers/${r.commandsInFlight}commands`).join(','),
      commands: api.figures.commands,
      patienceSeconds: PATIENCE_S,
      concurrency: CONCURRENCY,
      decisionsRetaken,
      decisionsSeenAfterExpiry,
      commandResends: api.figures.resends,
      events: findings.events,
      streams: findings.streams,
      eventsLost: findings.gaps.length,
      eventsDuplicated: findings.duplicateIds.length + findings.repeatedCommands.length,
      readModelTables: liveDump.tables.size,
      readModelRows: rows,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  } finally {
    await store.close();
  }
});
