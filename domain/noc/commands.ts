import { z } from 'zod';
import { Actor } from '../shared/actor';
import { NocRequest } from './events';
import { IsoDateTime } from '../shared/vocabulary';
import { MonthsRequested } from '../shared/bounds';

const Text = z.string().trim().min(1);

/** Payloads of the NOC commands, as people send them; the actor is added by the authenticated edge. */
export const NocCommandPayloads = {
  RequestNoc: NocRequest.omit({ jurisdiction: true, pseId: true }).extend({ requestedMonths: MonthsRequested }),
  StartReview: z.object({}),
  RequestInformation: z.object({ questions: Text.max(5000) }),
  ProvideInformation: z.object({ answer: Text.max(10000) }),
  Recommend: z.object({
    recommendation: z.enum(['approve', 'reject']),
    reasons: Text.max(5000),
    conditions: z.array(Text.max(1000)).max(50).default([]),
  }),
  Decide: z.object({
    decision: z.enum(['approve', 'reject']),
    reasons: Text.max(5000),
    conditions: z.array(Text.max(1000)).max(50).optional(),
    validFrom: IsoDateTime.optional(),
    validUntil: IsoDateTime.optional(),
  }),
  RequestExtension: z.object({ months: MonthsRequested, justification: Text.max(5000) }),
  DecideExtension: z.object({ decision: z.enum(['approve', 'reject']), reasons: Text.max(5000) }),
  Revoke: z.object({ reasons: Text.max(5000) }),
  Withdraw: z.object({ reason: Text.max(5000) }),
  /** Issued by the engine's timers. */
  Lapse: z.object({}),
  RecordExpiryReminder: z.object({ daysBefore: z.number().int().positive() }),
  Expire: z.object({}),
} as const;

type Payloads = typeof NocCommandPayloads;
export type NocCommandType = keyof Payloads;

export type NocCommand = {
  [K in NocCommandType]: K extends 'RequestNoc'
    ? { type: K; actor: Actor; data: z.infer<Payloads[K]> & { nocId: string; pseId: string; jurisdiction: z.infer<typeof NocRequest>['jurisdiction'] } }
    : { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[NocCommandType];

export type NocCommandOf<K extends NocCommandType> = Extract<NocCommand, { type: K }>;

/** Commands that the engine issues by itself, never a person. */
export const NOC_SYSTEM_COMMANDS: readonly NocCommandType[] = ['Lapse', 'RecordExpiryReminder', 'Expire'];
