import type { z } from 'zod';
import { ACCREDITATION_ACTIONS, type AccreditationActionSpec } from '../api/schemas/accreditation';
import {
  AccreditationCommandPayloads,
  EVIDENCE_KINDS,
  decideAccreditation,
  type AccreditationCommand,
  type AccreditationPolicy,
  type AccreditationState,
} from '../domain/accreditation';
import { allCriteria, SCORE_MAX, SCORE_MIN, type BenchmarkFramework } from '../domain/framework/schema';
import type { Actor } from '../domain/shared/actor';
import { BASELINES, DATA_CLASSES } from '../domain/shared/vocabulary';
import type { AccreditationActionType } from '../workflows/accreditation/messages';
import { lines, type FormErrors, type FormValues } from './forms';
import { label } from './layout';

export type AccreditationActionField =
  | { kind: 'textarea' | 'lines'; name: string; label: string; hint?: string; required?: boolean }
  /** Evidence, one per line as `kind: reference`. */
  | { kind: 'evidence'; name: string; label: string; hint?: string; required?: boolean }
  | { kind: 'radio' | 'select'; name: string; label: string; options: readonly (readonly [string, string])[]; hint?: string; required?: boolean }
  /** One 0–5 number input per criterion of the application's pinned framework. */
  | { kind: 'scores'; name: 'scores'; label: string }
  /**
   * One 0–5 number input per criterion of the framework in force now (a renewal is scored again against
   * it); empty inputs keep the assessment's scores, so only criteria it added or changed need one.
   */
  | { kind: 'renewal-scores'; name: 'scores'; label: string };

/** One action a person can take on an application, as a form. */
export interface AccreditationActionForm {
  command: AccreditationActionType;
  /** The URL segment, shared with the JSON API. */
  path: string;
  title: string;
  button: string;
  fields: readonly AccreditationActionField[];
  /** A valid payload, used to ask the decider whether the action is open at all. */
  probe: (framework: BenchmarkFramework) => unknown;
  /** Refusals that name no field are shown next to this one. */
  primaryField: string;
}

const DECISION = [
  ['approve', 'Approve'],
  ['reject', 'Reject'],
] as const;
const OUTCOMES = [
  ['passed', 'Passed'],
  ['failed', 'Failed'],
] as const;
const reasons = (text = 'Reasons'): AccreditationActionField => ({ kind: 'textarea', name: 'reasons', label: text, required: true });
const constant = (value: unknown) => (): unknown => value;

/** "iso-27001: certificate IS 712345" per line; a line without a kind is kept as the kind, for the schema to refuse. */
export function evidenceOf(text: string | undefined): { kind: string; reference: string }[] {
  return lines(text).map((line) => {
    const colon = line.indexOf(':');
    return colon < 0 ? { kind: line, reference: '' } : { kind: line.slice(0, colon).trim(), reference: line.slice(colon + 1).trim() };
  });
}

/** The form name of a criterion's score input: `score-SEC-01`. */
export const scoreFieldName = (criterionId: string): string => `score-${criterionId}`;

const pathOf = (command: AccreditationActionType): string =>
  (ACCREDITATION_ACTIONS.find((a) => a.command === command) as AccreditationActionSpec).path;

export const ACCREDITATION_ACTION_FORMS: readonly AccreditationActionForm[] = (
  [
    { command: 'StartScreening', title: 'Start screening', button: 'Start screening', fields: [], probe: constant({}), primaryField: '' },
    {
      command: 'RequestInformation',
      title: 'Ask the CSP for more information',
      button: 'Send questions',
      fields: [{ kind: 'textarea', name: 'questions', label: 'Questions', required: true }],
      probe: constant({ questions: '?' }),
      primaryField: 'questions',
    },
    {
      command: 'CompleteScreening',
      title: 'Complete screening',
      button: 'Complete screening',
      fields: [{ kind: 'textarea', name: 'notes', label: 'Screening notes', required: true }],
      probe: constant({ notes: '.' }),
      primaryField: 'notes',
    },
    {
      command: 'ScoreCriteria',
      title: 'Score the criteria',
      button: 'Record scores',
      fields: [
        { kind: 'scores', name: 'scores', label: 'Scores' },
        { kind: 'textarea', name: 'rationale', label: 'Rationale', required: true },
      ],
      probe: (framework: BenchmarkFramework) => ({ scores: { [(allCriteria(framework)[0] as { id: string }).id]: SCORE_MIN }, rationale: '.' }),
      primaryField: 'scores',
    },
    {
      command: 'RecordSecurityReview',
      title: 'Record the security review',
      button: 'Record security review',
      fields: [
        { kind: 'radio', name: 'outcome', label: 'Outcome', options: OUTCOMES, required: true },
        { kind: 'textarea', name: 'notes', label: 'Security review notes', required: true },
      ],
      probe: constant({ outcome: 'failed', notes: '.' }),
      primaryField: 'outcome',
    },
    {
      command: 'Decide',
      title: 'Decide',
      button: 'Record decision',
      fields: [
        { kind: 'radio', name: 'decision', label: 'Decision', options: DECISION, required: true },
        {
          kind: 'select',
          name: 'baseline',
          label: 'Baseline granted',
          hint: 'For an approval: at most the requested baseline, and one the scores meet.',
          options: BASELINES.map((b) => [b, label(b)] as const),
        },
        {
          kind: 'select',
          name: 'highestDataClass',
          label: 'Highest data class',
          hint: 'For an approval: the most sensitive data the offering may hold.',
          options: DATA_CLASSES.map((d) => [d, label(d)] as const),
        },
        { kind: 'lines', name: 'conditions', label: 'Conditions', hint: 'Optional; one per line.' },
        reasons(),
      ],
      probe: constant({ decision: 'reject', reasons: '.' }),
      primaryField: 'decision',
    },
    { command: 'Suspend', title: 'Suspend the accreditation', button: 'Suspend', fields: [reasons('Reasons for suspending')], probe: constant({ reasons: '.' }), primaryField: 'reasons' },
    { command: 'Reinstate', title: 'Reinstate the accreditation', button: 'Reinstate', fields: [reasons('Reasons for reinstating')], probe: constant({ reasons: '.' }), primaryField: 'reasons' },
    {
      command: 'Renew',
      title: 'Renew the accreditation',
      button: 'Renew',
      fields: [{ kind: 'renewal-scores', name: 'scores', label: 'Scores' }, reasons('Reasons for renewing')],
      probe: constant({ reasons: '.' }),
      primaryField: 'reasons',
    },
    { command: 'Revoke', title: 'Revoke the accreditation', button: 'Revoke', fields: [reasons('Reasons for revoking')], probe: constant({ reasons: '.' }), primaryField: 'reasons' },
    {
      command: 'ProvideInformation',
      title: "Answer the reviewer's questions",
      button: 'Send answer',
      fields: [
        { kind: 'textarea', name: 'answer', label: 'Answer', required: true },
        { kind: 'evidence', name: 'evidence', label: 'Further evidence', hint: `Optional; one per line, as kind: reference. Kinds: ${EVIDENCE_KINDS.join(', ')}.` },
      ],
      probe: constant({ answer: '.', evidence: [] }),
      primaryField: 'answer',
    },
    {
      command: 'Withdraw',
      title: 'Withdraw',
      button: 'Withdraw',
      fields: [{ kind: 'textarea', name: 'reason', label: 'Reason for withdrawing', required: true }],
      probe: constant({ reason: '.' }),
      primaryField: 'reason',
    },
  ] as const
).map((form) => ({ ...form, path: pathOf(form.command) }) as AccreditationActionForm);

