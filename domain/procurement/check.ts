import { toMillis } from '../shared/time';
import { reason, type ProcurementAnswer, type Reason } from './answer';
import type { ProcurementInput } from './facts';
import { hostingRuleFor } from './hosting-rules';
import { coverByNocs } from './noc-coverage';
import { evaluateRule, offeringLabel } from './rule-conditions';

/**
 * "May PSE P put data of class D on offering O at instant `at`?" (SPEC §3.4). Pure: the read model
 * supplies the facts, the caller supplies the instant. The answer is `allowed` when the hosting rule
 * for D is met, `allowed-by-noc` when a NOC in force excuses every condition that fails, and `denied`
 * otherwise — each with the reasons, every failing condition included.
 */
export function checkProcurement(input: ProcurementInput, at: string): ProcurementAnswer {
  const evaluatedAt = new Date(toMillis(at)).toISOString();
  const rule = hostingRuleFor(input.dataClass);
  const conditions = evaluateRule(rule, input, evaluatedAt);
  const failed = conditions.filter((r) => r.outcome === 'failed');
  const answer = {
    query: { pseId: input.pse.pseId, offeringId: input.offeringId, dataClass: input.dataClass },
    rule,
    evaluatedAt,
  };
  const subject = input.offering === undefined ? `offering ${input.offeringId}` : offeringLabel(input.offering);

  if (failed.length === 0) {
    return {
      decision: 'allowed',
      ...answer,
      reasons: [reason('HOSTING_RULE_MET', `Rule ${rule.id}: ${rule.summary}; ${subject} meets it`), ...conditions],
    };
  }

  const notMet: Reason = reason(
    'HOSTING_RULE_NOT_MET',
    `Rule ${rule.id}: ${rule.summary}; ${subject} fails ${failed.length} of its conditions`,
  );
  const notes = conditions.filter((r) => r.outcome === 'info');
  const coverage = coverByNocs(input, evaluatedAt, failed);
  if (coverage.covered && coverage.noc !== undefined) {
    return { decision: 'allowed-by-noc', ...answer, noc: coverage.noc, reasons: [notMet, ...failed, ...notes, ...coverage.reasons] };
  }
  return { decision: 'denied', ...answer, reasons: [notMet, ...failed, ...notes, ...coverage.reasons] };
}
