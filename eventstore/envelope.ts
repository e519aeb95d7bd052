import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Jurisdiction, Role } from '../domain/shared/vocabulary';
import { Traceparent } from '../tracing/traceparent';

/** What every event carries besides its data (SPEC §4). */
export const EventMetadata = z.object({
  /** The version of the event's data schema it was written with; read back, an absent one is 1 (eventstore/upcasting.ts). */
  schemaVersion: z.number().int().positive(),
  actor: z.object({
    userId: z.string().min(1),
    name: z.string().min(1).optional(),
    role: Role,
    jurisdiction: Jurisdiction.optional(),
  }),
  occurredAt: z.iso.datetime({ offset: true }),
  /** The process the event belongs to (the workflow id). */
  correlationId: z.string().min(1),
  /** The command that caused it (an update id, a timer, a request id). */
  causationId: z.string().min(1),
  /** The policy or benchmark framework version in force for the case. */
  policyVersion: z.string().min(1),
  /**
   * The person's command that caused the event, as the API signed it (domain/shared/signed-command.ts):
   * `npm run verify` checks its seal. The engine's own steps, and events recorded before seals, have none.
   */
  command: z
    .object({ type: z.string().min(1), commandId: z.string().min(1), actor: z.record(z.string(), z.unknown()), data: z.unknown(), seal: z.record(z.string(), z.unknown()) })
    .optional(),
  /**
   * The trace the append was part of (tracing/event-store.ts), so the projector's spans join it. Only
   * with tracing on; sealed by the hash chain like the rest; events written before it have none.
   */
  traceparent: Traceparent.optional(),
  /** The event's link in its stream's hash chain, written by the store port (eventstore/integrity). */
  integrity: z.object({ prev: z.string().regex(/^[0-9a-f]{64}$/), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});
export type EventMetadata = z.infer<typeof EventMetadata>;

/** Stream names per SPEC §4: `<category>-<id>`. */
export const STREAM_CATEGORIES = ['accreditation', 'review', 'noc', 'csp', 'offering', 'pse', 'audit', 'monitoring', 'change', 'transition', 'account', 'framework', 'registration', 'notes'] as const;
export type StreamCategory = (typeof STREAM_CATEGORIES)[number];

export function streamName(category: StreamCategory, id: string): string {
  return `${category}-${id}`;
}

export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash < 0 ? stream : stream.slice(0, dash);
}

/**
 * A deterministic UUID (version 5 layout, SHA-1) for the event at `revision` of `stream`. The same step
 * retried gets the same id, which the store recognises and does not write again.
 */
export function eventId(stream: string, revision: number): string {
  const hash = createHash('sha1').update(`cloud-office:${stream}:${revision}`).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = ((b[6] as number) & 0x0f) | 0x50;
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
