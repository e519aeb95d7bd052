import type { AccreditationPolicy } from '../../domain/accreditation/policy';
import { ACCREDITATION_HELD, type AccreditationState } from '../../domain/accreditation/state';
import { addDays, isBefore } from '../../domain/shared/time';

/** The next thing the engine itself must do for an application, and when. */
export type AccreditationDeadline = { at: string; command: { type: 'Lapse' | 'OpenRenewalWindow' | 'Expire'; data: Record<string, never> } };

export function nextAccreditationDeadline(state: AccreditationState, policy: AccreditationPolicy): AccreditationDeadline | undefined {
  if (state.status === 'none') return undefined;
  if (state.status === 'awaiting-applicant' && state.informationDueBy) {
    return { at: state.informationDueBy, command: { type: 'Lapse', data: {} } };
  }
  if (!ACCREDITATION_HELD.includes(state.status) || state.grant === undefined) return undefined;
  const { validUntil } = state.grant;
  const expiry: AccreditationDeadline = { at: validUntil, command: { type: 'Expire', data: {} } };
  if (state.renewalWindowOpen) return expiry;
  // A grant shorter than the window opens it at once; never before the grant took effect.
  const opens = addDays(validUntil, -policy.renewalWindowDays);
  const at = isBefore(opens, state.grant.validFrom) ? state.grant.validFrom : opens;
  return isBefore(at, validUntil) ? { at, command: { type: 'OpenRenewalWindow', data: {} } } : expiry;
}
