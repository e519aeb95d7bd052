import { z } from 'zod';

/**
 * Every number a person sends has bounds, so nothing absurd (a migration period of a million days, a
 * page offset past the end of time) reaches a process or a query. The business limits that the policy
 * sets (a NOC's 12 months, say) are the deciders' to enforce with their own codes; these bounds sit
 * well above any sane policy. A refusal names the field (the caller's error does) and the rule.
 */
export function boundedInt(min: number, max: number, unit = ''): z.ZodNumber {
  const rule = `must be a whole number from ${min} to ${max}${unit === '' ? '' : ` ${unit}`}`;
  return z.number(rule).int(rule).min(min, rule).max(max, rule);
}

/** A NOC's requested duration or extension, in months (the policy's own maximum is lower). */
export const MonthsRequested = boundedInt(1, 60, 'months');

/** A revocation's migration period for the entities on the offering, in days (five years at most). */
export const TransitionDays = boundedInt(0, 1825, 'days');

/** A count a provider reports, e.g. open vulnerabilities of a severity. */
export const ReportedCount = boundedInt(0, 1_000_000);

/** Query-string paging: numbers arrive as text. */
export const pageLimit = (max: number, byDefault: number) => {
  const rule = `must be a whole number from 1 to ${max}`;
  return z.coerce.number(rule).int(rule).min(1, rule).max(max, rule).default(byDefault);
};
const OFFSET_RULE = 'must be a whole number from 0 to 100000';
export const PageOffset = z.coerce.number(OFFSET_RULE).int(OFFSET_RULE).min(0, OFFSET_RULE).max(100_000, OFFSET_RULE).default(0);
