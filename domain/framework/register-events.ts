import { z } from 'zod';
import { IsoDateTime } from '../shared/vocabulary';
import { BenchmarkFramework } from './schema';

const Text = z.string().trim().min(1);

/**
 * The framework register: every version of the benchmark framework the office has proposed, approved
 * or rejected. A proposal carries the whole validated document, so the register alone says what any
 * version asked of applicants, and from when.
 */
export const FrameworkRegisterEventSchemas = {
  FrameworkVersionProposed: z.object({
    version: Text,
    framework: BenchmarkFramework,
    effectiveFrom: IsoDateTime,
    /** What the version changes, in the office's words (the criteria diff is computed, not typed). */
    changes: Text,
    proposedBy: Text,
    proposedByName: Text.optional(),
  }),
  FrameworkVersionApproved: z.object({ version: Text, effectiveFrom: IsoDateTime, approvedBy: Text, approvedByName: Text.optional() }),
  FrameworkVersionRejected: z.object({ version: Text, reasons: Text, rejectedBy: Text }),
} as const;

type Schemas = typeof FrameworkRegisterEventSchemas;
export type FrameworkRegisterEventType = keyof Schemas;
export type FrameworkRegisterEvent = {
  [K in FrameworkRegisterEventType]: { type: K; data: z.infer<Schemas[K]> };
}[FrameworkRegisterEventType];
