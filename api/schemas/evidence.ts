import { z } from 'zod';
import { EvidenceFile, Sha256Hex } from '../../domain/shared/evidence-file';

export const UploadEvidenceQuery = z.object({
  /** What the person calls the file; recorded with its hash when a command names it. */
  filename: z.string().trim().min(1).max(255),
});

export const EvidenceHashParams = z.object({ sha256: Sha256Hex });

/** What an upload answers: the entry to put in a command's `files`. */
export const StoredEvidenceFile = EvidenceFile;
