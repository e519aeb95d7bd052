import { z } from 'zod';
import { IsoDateTime } from '../shared/vocabulary';
import { OpenProcurement, TransitionCause, TransitionEventSchemas } from './transition-events';

const Text = z.string().trim().min(1);

/**
 * Version 1 of the transition events that version 2 changed, as releases before it wrote them. Nothing
 * writes them any more; every read lifts them (eventstore/registry.ts).
 *
 * Version 1 named the ending's instant `revokedAt` whatever the ending was, and left `cause` out for a
 * revocation (the only ending that started a migration period until expiry and withdrawal did too), so
 * every reader had to know that an absent cause meant "revoked".
 */
export const TransitionEventSchemasV1 = {
  RevocationTransitionStarted: z.object({
    applicationId: Text,
    offeringId: Text,
    cspId: Text,
    revokedAt: IsoDateTime,
    migrateBy: IsoDateTime,
    cause: TransitionCause.optional(),
  }),
  PseTransitionNoticeIssued: OpenProcurement.extend({ offeringId: Text, migrateBy: IsoDateTime, cause: TransitionCause.optional() }),
} as const;

type V1<K extends keyof typeof TransitionEventSchemasV1> = z.output<(typeof TransitionEventSchemasV1)[K]>;
type V2<K extends keyof typeof TransitionEventSchemasV1> = z.input<(typeof TransitionEventSchemas)[K]>;

/** Pure: a version 1 start as version 2: `revokedAt` is the ending's instant, whatever the cause. */
export function transitionStartedV1ToV2(v1: V1<'RevocationTransitionStarted'>): V2<'RevocationTransitionStarted'> {
  const { revokedAt, cause, ...rest } = v1;
  return { ...rest, endedAt: revokedAt, cause: cause ?? 'revoked' };
}

/** Pure: a version 1 notice as version 2. */
export function transitionNoticeV1ToV2(v1: V1<'PseTransitionNoticeIssued'>): V2<'PseTransitionNoticeIssued'> {
  return { ...v1, cause: v1.cause ?? 'revoked' };
}
