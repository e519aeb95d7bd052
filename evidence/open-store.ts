import type { EvidenceStoreSettings } from '../config/evidence-store';
import { createFsEvidenceStore } from './fs-store';
import type { EvidenceLimits, EvidenceStore } from './port';
import { createS3EvidenceStore } from './s3-store';

/** The evidence store the configuration names: the API, verify, dossier, backup and the clean-up all open it here. */
export function openEvidenceStore(config: { dataDir: string; evidence: EvidenceLimits & { store: EvidenceStoreSettings } }): EvidenceStore {
  const settings = config.evidence.store;
  return settings.kind === 's3' ? createS3EvidenceStore(settings, config.evidence) : createFsEvidenceStore(config.dataDir, config.evidence);
}
