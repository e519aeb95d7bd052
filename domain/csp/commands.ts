import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { Offering, OfferingDetails, Organisation } from './events';

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
} as const;

type Payloads = typeof CspCommandPayloads;
export type CspCommandType = keyof Payloads;
export type CspCommand = { [K in CspCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> } }[CspCommandType];
export type CspCommandOf<K extends CspCommandType> = Extract<CspCommand, { type: K }>;
