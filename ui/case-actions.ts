import type { z } from 'zod';
import { NOC_ACTIONS, type NocActionSpec } from '../api/schemas/noc';
import { decideNoc, NocCommandPayloads, type NocCommand, type NocPolicy, type NocState } from '../domain/noc';
import type { Actor } from '../domain/shared/actor';
import { lines, type FormErrors, type FormValues } from './forms';

export type ActionCommand = NocActionSpec['command'];

export type ActionField =
  | { kind: 'textarea' | 'lines'; name: string; label: string; hint?: string; required?: boolean }
  | { kind: 'number' | 'date'; name: string; label: string; hint?: string; required?: boolean }
  | { kind: 'radio'; name: string; label: string; options: readonly (readonly [string, string])[]; required?: boolean };

/** One action a person can take on a case, as a form: its fields, and how they become the command's payload. */
export interface ActionForm {
  command: ActionCommand;
  /** The URL segment, shared with the JSON API. */
  path: string;
  title: string;
  button: string;
  fields: readonly ActionField[];
  /** A payload that passes validation, used to ask the decider whether the action is open at all. */
  probe: unknown;
  /** Refusals that name no field are shown next to this one. */
  primaryField?: string;
}

const DECISION = [
  ['approve', 'Approve'],
  ['reject', 'Reject'],
] as const;

const pathOf = (command: ActionCommand): string => (NOC_ACTIONS.find((a) => a.command === command) as NocActionSpec).path;

export const ACTION_FORMS: readonly ActionForm[] = [
  { command: 'StartReview', title: 'Start the review', button: 'Start review', fields: [], probe: {} },
  {
    command: 'RequestInformation',
    title: 'Ask the entity for more information',
    button: 'Send questions',
    fields: [{ kind: 'textarea', name: 'questions', label: 'Questions', required: true }],
    probe: { questions: '?' },
  },
  {
    command: 'Recommend',
    title: 'Recommend',
    button: 'Record recommendation',
    fields: [
      { kind: 'radio', name: 'recommendation', label: 'Recommendation', options: DECISION, required: true },
      { kind: 'textarea', name: 'reasons', label: 'Reasons', required: true },
      { kind: 'lines', name: 'conditions', label: 'Conditions', hint: 'Optional; one per line.' },
    ],
    probe: { recommendation: 'reject', reasons: '.', conditions: [] },
    primaryField: 'recommendation',
  },
  {
    command: 'Decide',
    title: 'Decide',
    button: 'Record decision',
    fields: [
      { kind: 'radio', name: 'decision', label: 'Decision', options: DECISION, required: true },
      { kind: 'textarea', name: 'reasons', label: 'Reasons', required: true },
      { kind: 'lines', name: 'conditions', label: 'Conditions', hint: "Optional; one per line. Empty keeps the recommendation's conditions." },
      { kind: 'date', name: 'validUntil', label: 'Valid until', hint: 'Optional; by default the requested duration from today.' },
    ],
    probe: { decision: 'reject', reasons: '.' },
    primaryField: 'decision',
  },
  {
    command: 'DecideExtension',
    title: 'Decide the extension',
    button: 'Record decision',
    fields: [
      { kind: 'radio', name: 'decision', label: 'Decision on the extension', options: DECISION, required: true },
      { kind: 'textarea', name: 'reasons', label: 'Reasons', required: true },
    ],
    probe: { decision: 'reject', reasons: '.' },
    primaryField: 'decision',
  },
  {
    command: 'Revoke',
    title: 'Revoke the NOC',
    button: 'Revoke',
    fields: [{ kind: 'textarea', name: 'reasons', label: 'Reasons for revoking', required: true }],
    probe: { reasons: '.' },
  },
  {
    command: 'ProvideInformation',
    title: "Answer the reviewer's questions",
    button: 'Send answer',
    fields: [{ kind: 'textarea', name: 'answer', label: 'Answer', required: true }],
    probe: { answer: '.' },
  },
  {
    command: 'RequestExtension',
    title: 'Request an extension',
    button: 'Request extension',
    fields: [
      { kind: 'number', name: 'months', label: 'Extra months', required: true },
      { kind: 'textarea', name: 'justification', label: 'Justification', required: true },
    ],
    probe: { months: 1, justification: '.' },
  },
  {
    command: 'Withdraw',
    title: 'Withdraw the NOC',
    button: 'Withdraw',
    fields: [{ kind: 'textarea', name: 'reason', label: 'Reason for withdrawing', required: true }],
    probe: { reason: '.' },
  },
].map((form) => ({ ...form, path: pathOf(form.command as ActionCommand) }) as ActionForm);

export function actionFormByPath(path: string): ActionForm | undefined {
  return ACTION_FORMS.find((f) => f.path === path);
}

/**
 * The actions the actor may take on the case now: those the decider itself would not refuse for role,
 * jurisdiction, state or four eyes. Asking the decider, rather than restating its rules, keeps the
 * buttons and the rules from ever disagreeing.
 */
export function availableActions(state: NocState, actor: Actor, policy: NocPolicy, now: string): ActionForm[] {
  return ACTION_FORMS.filter((form) => {
    try {
      decideNoc({ type: form.command, actor, data: form.probe } as NocCommand, state, { now, policy });
      return true;
    } catch {
      return false;
    }
  });
}

/** The form's values as the command's payload, or the errors by field. */
export function parseAction(form: ActionForm, values: FormValues): { ok: true; data: unknown } | { ok: false; errors: FormErrors } {
  const raw: Record<string, unknown> = {};
  const errors: FormErrors = {};
  for (const field of form.fields) {
    const value = (values[field.name] ?? '').trim();
    if (field.required && value === '') {
      errors[field.name] = field.kind === 'radio' ? `Choose the ${field.label.toLowerCase()}` : `Enter the ${field.label.toLowerCase()}`;
      continue;
    }
    if (value === '') continue;
    if (field.kind === 'lines') raw[field.name] = lines(value);
    else if (field.kind === 'number') raw[field.name] = /^\d+$/.test(value) ? Number(value) : value;
    else if (field.kind === 'date') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) errors[field.name] = `${field.label}: enter a date as YYYY-MM-DD`;
      else raw[field.name] = `${value}T00:00:00.000Z`;
    } else raw[field.name] = value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = (NocCommandPayloads[form.command] as z.ZodType).safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  for (const issue of parsed.error.issues) {
    const name = String(issue.path[0] ?? form.primaryField ?? form.fields[0]?.name ?? '');
    errors[name] ??= `${form.fields.find((f) => f.name === name)?.label ?? name}: ${issue.message}`;
  }
  return { ok: false, errors };
}
