import type { AccreditationPolicy } from '../../domain/accreditation/policy';
import { ACCREDITATION_HELD, type AccreditationState } from '../../domain/accreditation/state';
import { addDays, addMonths, isBefore } from '../../domain/shared/time';

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

/**
 * The next anniversary of the grant whose annual compliance review is not yet open (SPEC §3.1), while
 * the accreditation is held (accredited or suspended) and before it ends. Anniversaries count from the
 * grant's validFrom, each computed from it (never from the previous one, so a 29 February grant does
 * not drift). A renewal moves only validUntil: the yearly cadence carries on through it and n keeps
 * counting (a three-year grant renewed at its end has its 3rd anniversary review on the old end date).
 */
export function nextAnniversary(state: AccreditationState, opened: number): { n: number; at: string } | undefined {
  if (state.status === 'none' || !ACCREDITATION_HELD.includes(state.status) || state.grant === undefined) return undefined;
  const n = opened + 1;
  const at = addMonths(state.grant.validFrom, 12 * n);
  return isBefore(at, state.grant.validUntil) ? { n, at } : undefined;
}
