import { z } from 'zod';
import { Jurisdiction, Role } from './vocabulary';

/**
 * The authenticated person behind a command. The API authenticates; everything downstream trusts this
 * value, and every event records it.
 */
export const Actor = z.object({
  userId: z.string().min(1),
  name: z.string().min(1),
  role: Role,
  jurisdiction: Jurisdiction,
  /** The CSP or PSE the user acts for; absent for the Cloud Office's own staff. */
  organisationId: z.string().min(1).optional(),
});
export type Actor = z.infer<typeof Actor>;

/** The engine itself (timers firing, lapses, expiries). */
export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  name: 'Cloud Office engine',
  role: 'admin',
  jurisdiction: 'federal',
};

export function isSystem(actor: Actor): boolean {
  return actor.userId === SYSTEM_ACTOR.userId;
}
