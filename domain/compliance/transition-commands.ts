import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { OpenProcurement, TransitionEventSchemas } from './transition-events';

/**
 * Commands of a revocation transition, all given by the engine. Each carries the procurements open on
 * the offering as an activity found them in the PSE register, so the decider stays pure.
 */
export const TransitionCommandPayloads = {
  StartRevocationTransition: TransitionEventSchemas.RevocationTransitionStarted.extend({ open: z.array(OpenProcurement) }),
  /** At the migration deadline: the procurements still open then. */
  CloseRevocationTransition: z.object({ stillOpen: z.array(OpenProcurement) }),
} as const;

type Payloads = typeof TransitionCommandPayloads;
export type TransitionCommandType = keyof Payloads;
export type TransitionCommand = {
  [K in TransitionCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[TransitionCommandType];
export type TransitionCommandOf<K extends TransitionCommandType> = Extract<TransitionCommand, { type: K }>;

/**
 * The transition has no policy of its own: its deadline is the revocation's `transitionUntil`, set by
 * the accreditation policy. Its events are stamped with this version.
 */
export const TRANSITION_POLICY_VERSION = 'cloud-first-2022/transition-1';

export interface TransitionDecideContext {
  /** The instant the command is handled at (workflow time), ISO. */
  now: string;
}
