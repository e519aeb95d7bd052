import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pino from 'pino';
import { generateNocHistories } from '../../bench/fixtures';
import { Manifest } from '../../cli/backup/manifest';
import { eventId } from '../../eventstore/envelope';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { openVerificationProgress, verificationProgressPath } from '../../eventstore/integrity/verification-progress';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import { DEFAULT_EVIDENCE_MAX_BYTES } from '../../evidence/port';
import { openIdentityDb } from '../../identity/db';
import { allProjections } from '../../projections';
import { openReadModelDb } from '../../projections/db';
import { dumpAsJson, dumpModel } from '../../projections/model-dump';
import { ProjectionRunner } from '../../projections/runner';
import { openTasklistDb } from '../../ui/tasklist-db';
import { auditKeyFileFor, runTool, toolEnv, type ToolRun } from './run-tool';

/**
 * `npm run backup` copies the embedded office while it works: NOC histories keep being appended and
 * projected from other connections during the copy. The copy restored into a new folder verifies,
 * holds a prefix of the original log, and its read models, once caught up with that log, equal a
 * clean rebuild.
 */
const BEFORE = 4_000;

let dir: string;
let data: string;
let appendedDuring = 0;
let backupRun: ToolRun;

const REVIEW = 'review-REV-7';
const actor = { userId: 'csp-rep', role: 'csp' as const };
const metadata = (causationId: string) => ({ schemaVersion: 1, actor, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: REVIEW, causationId, policyVersion: 'cloud-first-2022/compliance-1' });

async function appendReviewWithEvidence(store: HashChainedEventStore): Promise<void> {
  const files = createFsEvidenceStore(data, { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES });
  const file = await files.put(Buffer.from('%PDF-1.7\nthe continuity plan\n%%EOF\n'), { filename: 'continuity.pdf', contentType: 'application/pdf' });
  await store.append(
    REVIEW,
    [
      {
        id: eventId(REVIEW, 0),
        type: 'ReviewOpened',
        data: { reviewId: 'REV-7', applicationId: 'ACC-7', offeringId: 'off-7', cspId: 'csp-seven', trigger: 'incident', description: 'Outage', openedBy: 'reviewer', openedAt: '2030-01-01T00:00:00.000Z' },
        metadata: { ...metadata('open'), actor: { userId: 'reviewer', role: 'reviewer' as const } },
      },
      { id: eventId(REVIEW, 1), type: 'ReviewEvidenceSubmitted', data: { summary: 'The plan', documents: [], files: [file], submittedBy: 'csp-rep' }, metadata: metadata('submit') },
    ],
    'no-stream',
  );
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backup-'));
  data = join(dir, 'data');
  mkdirSync(data);
  openIdentityDb(join(data, 'identity.db')).close();
  openTasklistDb(join(data, 'tasklist.db')).close();
  // The marks of `npm run verify`, left out on purpose, and a database the backup has no name for, copied all the same.
  openVerificationProgress(verificationProgressPath(data)).close();
  const added = new Database(join(data, 'added-later.db'));
  added.exec('CREATE TABLE kept (id INTEGER PRIMARY KEY)');
  added.close();
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(data, 'events.db'), synchronous: 'OFF' }));
  const readModels = openReadModelDb(join(data, 'readmodels.db'));
  const runner = new ProjectionRunner({ store, db: readModels, projections: allProjections(), logger: pino({ level: 'silent' }) });
  try {
    for (const h of generateNocHistories(BEFORE, { seed: 5 })) await store.append(h.stream, h.events, 'no-stream');
    await appendReviewWithEvidence(store);
    await new Checkpointer(store, loadAuditSigner({ file: auditKeyFileFor(data) })).checkpoint('2030-01-01T00:00:00.000Z');
    await runner.start();
    await runner.waitFor(await store.headPosition(), 60_000);
    // The office keeps working while the copy is taken: appends, and the projector following them.
    const backup = runTool('cli/backup.ts', ['--to', join(dir, 'backup')], toolEnv(data));
    let done = false;
    void backup.then(() => (done = true));
    // New cases, one every few milliseconds, for as long as the backup runs (bounded by its duration).
    for (const h of generateNocHistories(Number.POSITIVE_INFINITY, { seed: 6, firstIndex: 100_000 })) {
      if (done) break;
      await store.append(h.stream, h.events, 'no-stream');
      appendedDuring += h.events.length;
      await sleep(2);
    }
    backupRun = await backup;
  } finally {
    await runner.stop();
    readModels.close();
    await store.close();
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Row = Record<string, unknown>;
const eventsOf = (path: string): Row[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM events ORDER BY global_position').all() as Row[];
  } finally {
    db.close();
  }
};

