import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { SignificantChange } from './change-events';

const Text = z.string().trim().min(1);

/** Payloads of the significant change commands; the actor is added by the authenticated edge. */
export const ChangeCommandPayloads = {
  RequestSignificantChange: SignificantChange,
  RecommendChange: z.object({ recommendation: z.enum(['approve', 'reject']), reasons: Text.max(5000) }),
  DecideChange: z.object({ decision: z.enum(['approve', 'reject']), reasons: Text.max(5000) }),
} as const;

type Payloads = typeof ChangeCommandPayloads;
export type ChangeCommandType = keyof Payloads;
export type ChangeCommand = {
  [K in ChangeCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[ChangeCommandType];
export type ChangeCommandOf<K extends ChangeCommandType> = Extract<ChangeCommand, { type: K }>;
