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

/**
 * An as-of view's rows cross in pages, each sent only once the API's thread asked for more: tens of
 * thousands of rows in one message would hold that thread while it decodes them, the very stall the audit
 * thread is there to take away.
 */
export const ROWS_PER_MESSAGE = 500;

/** The audit thread's answers to job `id`: it began, pages of an as-of view's rows, then its answer (an as-of view without its rows) or why it failed. */
export type AuditThreadReply =
  | { id: number; type: 'started' }
  | { id: number; type: 'rows'; table: string; rows: Record<string, unknown>[] }
  | { id: number; type: 'done'; answer: AsOfAnswer | StoreVerification }
  | { id: number; type: 'failed'; error: { code?: string; message: string } };
