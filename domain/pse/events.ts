import { z } from 'zod';
import { Decision } from '../procurement/answer';
import { DataClass, IsoDateTime, Jurisdiction } from '../shared/vocabulary';

const Text = z.string().trim().min(1);

/** A public service entity as the register knows it (SPEC §2, "PSE"). */
export const PseDetails = z.object({
  name: Text.max(200),
  /** The ministry or division the entity belongs to; adoption figures are grouped by it. */
  ministry: Text.max(200),
  jurisdiction: Jurisdiction,
});
export type PseDetails = z.infer<typeof PseDetails>;

/** A workload a PSE put on an offering: the system, and the class of data it holds there. */
export const Procurement = z.object({
  procurementId: Text.max(100),
  offeringId: Text.max(100),
  dataClass: DataClass,
  /** The system (application, service) the entity runs on the offering. */
  system: Text.max(200),
});
export type Procurement = z.infer<typeof Procurement>;

/** What the procurement check said when the procurement was recorded; never `denied`. */
export const RecordedCheck = z.object({
  decision: Decision.exclude(['denied']),
  /** The codes of the answer's reasons, in the answer's order. */
  reasons: z.array(Text),
  /** For `allowed-by-noc`: the NOC that permits it and when that permission ends. */
  noc: z.object({ nocId: Text, validUntil: IsoDateTime }).optional(),
  evaluatedAt: IsoDateTime,
});
export type RecordedCheck = z.infer<typeof RecordedCheck>;

/** Why a register entry was corrected or moved: kept with the event, shown with the entry. */
export const AmendmentReason = Text.max(2000);

/** The PSE register's events (stream `pse-<pseId>`), version 1. */
export const PseEventSchemas = {
  PseRegistered: PseDetails.extend({ pseId: Text, registeredBy: Text, registeredAt: IsoDateTime }),
  /** The entity's name or ministry was wrong on the register: both as they now read, and as they read before. */
  PseDetailsCorrected: z.object({
    name: PseDetails.shape.name,
    ministry: PseDetails.shape.ministry,
    was: z.object({ name: PseDetails.shape.name, ministry: PseDetails.shape.ministry }),
    reason: AmendmentReason,
    correctedBy: Text,
    correctedAt: IsoDateTime,
  }),
  /** The entity now belongs to another jurisdiction; NOCs it already holds keep the one they were requested in. */
  PseJurisdictionChanged: z.object({
    jurisdiction: Jurisdiction,
    was: Jurisdiction,
    reason: AmendmentReason,
    changedBy: Text,
    changedAt: IsoDateTime,
  }),
  ProcurementRecorded: Procurement.extend({ check: RecordedCheck, recordedBy: Text, recordedAt: IsoDateTime }),
  ProcurementEnded: z.object({ procurementId: Text, reason: Text.max(2000), endedBy: Text, endedAt: IsoDateTime }),
} as const;

type Schemas = typeof PseEventSchemas;
export type PseEventType = keyof Schemas;
export type PseEvent = { [K in PseEventType]: { type: K; data: z.infer<Schemas[K]> } }[PseEventType];
export type PseEventOf<K extends PseEventType> = Extract<PseEvent, { type: K }>;

export const PSE_EVENT_TYPES = Object.keys(PseEventSchemas) as PseEventType[];
