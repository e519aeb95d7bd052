import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { Baseline, DataClass, IsoDateTime } from '../shared/vocabulary';
import { Score } from '../framework/schema';
import { TransitionDays } from '../shared/bounds';
import { AccreditationApplication, Evidence, SecurityReviewOutcome } from './events';

const Text = z.string().trim().min(1);

/** Payloads of the accreditation commands, as people send them; the actor is added by the authenticated edge. */
export const AccreditationCommandPayloads = {
  Submit: AccreditationApplication,
  StartScreening: z.object({}),
  RequestInformation: z.object({ questions: Text.max(5000) }),
  ProvideInformation: z.object({ answer: Text.max(10000), evidence: z.array(Evidence).max(100).default([]) }),
  CompleteScreening: z.object({ notes: Text.max(5000) }),
  ScoreCriteria: z.object({
    scores: z.record(z.string(), Score).refine((s) => Object.keys(s).length > 0, 'at least one criterion'),
    rationale: Text.max(10000),
  }),
  RecordSecurityReview: z.object({ outcome: SecurityReviewOutcome, notes: Text.max(10000) }),
  Decide: z.discriminatedUnion('decision', [
    z.object({
      decision: z.literal('approve'),
      baseline: Baseline,
      highestDataClass: DataClass,
      conditions: z.array(Text.max(1000)).max(50).default([]),
      reasons: Text.max(5000),
      /** Defaults to the policy's validity from now; never longer. */
      validUntil: IsoDateTime.optional(),
    }),
    z.object({ decision: z.literal('reject'), reasons: Text.max(5000) }),
  ]),
  Renew: z.object({ reasons: Text.max(5000) }),
  Suspend: z.object({ reasons: Text.max(5000) }),
  Reinstate: z.object({ reasons: Text.max(5000) }),
  Revoke: z.object({ reasons: Text.max(5000), transitionDays: TransitionDays.optional() }),
  Withdraw: z.object({ reason: Text.max(5000) }),
  /** Issued by the engine's timers. */
  Lapse: z.object({}),
  OpenRenewalWindow: z.object({}),
  Expire: z.object({}),
} as const;

type Payloads = typeof AccreditationCommandPayloads;
export type AccreditationCommandType = keyof Payloads;
export type AccreditationCommand = {
  [K in AccreditationCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[AccreditationCommandType];
export type AccreditationCommandOf<K extends AccreditationCommandType> = Extract<AccreditationCommand, { type: K }>;

/** Commands that the engine issues by itself, never a person. */
export const ACCREDITATION_SYSTEM_COMMANDS: readonly AccreditationCommandType[] = ['Lapse', 'OpenRenewalWindow', 'Expire'];
