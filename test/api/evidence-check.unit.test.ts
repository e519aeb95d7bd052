import type { ApiDeps } from '../../api/deps';
import { requireStoredEvidence } from '../../api/evidence-check';
import { memoryEvidenceStore } from '../support/memory-evidence';

/** A command naming evidence files reaches its process only when each file was uploaded as described. */
const store = memoryEvidenceStore(1024);
const deps = { evidence: { store, references: { referencesTo: () => [] }, maxBytes: 1024 } } as unknown as ApiDeps;
let stored: Awaited<ReturnType<typeof store.put>>;

beforeAll(async () => {
  stored = await store.put(Buffer.from('a,b\n1,2\n'), { filename: 'controls.csv', contentType: 'text/csv' });
});

describe('checking the evidence files a command names', () => {
  it('lets through a command whose files were uploaded as described, and one that names none', async () => {
    await expect(requireStoredEvidence(deps, 'SubmitEvidence', { summary: 's', documents: [], files: [stored] })).resolves.toBeUndefined();
    await expect(requireStoredEvidence(deps, 'Submit', { evidence: [{ kind: 'soc2', reference: 'r' }] })).resolves.toBeUndefined();
    await expect(requireStoredEvidence({} as ApiDeps, 'SubmitEvidence', { summary: 's', documents: [] })).resolves.toBeUndefined();
  });

  it('refuses a hash nobody uploaded, naming the field of the application evidence that names it', async () => {
    const unknown = { ...stored, sha256: 'e'.repeat(64) };
    await expect(
      requireStoredEvidence(deps, 'Submit', { evidence: [{ kind: 'soc2', reference: 'r' }, { kind: 'other', reference: 'x', files: [stored, unknown] }] }),
    ).rejects.toMatchObject({ code: 'EVIDENCE_FILE_UNKNOWN', field: 'evidence.1.files.1.sha256' });
  });

  it('refuses a size or a type other than what the office found at upload', async () => {
    await expect(requireStoredEvidence(deps, 'ProvideInformation', { evidence: [{ kind: 'soc2', reference: 'r', files: [{ ...stored, size: 3 }] }] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'evidence.0.files.0.size',
    });
    await expect(requireStoredEvidence(deps, 'SubmitEvidence', { files: [{ ...stored, contentType: 'application/pdf' }] })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'files.0.contentType',
    });
  });

  it('refuses files on a server without an evidence store', async () => {
    await expect(requireStoredEvidence({} as ApiDeps, 'SubmitEvidence', { files: [stored] })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
