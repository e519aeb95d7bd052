import type { EventMetadata } from '../envelope';

/**
 * EventStoreDB reads `$correlationId` and `$causationId` from event metadata (its $by_correlation_id
 * projection, its UI), so our two ids travel under those keys; the rest of the metadata as is.
 */
export function toEsdbMetadata(metadata: EventMetadata): Record<string, unknown> {
  const { correlationId, causationId, ...rest } = metadata;
  return { ...rest, $correlationId: correlationId, $causationId: causationId };
}

export function fromEsdbMetadata(raw: unknown): EventMetadata {
  if (typeof raw !== 'object' || raw === null || raw instanceof Uint8Array) {
    // Not ours (written by another tool): handed on as is, the registry's decode() rejects it loudly.
    return raw as EventMetadata;
  }
  const { $correlationId, $causationId, ...rest } = raw as Record<string, unknown>;
  return { ...rest, correlationId: $correlationId, causationId: $causationId } as EventMetadata;
}
