import { z } from 'zod';
import { Procurement, PseCommandPayloads, PseDetails, RecordedCheck, type PseState } from '../../domain/pse';
import { DataClass, IsoDateTime } from '../../domain/shared/vocabulary';
import type { PseView } from '../../workflows/pse/messages';
import type { Same } from './same-shape';

/**
 * The PSE register endpoints' schemas: requests are parsed with them, and the OpenAPI document
 * describes responses with them; the check at the bottom keeps the view schema equal to its type.
 */
const Id = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, dots, dashes or underscores');

export const RegisterPseBody = PseCommandPayloads.RegisterPse.extend({ pseId: Id });
/** The entity is the caller's own; the check's answer is computed by the server, never sent. */
export const RecordProcurementBody = z.object({
  offeringId: Id,
  dataClass: DataClass,
  system: z.string().trim().min(1).max(200),
});
export const EndProcurementBody = z.object({ reason: z.string().trim().min(1).max(2000) });

/** A correction names what it corrects: the name, the ministry or both, with the reason. */
export const CorrectPseBody = PseCommandPayloads.CorrectPseDetails.refine((b) => b.name !== undefined || b.ministry !== undefined, {
  message: 'give the name or the ministry to correct',
  path: ['name'],
});
export const ChangePseJurisdictionBody = PseCommandPayloads.ChangePseJurisdiction;

export const PseIdParams = z.object({ pseId: Id });
export const ProcurementParams = z.object({ procurementId: Id });


export const ProcurementRecordSchema = Procurement.extend({
  status: z.enum(['active', 'ended']),
  check: RecordedCheck,
  recordedBy: z.string(),
  recordedAt: IsoDateTime,
  endedAt: IsoDateTime.optional(),
});

export const PseAmendmentSchema = z.object({
  kind: z.enum(['details-corrected', 'jurisdiction-changed']),
  at: IsoDateTime,
  by: z.string(),
  reason: z.string(),
  from: PseDetails.partial(),
  to: PseDetails.partial(),
});

export const PseStateSchema = z.union([
  z.object({ status: z.literal('none') }),
  PseDetails.extend({
    status: z.literal('registered'),
    pseId: z.string(),
    registeredBy: z.string(),
    registeredAt: IsoDateTime,
    procurements: z.record(z.string(), ProcurementRecordSchema),
    /** Corrections and moves of the entry, oldest first. */
    amendments: z.array(PseAmendmentSchema).optional(),
  }),
]);

export const PseViewSchema = z.object({
  state: PseStateSchema,
  /** Revision of the PSE's event stream after its last event. */
  revision: z.number().int(),
});

/** One procurement as recorded (or ended), with the entity it belongs to. */
export const ProcurementResultSchema = z.object({
  pseId: z.string(),
  procurement: ProcurementRecordSchema,
  revision: z.number().int(),
});

const sameShapes: [Same<z.output<typeof PseStateSchema>, PseState>, Same<z.output<typeof PseViewSchema>, PseView>] = [true, true];
void sameShapes;
