import { PutObjectCommand } from '@aws-sdk/client-s3';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manifest } from '../../cli/backup/manifest';
import { eventId } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import { evidenceKeyOf, type EvidenceStore } from '../../evidence/port';
import { createS3EvidenceStore } from '../../evidence/s3-store';
import { startMotoServer, type TestS3Server } from '../support/moto-server';
import { runTool, toolEnv } from './run-tool';

/**
 * The command-line tools over either evidence store: `evidence:gc` removes only old files no case names,
 * from the data folder or from a bucket; `verify` hashes the bucket's objects; `backup` says in its
 * manifest that a bucket's files are the bucket's to back up.
 */
const REVIEW = 'review-REV-4';
const actor = { userId: 'csp-rep', role: 'csp' as const };
const metadata = (causationId: string) => ({ schemaVersion: 1, actor, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: REVIEW, causationId, policyVersion: 'cloud-first-2022/compliance-1' });
const NAMED = Buffer.from('%PDF-1.7\nthe audit report a case names\n%%EOF\n');
const ORPHAN = Buffer.from('%PDF-1.7\nuploaded, never submitted\n%%EOF\n');

let dir: string;
let s3: TestS3Server;

/** A data folder whose log has one review naming NAMED, and a store holding NAMED and ORPHAN. */
async function office(name: string, storeOf: (data: string) => EvidenceStore): Promise<{ data: string; named: string; orphan: string; files: EvidenceStore }> {
  const data = join(dir, name);
  const files = storeOf(data);
  const named = await files.put(NAMED, { filename: 'audit.pdf', contentType: 'application/pdf' });
  const orphan = await files.put(ORPHAN, { filename: 'draft.pdf', contentType: 'application/pdf' });
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(data, 'events.db'), synchronous: 'OFF' }));
  await store.append(
    REVIEW,
    [
      {
        id: eventId(REVIEW, 0),
        type: 'ReviewOpened',
        data: { reviewId: 'REV-4', applicationId: 'ACC-4', offeringId: 'off-4', cspId: 'csp-four', trigger: 'incident', description: 'Outage', openedBy: 'reviewer', openedAt: '2030-01-01T00:00:00.000Z' },
        metadata: { ...metadata('open'), actor: { userId: 'reviewer', role: 'reviewer' as const } },
      },
      { id: eventId(REVIEW, 1), type: 'ReviewEvidenceSubmitted', data: { summary: 'The report', documents: [], files: [named], submittedBy: 'csp-rep' }, metadata: metadata('submit') },
    ],
    'no-stream',
  );
  await store.close();
  return { data, named: named.sha256, orphan: orphan.sha256, files };
}

const s3Env = (data: string): NodeJS.ProcessEnv => ({
  ...toolEnv(data),
  EVIDENCE_S3_BUCKET: s3.settings.bucket,
  EVIDENCE_S3_ENDPOINT: s3.endpoint,
  // The SDK's own credential variables: what a deployment without secret files sets.
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'evidence-tools-'));
  s3 = await startMotoServer();
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('evidence:gc', () => {
  it('keeps everything within the grace period, names the orphan in a dry run, then removes only it from the data folder', async () => {
    const { data, named, orphan, files } = await office('fs', (d) => createFsEvidenceStore(d, { maxBytes: 1024 }));
    const young = await runTool('cli/evidence-gc.ts', [], toolEnv(data));
    expect(young.code).toBe(0);
    expect(young.stdout.toString()).toContain('2 files; 1 named by a case, 1 unnamed but stored within 24 h (kept), 0 unnamed and older removed');

    const dry = await runTool('cli/evidence-gc.ts', ['--older-than-hours', '0', '--dry-run'], toolEnv(data));
    expect(dry.stdout.toString()).toContain(`would remove ${orphan} (${ORPHAN.length} bytes`);
    expect(await files.has(orphan)).toBe(true);

    const wet = await runTool('cli/evidence-gc.ts', ['--older-than-hours', '0'], toolEnv(data));
    expect(wet.code).toBe(0);
    expect(wet.stdout.toString()).toContain(`removed ${orphan}`);
    expect(wet.stdout.toString()).not.toContain(named);
    expect(existsSync(join(data, 'evidence', evidenceKeyOf(orphan)))).toBe(false);
    expect(await files.check(named)).toBe('intact');
  });

  it('removes only the orphan from a bucket too', async () => {
    const { data, named, orphan, files } = await office('s3-gc', () => createS3EvidenceStore(s3.settings, { maxBytes: 1024 }));
    const wet = await runTool('cli/evidence-gc.ts', ['--older-than-hours', '0'], s3Env(data));
    expect(wet.code).toBe(0);
    expect(wet.stdout.toString()).toContain(`removed ${orphan}`);
    expect(wet.stdout.toString()).toContain(`bucket ${s3.settings.bucket}: 2 files; 1 named by a case`);
    expect(await files.has(orphan)).toBe(false);
    expect(await files.check(named)).toBe('intact');
  });

  it('refuses an argument it does not know, naming the usage', async () => {
    const run = await runTool('cli/evidence-gc.ts', ['--older-than', '3'], toolEnv(join(dir, 'none')));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('usage: npm run evidence:gc');
  });
});

describe('verify and backup with the files in a bucket', () => {
  it('verify hashes the objects a case names: intact passes, an object changed in the bucket is a finding', async () => {
    const { data, named } = await office('s3-verify', () => createS3EvidenceStore(s3.settings, { maxBytes: 1024 }));
    const intact = await runTool('cli/verify.ts', [], s3Env(data));
    expect(intact.stdout.toString()).toContain('1 evidence files checked against their hashes');
    expect(intact.code).toBe(0);
    await s3.client.send(new PutObjectCommand({ Bucket: s3.settings.bucket, Key: evidenceKeyOf(named), Body: Buffer.from('%PDF-1.7\nanother report\n%%EOF\n') }));
    const altered = await runTool('cli/verify.ts', [], s3Env(data));
    expect(altered.stdout.toString()).toContain(`EVIDENCE ${REVIEW} at revision 1: file ${named} (audit.pdf) altered`);
    expect(altered.code).toBe(1);
  });

  it('backup copies no files from a bucket and says in its manifest that the bucket backs them up', async () => {
    const { data } = await office('s3-backup', () => createS3EvidenceStore(s3.settings, { maxBytes: 1024 }));
    const to = join(dir, 's3-backup-copy');
    const run = await runTool('cli/backup.ts', ['--to', to], s3Env(data));
    expect(run.code).toBe(0);
    expect(run.stdout.toString()).toContain(`evidence files are not in this backup`);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')));
    expect(manifest.evidenceStore).toMatchObject({ kind: 's3', bucket: s3.settings.bucket, endpoint: s3.endpoint, note: expect.stringContaining('versioning and replication') });
    expect(manifest.files.filter((f) => f.kind === 'evidence')).toEqual([]);
    expect(existsSync(join(to, 'evidence'))).toBe(false);
  });
});
