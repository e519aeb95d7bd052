import { DomainError } from '../../domain/shared/errors';

/**
 * The record, when it exists and the actor may see it. A record that is not there and one the actor
 * may not see get the very same answer, on reads and before actions alike, so a case id reveals
 * nothing to someone who is not party to it. The rules themselves are in domain/shared/visibility.ts
 * and, for NOCs, domain/noc/rules.ts.
 */
export async function visibleOrNotFound<V>(load: Promise<V | undefined>, canSee: (view: V) => boolean, message: string): Promise<V> {
  const view = await load;
  if (view === undefined || !canSee(view)) throw new DomainError('NOT_FOUND', message);
  return view;
}
