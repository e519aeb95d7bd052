import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