describe('backup and restore of the embedded office', () => {
  let restoreRun: ToolRun;
  const restored = (): string => join(dir, 'restored');

  beforeAll(async () => {
    restoreRun = await runTool('cli/restore.ts', ['--from', join(dir, 'backup'), '--to', restored()], toolEnv(restored()));
    // The keys are restored by the operators, apart from the data.
    cpSync(auditKeyFileFor(data), auditKeyFileFor(restored()));
    console.log(`backup and restore, ${appendedDuring} events appended during the copy:\n${backupRun.stdout.toString()}${restoreRun.stdout.toString()}`);
  }, 60_000);

  it('backs up while events are appended, with a manifest of every file and no keys', () => {
    expect(backupRun.stderr).toBe('');
    expect(backupRun.code).toBe(0);
    expect(backupRun.stdout.toString()).toContain('keys are not in this backup');
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(dir, 'backup', 'manifest.json'), 'utf8')));
    expect(manifest.files.filter((f) => f.kind === 'sqlite').map((f) => f.path).sort()).toEqual(['added-later.db', 'events.db', 'identity.db', 'readmodels.db', 'tasklist.db']);
    expect(backupRun.stdout.toString()).toContain('verification-progress.db is not copied');
    expect(manifest.files.filter((f) => f.kind === 'evidence')).toHaveLength(1);
    expect(manifest.absent).toEqual(['temporal.db']);
    expect(manifest.eventStore.events).toBeGreaterThanOrEqual(BEFORE);
    expect(appendedDuring).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'backup')).some((name) => name.endsWith('.pem') || name.includes('key'))).toBe(false);
  });

  it('restores into a new folder, and the restored office verifies', async () => {
    expect(restoreRun.stderr).toBe('');
    expect(restoreRun.code).toBe(0);
    const verify = await runTool('cli/verify.ts', [], toolEnv(restored()));
    expect(verify.stdout.toString()).toContain('1 evidence files checked against their hashes');
    expect(verify.stdout.toString()).toContain('history intact');
    expect(verify.code).toBe(0);
  }, 120_000);

  it('restores a prefix of the original log: every event identical, every stream’s revisions contiguous', () => {
    const original = eventsOf(join(data, 'events.db'));
    const copy = eventsOf(join(restored(), 'events.db'));
    expect(copy.length).toBeGreaterThanOrEqual(BEFORE);
    expect(copy).toEqual(original.slice(0, copy.length));
    const revisions = new Map<string, number>();
    for (const e of copy) {
      const stream = e.stream as string;
      expect(e.revision).toBe((revisions.get(stream) ?? -1) + 1);
      revisions.set(stream, e.revision as number);
    }
  });

  it('restores read models that, caught up with the restored log, equal a clean rebuild of it', async () => {
    const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(restored(), 'events.db'), synchronous: 'OFF' }));
    const live = openReadModelDb(join(restored(), 'readmodels.db'));
    const clean = openReadModelDb(':memory:');
    const runners = [live, clean].map((db) => new ProjectionRunner({ store, db, projections: allProjections(), logger: pino({ level: 'silent' }) }));
    try {
      for (const runner of runners) {
        await runner.start();
        await runner.waitFor(await store.headPosition(), 60_000);
      }
      for (const projection of allProjections()) expect(dumpAsJson(dumpModel(live, projection))).toBe(dumpAsJson(dumpModel(clean, projection)));
    } finally {
      for (const runner of runners) await runner.stop();
      live.close();
      clean.close();
      await store.close();
    }
  }, 120_000);

  it('backs up again into the same folder, copying only the evidence files it lacks', async () => {
    const again = await runTool('cli/backup.ts', ['--to', join(dir, 'backup')], toolEnv(data));
    expect(again.code).toBe(0);
    expect(again.stdout.toString()).toContain('evidence: 1 files, 0 copied now, 1 already in the backup');
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(dir, 'backup', 'manifest.json'), 'utf8')));
    expect(manifest.eventStore.events).toBe(eventsOf(join(data, 'events.db')).length);
  });

  it('refuses to back up into a folder that holds something other than a backup', async () => {
    const occupied = join(dir, 'not-a-backup');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'notes.txt'), 'other things');
    const run = await runTool('cli/backup.ts', ['--to', occupied], toolEnv(data));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is neither empty nor an earlier backup');
    expect(readdirSync(occupied)).toEqual(['notes.txt']);
  });

  it('refuses to restore into a folder that holds anything', async () => {
    const occupied = join(dir, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'notes.txt'), 'live data');
    const run = await runTool('cli/restore.ts', ['--from', join(dir, 'backup'), '--to', occupied], toolEnv(occupied));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not empty');
    expect(readdirSync(occupied)).toEqual(['notes.txt']);
  });

  it('restores nothing from a backup whose file no longer matches its manifest', async () => {
    const tampered = join(dir, 'tampered');
    cpSync(join(dir, 'backup'), tampered, { recursive: true });
    appendFileSync(join(tampered, 'identity.db'), 'x');
    const target = join(dir, 'from-tampered');
    const run = await runTool('cli/restore.ts', ['--from', tampered, '--to', target], toolEnv(target));
    expect(run.code).toBe(1);
    expect(run.stdout.toString()).toContain('MISMATCH identity.db: SHA-256 differs from the manifest');
    expect(existsSync(target)).toBe(false);
  });
});
