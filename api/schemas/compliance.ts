import { z } from 'zod';
import { ComplianceDashboardRow, ComplianceTaskRow } from '../../projections/compliance/queries';

/** The compliance read side's endpoints: query parameters parsed with these, responses described by them. */
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores');

export const ComplianceDashboardQuery = z.object({
  /** Only this offering. */
  offering: Id.optional(),
  /** Only this provider's offerings (staff only: a provider always sees its own). */
  csp: Id.optional(),
});

export const ComplianceDashboard = z.object({ asOf: z.iso.datetime({ offset: true }), items: z.array(ComplianceDashboardRow) });
export const ComplianceQueue = z.object({ items: z.array(ComplianceTaskRow) });
