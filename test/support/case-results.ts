import type { EventStore } from '../../eventstore/port';
import { decode } from '../../eventstore/registry';

/** The ApplicationFailure type carried by a refused update or failed process, or undefined if it succeeded. */
export async function refusal(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    let e: unknown = err;
    while (e && typeof e === 'object') {
      const type = (e as { type?: unknown }).type;
      if (typeof type === 'string') return type;
      e = (e as { cause?: unknown }).cause;
    }
    throw err;
  }
}

/** A case's stream, decoded as the registry reads it back. */
export async function decodedStream(store: EventStore, stream: string) {
  return (await store.readStream(stream)).map(decode);
}
