import { z } from 'zod';
import { ProcurementAnswer, reason, type Reason } from './answer';

/**
 * Who may learn what from the procurement check (SPEC §3.4). Anyone learns the rule, the offering's
 * standing and whether a NOC in force covers the question, with the end of that permission; nothing
 * about the entity's other NOCs (pending, rejected, withdrawn, expired, or not covering), nor any
 * NOC's id. The entity itself, signed in, sees every NOC reason with its id.
 */
export const ANSWER_DETAILS = ['public', 'entity'] as const;
export type AnswerDetail = (typeof ANSWER_DETAILS)[number];

export const CheckAnswer = ProcurementAnswer.extend({
  /** `public`: as anyone may see it; `entity`: with the details of the entity's own NOCs. */
  detail: z.enum(ANSWER_DETAILS),
  /** For `allowed-by-noc`: when the permission ends; the NOC's id only in the entity's view. */
  noc: z.object({ nocId: z.string().optional(), validUntil: z.iso.datetime({ offset: true }) }).optional(),
});
export type CheckAnswer = z.infer<typeof CheckAnswer>;

/** The answer as the entity itself may see it: everything. */
export function entityAnswer(answer: ProcurementAnswer): CheckAnswer {
  return { ...answer, detail: 'entity' };
}

/** The answer as anyone may see it. Pure. */
export function publicAnswer(answer: ProcurementAnswer): CheckAnswer {
  // Every reason about a particular NOC names it; only the rule's own conditions and the verdict on
  // NOCs as a whole (NO_NOC_COVERS) name none.
  const reasons: Reason[] = answer.reasons.filter((r) => r.nocId === undefined);
  const { noc, ...rest } = answer;
  if (answer.decision !== 'allowed-by-noc' || noc === undefined) return { ...rest, reasons, detail: 'public' };
  return {
    ...rest,
    reasons: [...reasons, reason('NOC_COVERS', `A NOC in force for ${answer.query.pseId} covers what the rule does not allow here, until ${noc.validUntil}`)],
    noc: { validUntil: noc.validUntil },
    detail: 'public',
  };
}
