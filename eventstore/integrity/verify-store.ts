import type { EventStore, Position } from '../port';
import { ChainVerifier, type ChainBreak } from './hash-chain';

export interface StoreVerification {
  streams: number;
  events: number;
  breaks: ChainBreak[];
}

/** Reads the whole log page by page and checks every stream's chain; memory grows with streams, not events. */
export async function verifyStore(
  store: EventStore,
  onProgress?: (events: number) => void,
  pageSize = 5_000,
): Promise<StoreVerification> {
  const verifier = new ChainVerifier();
  let after: Position | undefined;
  for (;;) {
    const page = await store.readAll({ after, maxCount: pageSize });
    for (const event of page) verifier.check(event);
    onProgress?.(verifier.events);
    if (page.length < pageSize) break;
    after = page[page.length - 1]?.position;
  }
  return { streams: verifier.streams, events: verifier.events, breaks: verifier.breaks };
}
