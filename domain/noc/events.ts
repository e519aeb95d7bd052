import { z } from 'zod';
import { DataClass, IsoDateTime, Jurisdiction } from '../shared/vocabulary';

export const DEVIATION_KINDS = [
  'non-accredited-offering',
  'on-premises-hosting',
  'restricted-data-outside-pakistan',
  'new-own-data-centre',
  'other',
] as const;
export const DeviationKind = z.enum(DEVIATION_KINDS);
export type DeviationKind = z.infer<typeof DeviationKind>;

const Text = z.string().trim().min(1);

/** What the PSE asks for; fixed once requested. */
export const NocRequest = z.object({
  nocId: Text,
  pseId: Text,
  jurisdiction: Jurisdiction,
  deviation: DeviationKind,
  description: Text.max(2000),
  justification: Text.max(5000),
  dataClass: DataClass,
  systems: z.array(Text.max(200)).min(1).max(50),
  /** The offering the deviation is about, when it concerns one. */
  offeringId: Text.optional(),
  requestedMonths: z.number().int().positive(),
});
export type NocRequest = z.infer<typeof NocRequest>;

/**
 * The NOC's domain events. Each data schema is version 1; a later version adds an upcaster in the
 * event registry rather than changing these.
 */
export const NocEventSchemas = {
  NocRequested: NocRequest.extend({ requestedBy: Text, requestedAt: IsoDateTime }),
  NocReviewStarted: z.object({ reviewerId: Text, reviewerName: Text }),
  NocInformationRequested: z.object({ questions: Text, dueBy: IsoDateTime, requestedBy: Text }),
  NocInformationProvided: z.object({ answer: Text, providedBy: Text }),
  NocLapsed: z.object({ reason: Text, dueBy: IsoDateTime }),
  NocRecommended: z.object({
    recommendation: z.enum(['approve', 'reject']),
    reasons: Text,
    conditions: z.array(Text),
    recommendedBy: Text,
    recommendedByName: Text,
  }),
  NocApproved: z.object({
    validFrom: IsoDateTime,
    validUntil: IsoDateTime,
    conditions: z.array(Text),
    reasons: Text,
    decidedBy: Text,
    decidedByName: Text,
  }),
  NocRejected: z.object({ reasons: Text, decidedBy: Text, decidedByName: Text }),
  NocExpiryReminderDue: z.object({ daysBefore: z.number().int().positive(), validUntil: IsoDateTime, pseId: Text }),
  NocExtensionRequested: z.object({ months: z.number().int().positive(), justification: Text, requestedBy: Text }),
  NocExtensionApproved: z.object({
    previousValidUntil: IsoDateTime,
    validUntil: IsoDateTime,
    reasons: Text,
    decidedBy: Text,
  }),
  NocExtensionRejected: z.object({ reasons: Text, decidedBy: Text }),
  NocExpired: z.object({ validUntil: IsoDateTime }),
  NocRevoked: z.object({ reasons: Text, revokedBy: Text }),
  NocWithdrawn: z.object({ reason: Text, withdrawnBy: Text, previousStatus: Text }),
} as const;

type Schemas = typeof NocEventSchemas;
export type NocEventType = keyof Schemas;
export type NocEvent = { [K in NocEventType]: { type: K; data: z.infer<Schemas[K]> } }[NocEventType];
export type NocEventOf<K extends NocEventType> = Extract<NocEvent, { type: K }>;

export const NOC_EVENT_TYPES = Object.keys(NocEventSchemas) as NocEventType[];
