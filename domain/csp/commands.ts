import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { Offering, OfferingChanges, OfferingDetails, Organisation } from './events';

const Text = z.string().trim().min(1);

/** Payloads of the CSP register's commands; the actor is added by the authenticated edge. */
export const CspCommandPayloads = {
  RegisterCsp: Organisation.extend({ cspId: Text.max(100) }),
  AddOffering: Offering,
  /** Only the fields that change; at least one. */
  UpdateOffering: OfferingDetails.partial()
    .extend({ offeringId: Text })
    .refine((d) => Object.keys(d).some((k) => k !== 'offeringId' && d[k as keyof typeof d] !== undefined), {
      message: 'nothing to update',
    }),
  RetireOffering: z.object({ offeringId: Text, reason: Text.max(2000) }),
  /**
   * The engine's: a significant change as its own stream records it (read by the register process, never
   * taken from a caller), to take effect on the offering once approved.
   */
  ApplyApprovedChange: z.object({
    changeId: Text,
    cspId: Text,
    offeringId: Text,
    /** The change request's status as recorded; only `approved` takes effect. */
    status: Text,
    decidedBy: Text.optional(),
    offeringChanges: OfferingChanges.optional(),
  }),
  /** The engine's: an accreditation application's standing as its own stream records it. */
  RecordAccreditationStanding: z.object({
    applicationId: Text,
    cspId: Text,
    offeringId: Text,
    status: Text,
    /** Whether the application's status is one in which the offering holds an accreditation. */
    held: z.boolean(),
  }),
} as const;

/** Commands only the engine issues, from facts it read itself: no person's action can be one of them. */
export const CSP_ENGINE_COMMANDS = ['ApplyApprovedChange', 'RecordAccreditationStanding'] as const;

type Payloads = typeof CspCommandPayloads;
export type CspCommandType = keyof Payloads;
export type CspCommand = { [K in CspCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> } }[CspCommandType];
export type CspCommandOf<K extends CspCommandType> = Extract<CspCommand, { type: K }>;
