import { z } from 'zod';
import { CspCommandPayloads, Offering, OfferingDetails, Organisation, type CspState } from '../../domain/csp';
import type { CspView } from '../../workflows/csp/messages';
import { IsoDateTime } from '../../domain/shared/vocabulary';
import type { Same } from './same-shape';

/**
 * The CSP register endpoints' schemas: requests are parsed with them, and the OpenAPI document
 * describes responses with them; the check at the bottom keeps the view schema equal to its type.
 */
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores');

export const RegisterCspBody = CspCommandPayloads.RegisterCsp.extend({ cspId: Id });
export const AddOfferingBody = Offering.extend({ offeringId: Id });
/** The fields that change; the offering is named by the path. */
export const UpdateOfferingBody = OfferingDetails.partial().refine(
  (d) => Object.values(d).some((v) => v !== undefined),
  { message: 'nothing to update' },
);
export const RetireOfferingBody = z.object({ reason: z.string().trim().min(1).max(2000) });

export const CspIdParams = z.object({ cspId: Id });
export const OfferingParams = z.object({ cspId: Id, offeringId: Id });


export const CspStateSchema = z.union([
  z.object({ status: z.literal('none') }),
  z.object({
    status: z.literal('registered'),
    cspId: z.string(),
    organisation: Organisation,
    registeredBy: z.string(),
    registeredAt: IsoDateTime,
    offerings: z.record(
      z.string(),
      Offering.extend({
        status: z.enum(['active', 'retired']),
        /** The accreditation applications the offering holds (accredited or suspended): its deploymentModel and dataCentres then change only through an approved significant change. */
        heldBy: z.array(z.string()).optional(),
        /** The approved significant changes that have taken effect on it. */
        appliedChanges: z.array(z.string()).optional(),
      }),
    ),
  }),
]);

export const CspViewSchema = z.object({
  state: CspStateSchema,
  /** Revision of the CSP's event stream after its last event. */
  revision: z.number().int(),
});

const sameShapes: [Same<z.output<typeof CspStateSchema>, CspState>, Same<z.output<typeof CspViewSchema>, CspView>] = [true, true];
void sameShapes;
