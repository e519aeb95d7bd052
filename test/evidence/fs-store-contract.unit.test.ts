import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import { evidenceKeyOf } from '../../evidence/port';
import { CONTRACT_MAX_BYTES, evidenceStoreContract } from './store-contract';

evidenceStoreContract('filesystem', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-contract-'));
  return {
    store: createFsEvidenceStore(dir, { maxBytes: CONTRACT_MAX_BYTES }),
    tamper: async (sha256, content) => writeFileSync(join(dir, 'evidence', evidenceKeyOf(sha256)), content),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('the filesystem evidence store, beyond the contract', () => {
  it('keeps each file in the data folder under evidence/, at the key its hash names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'evidence-layout-'));
    try {
      const store = createFsEvidenceStore(dir, { maxBytes: CONTRACT_MAX_BYTES });
      const content = Buffer.from('%PDF-1.4\n% a certificate\n%%EOF\n');
      const file = await store.put(content, { filename: 'certificate.pdf', contentType: 'application/pdf' });
      expect(store.kind).toBe('fs');
      expect(readFileSync(join(dir, 'evidence', evidenceKeyOf(file.sha256)))).toEqual(content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