export function accreditationFormByPath(path: string): AccreditationActionForm | undefined {
  return ACCREDITATION_ACTION_FORMS.find((f) => f.path === path);
}

export interface AccreditationDecideInputs {
  policy: AccreditationPolicy;
  framework: BenchmarkFramework;
  now: string;
}

/**
 * The actions the actor may take on the application now: those the decider itself would not refuse
 * for role, ownership, state or four eyes. Asking the decider keeps the buttons and the rules in step.
 */
export function availableAccreditationActions(state: AccreditationState, actor: Actor, inputs: AccreditationDecideInputs): AccreditationActionForm[] {
  return ACCREDITATION_ACTION_FORMS.filter((form) => {
    try {
      decideAccreditation({ type: form.command, actor, data: form.probe(inputs.framework) } as AccreditationCommand, state, inputs);
      return true;
    } catch {
      return false;
    }
  });
}

/** The score inputs typed for `framework`'s criteria; an empty input is no score, anything else must be a whole 0–5. */
function scoresOf(framework: BenchmarkFramework, values: FormValues, errors: FormErrors): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const criterion of allCriteria(framework)) {
    const name = scoreFieldName(criterion.id);
    const value = (values[name] ?? '').trim();
    if (value === '') continue;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < SCORE_MIN || n > SCORE_MAX) errors[name] = `${criterion.id}: enter a whole number from ${SCORE_MIN} to ${SCORE_MAX}`;
    else scores[criterion.id] = n;
  }
  return scores;
}

/**
 * The form's values as the command's payload, or the errors by field (a criterion's error under its
 * input's name). `framework` is the application's pinned one; `inForce`, the one in force now, which a
 * renewal's scores are for.
 */
export function parseAccreditationAction(
  form: AccreditationActionForm,
  values: FormValues,
  framework: BenchmarkFramework,
  inForce: BenchmarkFramework = framework,
): { ok: true; data: unknown } | { ok: false; errors: FormErrors } {
  const raw: Record<string, unknown> = {};
  const errors: FormErrors = {};
  for (const field of form.fields) {
    if (field.kind === 'scores') {
      const scores = scoresOf(framework, values, errors);
      if (Object.keys(scores).length === 0 && !Object.keys(errors).some((k) => k.startsWith('score-'))) {
        errors.scores = 'Score at least one criterion';
      }
      raw.scores = scores;
      continue;
    }
    if (field.kind === 'renewal-scores') {
      // None typed: the assessment's scores are all the renewal needs when the version in force added nothing.
      const scores = scoresOf(inForce, values, errors);
      if (Object.keys(scores).length > 0) raw.scores = scores;
      continue;
    }
    const value = (values[field.name] ?? '').trim();
    // Baseline and data class belong to an approval only; a rejection ignores them.
    const needed = field.required || (form.command === 'Decide' && values.decision === 'approve' && field.kind === 'select');
    if (needed && value === '') {
      errors[field.name] = field.kind === 'radio' || field.kind === 'select' ? `Choose the ${field.label.toLowerCase()}` : `Enter the ${field.label.toLowerCase()}`;
      continue;
    }
    if (value === '') continue;
    if (form.command === 'Decide' && values.decision !== 'approve' && ['baseline', 'highestDataClass', 'conditions'].includes(field.name)) continue;
    raw[field.name] = field.kind === 'lines' ? lines(value) : field.kind === 'evidence' ? evidenceOf(value) : value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = (AccreditationCommandPayloads[form.command] as z.ZodType).safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? form.primaryField);
    const labelOf = form.fields.find((f) => f.name === name)?.label ?? name;
    errors[name] ??= `${labelOf}: ${issue.message}`;
  }
  return { ok: false, errors };
}
