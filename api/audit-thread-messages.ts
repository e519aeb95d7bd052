import { z } from 'zod';
import type { StoreVerification } from '../eventstore/integrity/verify-store';
import type { AsOfAnswer } from './audit-jobs';

/** What the audit thread opens for itself: files, never the API's connections (they cannot cross threads). */
export const AuditThreadFiles = z.object({
  eventStorePath: z.string().min(1),
  trustedKeys: z.record(z.string(), z.string()),
  progressPath: z.string().min(1).optional(),
  snapshotsPath: z.string().min(1).optional(),
});
export type AuditThreadFiles = z.infer<typeof AuditThreadFiles>;

/** The audit thread's answers to job `id`: it began, then its answer or why it failed. */
export type AuditThreadReply =
  | { id: number; type: 'started' }
  | { id: number; type: 'done'; answer: AsOfAnswer | StoreVerification }
  | { id: number; type: 'failed'; error: { code?: string; message: string } };
