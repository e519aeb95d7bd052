import { z } from 'zod';
import { DataCentre, ServiceModel } from '../../domain/csp/events';
import { DeploymentModel } from '../../domain/procurement/hosting-rules';
import { PageOffset, pageLimit } from '../../domain/shared/bounds';
import { Baseline, DataClass, IsoDateTime, Role } from '../../domain/shared/vocabulary';
import { CHANGE_KINDS, ENDED_STATUSES, LISTED_STATUSES } from '../../projections/accreditation/accredited-list';
import type { AccreditationChangeRow, AccreditedListRow, OfferingRecord } from '../../projections/accreditation/queries';
import type { Same } from './same-shape';

/**
 * The public endpoints' schemas: anyone may read the accredited list, its change log and the
 * procurement check (SPEC §5). The compile-time check at the bottom keeps the response schemas equal
 * to the rows the read models return.
 */
export const ListedStatus = z.enum(LISTED_STATUSES);
export const PublicAccreditationStatus = z.enum([...LISTED_STATUSES, ...ENDED_STATUSES]);

export const AccreditedListRowSchema = z.object({
  offeringId: z.string(),
  offeringName: z.string(),
  cspId: z.string(),
  cspName: z.string().nullable(),
  deploymentModel: DeploymentModel,
  serviceModels: z.array(ServiceModel),
  dataCentres: z.array(DataCentre),
  applicationId: z.string(),
  status: ListedStatus,
  baseline: Baseline,
  highestDataClass: DataClass,
  accreditedSince: IsoDateTime,
  validFrom: IsoDateTime,
  validUntil: IsoDateTime,
  conditions: z.array(z.string()),
  updatedAt: IsoDateTime,
});

export const ChangeKind = z.enum(CHANGE_KINDS);

export const AccreditationChangeRowSchema = z.object({
  eventId: z.string().describe('The id of the event the entry records; stable'),
  kind: ChangeKind.describe('granted, renewed, suspended, reinstated, revoked, expired, withdrawn, or changed (the listed offering itself changed)'),
  offeringId: z.string(),
  offeringName: z.string(),
  applicationId: z.string(),
  from: ListedStatus.nullable(),
  to: PublicAccreditationStatus,
  at: IsoDateTime,
  reasons: z.string(),
  transitionUntil: IsoDateTime.nullable(),
  validUntil: IsoDateTime.nullable(),
  decidedBy: z.object({ name: z.string().nullable(), role: Role }),
});

export const AccreditedListQuery = z.object({
  format: z
    .enum(['json', 'csv'], { error: 'must be json or csv' })
    .default('json')
    .describe('json (the default) or csv: the same rows as a spreadsheet-friendly file'),
});

export const AccreditedList = z.object({ items: z.array(AccreditedListRowSchema) });

export const OfferingId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must be letters, digits, dots, colons, dashes or underscores');

export const AccreditationChangesQuery = z.object({
  offering: OfferingId.optional().describe('Only the changes of this offering'),
  limit: pageLimit(1000, 100),
  offset: PageOffset,
});

export const AccreditationChanges = z.object({
  items: z.array(AccreditationChangeRowSchema),
  limit: z.number().int(),
  offset: z.number().int(),
});

export const OfferingParams = z.object({ offeringId: OfferingId });

export const OfferingRecordSchema = AccreditedListRowSchema.pick({
  offeringId: true,
  offeringName: true,
  cspId: true,
  cspName: true,
  deploymentModel: true,
  serviceModels: true,
  dataCentres: true,
}).extend({
  status: PublicAccreditationStatus,
  retired: z.boolean().describe('The provider retired the offering: it is not on the list, whatever its accreditation'),
  accreditation: AccreditedListRowSchema.pick({
    applicationId: true,
    baseline: true,
    highestDataClass: true,
    accreditedSince: true,
    validFrom: true,
    validUntil: true,
    conditions: true,
  })
    .nullable()
    .describe('The accreditation the offering holds; null once it ended'),
  history: z.array(AccreditationChangeRowSchema).describe('Every entry of the change log about the offering, newest first'),
});

/** Holds only when A and B are the same type. */
const sameShapes: [
  Same<z.output<typeof AccreditedListRowSchema>, AccreditedListRow>,
  Same<z.output<typeof AccreditationChangeRowSchema>, AccreditationChangeRow>,
  Same<z.output<typeof OfferingRecordSchema>, OfferingRecord>,
] = [true, true, true];
void sameShapes;
