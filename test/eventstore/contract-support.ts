/**
 * What the event store contract's sections share: events to append, small waits, and the world each
 * section runs in (test/eventstore/contract.ts builds it).
 */
import { randomUUID } from 'node:crypto';
import { EventMetadata } from '../../eventstore/envelope';
import type { EventStore, EventToAppend, Subscription } from '../../eventstore/port';

/** What a section of the contract gets from the suite: the store of the running test, and names no run has used. */
export interface ContractWorld {
  /** The fresh store of the running test (set by the suite's beforeEach). */
  store(): EventStore;
  /** A stream name no earlier test or run has used. */
  newStream(label: string): string;
  /** A category name (no dash) no earlier test or run has used. */
  newCategory(): string;
  /** Subscriptions the suite closes after each test. */
  readonly open: Subscription[];
  /** Whether an event id may appear only once in the whole log (ContractOptions.globallyUniqueEventIds). */
  readonly uniqueIds: boolean;
}

export const metadata = (over: Partial<EventMetadata> = {}): EventMetadata => ({
  schemaVersion: 1,
  actor: { userId: 'u-contract', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' },
  occurredAt: '2026-03-01T09:30:00.000Z',
  correlationId: 'noc:contract',
  causationId: 'cmd-contract',
  policyVersion: 'noc-policy-2026.1',
  ...over,
});

export const event = (label: string, data: Record<string, unknown> = {}, meta: Partial<EventMetadata> = {}): EventToAppend => ({
  id: randomUUID(),
  type: 'ContractTested',
  data: { label, ...data },
  metadata: metadata(meta),
});

export const events = (n: number, prefix = 'e'): EventToAppend[] => Array.from({ length: n }, (_, i) => event(`${prefix}${i}`));

export const ids = (list: readonly { id: string }[]): string[] => list.map((e) => e.id);

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
