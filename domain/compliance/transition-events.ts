import { z } from 'zod';
import { IsoDateTime, Jurisdiction } from '../shared/vocabulary';

const Text = z.string().trim().min(1);

/** A procurement recorded on the revoked offering and not ended, as the PSE register holds it. */
export const OpenProcurement = z.object({
  pseId: Text,
  procurementId: Text,
  /** The entity's jurisdiction: who may see its notices (provincial offices see their own). */
  jurisdiction: Jurisdiction,
});
export type OpenProcurement = z.infer<typeof OpenProcurement>;

/** How the accreditation ended: each gives the PSEs on the offering a migration period (SPEC §3.1). */
export const TRANSITION_CAUSES = ['revoked', 'expired', 'withdrawn'] as const;
export const TransitionCause = z.enum(TRANSITION_CAUSES);
export type TransitionCause = z.infer<typeof TransitionCause>;

/**
 * Events of one migration period after an accreditation ended (SPEC §3.1: revocation, expiry,
 * withdrawal), stream `transition-<applicationId>`. The type names keep the word "revocation" from when
 * revocation was the only cause (a stored event's type never changes). `RevocationTransitionStarted` and
 * `PseTransitionNoticeIssued` are at version 2 (the ending's instant is `endedAt`, and `cause` is always
 * there); version 1 and its lift are in transition-events-v1.ts. The other two are at version 1.
 */
export const TransitionEventSchemas = {
  RevocationTransitionStarted: z.object({
    applicationId: Text,
    offeringId: Text,
    cspId: Text,
    /** When the accreditation ended (revoked, expired or withdrawn). */
    endedAt: IsoDateTime,
    migrateBy: IsoDateTime,
    cause: TransitionCause,
  }),
  /** One per procurement open at the ending: the entity is told to migrate by `migrateBy`, and why. */
  PseTransitionNoticeIssued: OpenProcurement.extend({ offeringId: Text, migrateBy: IsoDateTime, cause: TransitionCause }),
  /** At the deadline, one per procurement still open on the offering: it counts against the entity's compliance. */
  ProcurementFlaggedNonCompliant: OpenProcurement.extend({ offeringId: Text, migrateBy: IsoDateTime }),
  RevocationTransitionEnded: z.object({ flagged: z.number().int().nonnegative() }),
} as const;

type Schemas = typeof TransitionEventSchemas;
export type TransitionEventType = keyof Schemas;
export type TransitionEvent = { [K in TransitionEventType]: { type: K; data: z.infer<Schemas[K]> } }[TransitionEventType];
export type TransitionEventOf<K extends TransitionEventType> = Extract<TransitionEvent, { type: K }>;

export const TRANSITION_EVENT_TYPES = Object.keys(TransitionEventSchemas) as TransitionEventType[];
