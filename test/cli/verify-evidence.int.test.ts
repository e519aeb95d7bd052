import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventId } from '../../eventstore/envelope';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import { DEFAULT_EVIDENCE_MAX_BYTES } from '../../evidence/port';
import { runTool, toolEnv } from './run-tool';

/**
 * `npm run verify` hashes every evidence file an event names: a file changed on disk after it was
 * handed in fails the verification, naming the case, the event and the hash.
 */
let dir: string;
let data: string;
let sha256: string;

const REVIEW = 'review-REV-9';
const actor = { userId: 'csp-rep', role: 'csp' as const };
const metadata = (causationId: string) => ({ schemaVersion: 1, actor, occurredAt: '2030-01-01T00:00:00.000Z', correlationId: REVIEW, causationId, policyVersion: 'cloud-first-2022/compliance-1' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'verify-evidence-'));
  data = join(dir, 'data');
  const files = createFsEvidenceStore(data, { maxBytes: DEFAULT_EVIDENCE_MAX_BYTES });
  const file = await files.put(Buffer.from('%PDF-1.7\nthe penetration test report\n%%EOF\n'), { filename: 'pentest.pdf', contentType: 'application/pdf' });
  sha256 = file.sha256;
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: join(data, 'events.db'), synchronous: 'OFF' }));
  await store.append(
    REVIEW,
    [
      {
        id: eventId(REVIEW, 0),
        type: 'ReviewOpened',
        data: { reviewId: 'REV-9', applicationId: 'ACC-9', offeringId: 'off-9', cspId: 'csp-nine', trigger: 'incident', description: 'Outage', openedBy: 'reviewer', openedAt: '2030-01-01T00:00:00.000Z' },
        metadata: { ...metadata('open'), actor: { userId: 'reviewer', role: 'reviewer' as const } },
      },
      {
        id: eventId(REVIEW, 1),
        type: 'ReviewEvidenceSubmitted',
        data: { summary: 'The report', documents: [], files: [file], submittedBy: 'csp-rep' },
        metadata: metadata('submit'),
      },
    ],
    'no-stream',
  );
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify and the evidence files', () => {
  it('passes while every file an event names still hashes to its name', async () => {
    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    expect(run.stdout.toString()).toContain('1 evidence files checked against their hashes');
    expect(run.stdout.toString()).not.toContain('EVIDENCE ');
    expect(run.code).toBe(0);
  });

  it('lists the files in the case dossier with their hashes, each found intact', async () => {
    const run = await runTool('cli/dossier.ts', [REVIEW], toolEnv(data));
    const dossier = JSON.parse(run.stdout.toString()) as { files: unknown[]; verification: { intact: boolean } };
    expect(dossier.files).toEqual([{ revision: 1, type: 'ReviewEvidenceSubmitted', sha256, filename: 'pentest.pdf', size: expect.any(Number), contentType: 'application/pdf', stored: 'intact' }]);
    expect(dossier.verification.intact).toBe(true);
    const html = await runTool('cli/dossier.ts', [REVIEW, '--format', 'html'], toolEnv(data));
    expect(html.stdout.toString()).toContain(`<h2>Evidence files</h2>`);
    expect(html.stdout.toString()).toContain(`<code>${sha256}</code>`);
  });

  it('fails naming the case, the event and the hash when a stored file was altered, and so does the dossier', async () => {
    writeFileSync(join(data, 'evidence', 'sha256', sha256.slice(0, 2), sha256.slice(2)), '%PDF-1.7\na kinder report\n%%EOF\n');
    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    expect(run.stdout.toString()).toContain(`EVIDENCE ${REVIEW} at revision 1: file ${sha256} (pentest.pdf) altered`);
    expect(run.code).toBe(1);
    const dossier = await runTool('cli/dossier.ts', [REVIEW], toolEnv(data));
    expect(JSON.parse(dossier.stdout.toString()).verification).toMatchObject({ intact: false, fileFindings: [{ sha256, stored: 'altered' }] });
    expect(dossier.code).toBe(1);
  });

  it('fails naming the file when it is gone', async () => {
    rmSync(join(data, 'evidence', 'sha256', sha256.slice(0, 2), sha256.slice(2)));
    const run = await runTool('cli/verify.ts', [], toolEnv(data));
    expect(run.stdout.toString()).toContain(`EVIDENCE ${REVIEW} at revision 1: file ${sha256} (pentest.pdf) missing`);
    expect(run.code).toBe(1);
  });
});
