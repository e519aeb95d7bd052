import type { NocCase, NocState } from '../../domain/noc/state';
import type { NocPolicy } from '../../domain/noc/policy';
import { NOC_IN_FORCE } from '../../domain/noc/state';
import { addDays, isBefore } from '../../domain/shared/time';

/** The next thing the engine itself must do for a NOC, and when. */
export type NocDeadline =
  | { at: string; command: { type: 'Lapse'; data: Record<string, never> } }
  | { at: string; command: { type: 'RecordExpiryReminder'; data: { daysBefore: number } } }
  | { at: string; command: { type: 'Expire'; data: Record<string, never> } };

export function nextNocDeadline(state: NocState, policy: NocPolicy): NocDeadline | undefined {
  if (state.status === 'none') return undefined;
  if (state.status === 'awaiting-pse' && state.informationDueBy) {
    return { at: state.informationDueBy, command: { type: 'Lapse', data: {} } };
  }
  if (!NOC_IN_FORCE.includes(state.status) || !state.validUntil) return undefined;
  const candidates: NocDeadline[] = [{ at: state.validUntil, command: { type: 'Expire', data: {} } }];
  for (const daysBefore of pendingReminders(state, policy)) {
    candidates.push({ at: addDays(state.validUntil, -daysBefore), command: { type: 'RecordExpiryReminder', data: { daysBefore } } });
  }
  return candidates.reduce((a, b) => (isBefore(b.at, a.at) ? b : a));
}

/**
 * Reminders still owed for the current expiry. A reminder whose instant falls before the NOC took
 * effect is meaningless (a NOC shorter than 30 days gets no 30-day reminder) and is not owed.
 */
function pendingReminders(noc: NocCase, policy: NocPolicy): number[] {
  const from = noc.validFrom ?? noc.requestedAt;
  return policy.reminderDaysBeforeExpiry.filter(
    (d) => !noc.remindersSent.includes(d) && !isBefore(addDays(noc.validUntil as string, -d), from),
  );
}
