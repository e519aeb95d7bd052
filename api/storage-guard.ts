import { DomainError } from '../domain/shared/errors';
import type { EventStore } from '../eventstore/port';

/** The default room the event store keeps for the processes already running (timers, reminders, appends in flight). */
export const DEFAULT_STORE_RESERVE_BYTES = 16 * 1024 * 1024;

/**
 * Refuses a person's write before anything starts while the event store has less than `reserveBytes`
 * left. A write through a case's process that met a full store part way would leave the process
 * retrying its append until space is back, and the person waiting; refused here, nothing is started,
 * nothing is written, and the same request (same Idempotency-Key) is taken once space is back. The
 * reserve is what lets the processes already running keep writing meanwhile. A store that cannot tell
 * its space (EventStoreDB) is never refused here; its appends answer for themselves.
 */
export function createStorageGuard(store: Pick<EventStore, 'spaceLeft'>, reserveBytes = DEFAULT_STORE_RESERVE_BYTES): () => Promise<void> {
  return async () => {
    const left = await store.spaceLeft?.();
    if (left === undefined || left >= reserveBytes) return;
    throw new DomainError(
      'UNAVAILABLE',
      `The event store has no space left (${kib(left)} free, below the ${kib(reserveBytes)} kept for running processes); nothing was done; try again once space is freed`,
    );
  };
}

const kib = (bytes: number): string => `${Math.max(0, Math.floor(bytes / 1024))} KiB`;
