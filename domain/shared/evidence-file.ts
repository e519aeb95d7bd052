import { z } from 'zod';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 hash: 64 lowercase hexadecimal digits');

/**
 * A file handed in as evidence, as the event records it: the hash names the stored bytes (see
 * evidence/port.ts), the rest is what the person called it and what the office found it to be.
 */
export const EvidenceFile = z.object({
  sha256: Sha256Hex,
  filename: z.string().trim().min(1).max(255),
  size: z.number().int().nonnegative(),
  contentType: z.string().trim().min(1).max(200),
});
export type EvidenceFile = z.infer<typeof EvidenceFile>;

export const EvidenceFiles = z.array(EvidenceFile).max(20);
