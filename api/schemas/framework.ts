import { z } from 'zod';
import { BenchmarkFramework } from '../../domain/framework/schema';

const Text = z.string().trim().min(1);

export const FrameworkVersionParams = z.object({ version: z.string().regex(/^\d+\.\d+$/, 'must be major.minor, e.g. 1.1') });

/** A director's proposal: the whole framework document (its version and effectiveFrom inside) and what it changes. */
export const ProposeFrameworkBody = z.object({
  framework: BenchmarkFramework,
  changes: Text.max(5000),
});

export const RejectFrameworkBody = z.object({ reasons: Text.max(5000) });

const Change = z.object({ from: z.number(), to: z.number() });
const CriterionRef = z.object({ id: z.string(), title: z.string(), groupId: z.string() });

export const FrameworkVersionSchema = z.object({
  version: z.string(),
  title: z.string(),
  status: z.enum(['proposed', 'approved', 'rejected']),
  effectiveFrom: z.string(),
  genesis: z.boolean(),
  changes: z.string().optional(),
  proposedBy: z.string().optional(),
  approvedBy: z.string().optional(),
  rejectedBy: z.string().optional(),
  rejectionReasons: z.string().optional(),
  diff: z
    .object({
      from: z.string(),
      to: z.string(),
      added: z.array(CriterionRef),
      removed: z.array(CriterionRef),
      changed: z.array(
        z.object({ id: z.string(), title: z.string(), weight: Change.optional(), minimum: z.record(z.string(), Change).optional() }),
      ),
    })
    .optional(),
  framework: BenchmarkFramework,
});

export const FrameworkVersionList = z.object({ versions: z.array(FrameworkVersionSchema) });
