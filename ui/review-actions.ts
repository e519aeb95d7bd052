import type { z } from 'zod';
import {
  FINDING_SEVERITIES,
  ReviewCommandPayloads,
  decideReview,
  type ComplianceDecideContext,
  type ReviewCommand,
  type ReviewState,
} from '../domain/compliance';
import type { Actor } from '../domain/shared/actor';
import { addDays, isBefore } from '../domain/shared/time';
import type { ReviewActionType } from '../workflows/compliance/messages';
import { lines, type FormErrors, type FormValues } from './forms';
import { label } from './layout';

/** How many finding rows the assessment form offers: enough for a review, and no script needed to add more. */
export const FINDING_ROWS = 6;
export const findingField = (row: number, part: 'id' | 'title' | 'severity'): string => `finding-${row}-${part}`;

export type ReviewActionField =
  | { kind: 'textarea' | 'lines'; name: string; label: string; hint?: string; required?: boolean }
  | { kind: 'date'; name: string; label: string; hint?: string; required?: boolean }
  | { kind: 'radio'; name: string; label: string; options: readonly (readonly [string, string])[]; required?: boolean }
  /** Which finding the action is about; its options are the findings the decider accepts for the actor now. */
  | { kind: 'finding'; name: 'findingId'; label: string; hint?: string; required?: boolean; evidenceDeadline?: boolean }
  /** The fixed rows of findings of an assessment: id, title, severity. */
  | { kind: 'findings'; name: 'findings'; label: string };

export interface ReviewActionForm {
  command: ReviewActionType;
  /** The URL segment under /ui/reviews/:reviewId/. */
  path: string;
  title: string;
  button: string;
  fields: readonly ReviewActionField[];
  /** Valid payloads (one per finding the form may be about), used to ask the decider whether the action is open at `now`. */
  probes: (review: ReviewState, now: string) => { findingId: string | undefined; data: unknown }[];
  /** Refusals that name no field are shown next to this one. */
  primaryField: string;
}

/**
 * A new deadline the decider accepts whenever an extension is open: a day past the later of the
 * deadline and now (an extension must lie ahead of both, and reaches only so far past them).
 */
const dayPast = (deadline: string | undefined, now: string): string => addDays(deadline !== undefined && isBefore(now, deadline) ? deadline : now, 1);
const one = (data: unknown) => (): { findingId: undefined; data: unknown }[] => [{ findingId: undefined, data }];
const perFinding = (data: (findingId: string) => unknown) => (review: ReviewState) =>
  review.status === 'none' ? [] : review.findings.map((f) => ({ findingId: f.id, data: data(f.id) }));
const reasons = (text: string): ReviewActionField => ({ kind: 'textarea', name: 'reasons', label: text, required: true });

/** A decision that takes nothing but its reasons. */
const reasonsOnly = (command: ReviewActionType, path: string, title: string, button: string, reasonsLabel: string): ReviewActionForm => ({
  command,
  path,
  title,
  button,
  fields: [reasons(reasonsLabel)],
  probes: one({ reasons: '.' }),
  primaryField: 'reasons',
});

export const REVIEW_ACTION_FORMS: readonly ReviewActionForm[] = [
  {
    command: 'RequestEvidence',
    path: 'request-evidence',
    title: 'Request evidence from the provider',
    button: 'Request evidence',
    fields: [{ kind: 'textarea', name: 'request', label: 'Evidence requested', hint: 'What the provider must send, and about what.', required: true }],
    probes: one({ request: '.' }),
    primaryField: 'request',
  },
  {
    command: 'SubmitEvidence',
    path: 'submit-evidence',
    title: 'Submit the requested evidence',
    button: 'Submit evidence',
    fields: [
      { kind: 'textarea', name: 'summary', label: 'Summary of the evidence', required: true },
      { kind: 'lines', name: 'documents', label: 'Documents', hint: 'Optional; one reference per line.' },
    ],
    probes: one({ summary: '.', documents: [] }),
    primaryField: 'summary',
  },
  {
    command: 'AssessReview',
    path: 'assess',
    title: 'Assess the review',
    button: 'Record assessment',
    fields: [
      { kind: 'textarea', name: 'summary', label: 'Assessment summary', required: true },
      { kind: 'findings', name: 'findings', label: 'Findings' },
    ],
    // With one finding: some reviews (a late significant change) cannot be assessed without one.
    probes: one({ summary: '.', findings: [{ id: 'F-probe', title: '.', severity: 'low' }] }),
    primaryField: 'summary',
  },
  {
    command: 'SubmitRemediationEvidence',
    path: 'submit-remediation',
    title: 'Submit remediation evidence',
    button: 'Submit remediation evidence',
    fields: [
      { kind: 'finding', name: 'findingId', label: 'Finding', required: true },
      { kind: 'textarea', name: 'description', label: 'What was remediated, and the evidence', required: true },
    ],
    probes: perFinding((findingId) => ({ findingId, description: '.' })),
    primaryField: 'findingId',
  },
  {
    command: 'VerifyFinding',
    path: 'verify',
    title: 'Verify a remediation',
    button: 'Record verification',
    fields: [
      { kind: 'finding', name: 'findingId', label: 'Finding', required: true },
      {
        kind: 'radio',
        name: 'outcome',
        label: 'Outcome',
        options: [
          ['verified', 'Verified: the finding is remediated'],
          ['rejected', 'Rejected: the remediation is not enough'],
        ],
        required: true,
      },
      { kind: 'textarea', name: 'notes', label: 'Verification notes', required: true },
    ],
    probes: perFinding((findingId) => ({ findingId, outcome: 'verified', notes: '.' })),
    primaryField: 'findingId',
  },
  {
    command: 'ExtendDeadline',
    path: 'extend-deadline',
    title: 'Extend a deadline (once)',
    button: 'Extend deadline',
    fields: [
      { kind: 'finding', name: 'findingId', label: 'Deadline', hint: 'Each deadline can be extended once.', required: true, evidenceDeadline: true },
      { kind: 'date', name: 'newDeadline', label: 'New deadline', hint: 'The deadline runs to the end of this day (UTC).', required: true },
      reasons('Reasons for extending'),
    ],
    probes: (review, now) =>
      review.status === 'none'
        ? []
        : [
            { findingId: undefined, data: { newDeadline: dayPast(review.evidenceDueBy, now), reasons: '.' } },
            ...review.findings.map((f) => ({ findingId: f.id, data: { findingId: f.id, newDeadline: dayPast(f.deadline, now), reasons: '.' } })),
          ],
    primaryField: 'findingId',
  },
  reasonsOnly('DecideSuspend', 'suspend', 'Suspend the accreditation', 'Suspend', 'Reasons for suspending'),
  reasonsOnly('DecideRevoke', 'revoke', 'Revoke the accreditation', 'Revoke', 'Reasons for revoking'),
  reasonsOnly('RecommendReinstatement', 'recommend-reinstatement', 'Recommend reinstatement', 'Recommend reinstatement', 'Reasons for reinstating'),
];

/** The value of the finding choice that stands for the evidence deadline rather than a finding's. */
export const EVIDENCE_DEADLINE = 'evidence';

export function reviewFormByPath(path: string): ReviewActionForm | undefined {
  return REVIEW_ACTION_FORMS.find((f) => f.path === path);
}

/** A form the actor may use now, with the findings (or the evidence deadline) it may be about. */
export interface AvailableReviewAction {
  form: ReviewActionForm;
  /** For forms with a finding choice: the values the decider accepts now. */
  findingIds: string[];
}

/**
 * The actions the actor may take on the review now: those the decider itself would not refuse for
 * role, ownership, state or four eyes. Asking the decider keeps the buttons and the rules in step.
 */
export function availableReviewActions(state: ReviewState, actor: Actor, ctx: ComplianceDecideContext): AvailableReviewAction[] {
  const available: AvailableReviewAction[] = [];
  for (const form of REVIEW_ACTION_FORMS) {
    const accepted = form.probes(state, ctx.now).filter((probe) => {
      try {
        decideReview({ type: form.command, actor, data: probe.data } as ReviewCommand, state, ctx);
        return true;
      } catch {
        return false;
      }
    });
    if (accepted.length > 0) available.push({ form, findingIds: accepted.map((p) => p.findingId ?? EVIDENCE_DEADLINE) });
  }
  return available;
}

/** The payload's findings, with the row each came from, so a refusal can be shown on its row. */
function findingsOf(values: FormValues, errors: FormErrors): { rows: number[]; findings: { id: string; title: string; severity: string }[] } {
  const rows: number[] = [];
  const findings: { id: string; title: string; severity: string }[] = [];
  for (let row = 1; row <= FINDING_ROWS; row++) {
    const id = (values[findingField(row, 'id')] ?? '').trim();
    const title = (values[findingField(row, 'title')] ?? '').trim();
    const severity = (values[findingField(row, 'severity')] ?? '').trim();
    if (id === '' && title === '') continue;
    if (title === '') errors[findingField(row, 'title')] = `Finding ${row}: enter its title`;
    if (severity === '') errors[findingField(row, 'severity')] = `Finding ${row}: choose its severity`;
    else if (!(FINDING_SEVERITIES as readonly string[]).includes(severity)) errors[findingField(row, 'severity')] = `Finding ${row}: choose a listed severity`;
    rows.push(row);
    // A finding without an id is named by its row, so a short assessment needs no bookkeeping.
    findings.push({ id: id === '' ? `F${row}` : id, title, severity });
  }
  return { rows, findings };
}

/** A date (YYYY-MM-DD) as the end of that day, UTC: a deadline "by the 30th" includes the 30th. */
function endOfDay(date: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00.000Z`))) return undefined;
  return `${date}T23:59:59.000Z`;
}

/** The form's values as the command's payload, or the errors by field. */
export function parseReviewAction(form: ReviewActionForm, values: FormValues): { ok: true; data: unknown } | { ok: false; errors: FormErrors } {
  const raw: Record<string, unknown> = {};
  const errors: FormErrors = {};
  let rows: number[] = [];
  for (const field of form.fields) {
    if (field.kind === 'findings') {
      const parsed = findingsOf(values, errors);
      rows = parsed.rows;
      raw.findings = parsed.findings;
      continue;
    }
    const value = (values[field.name] ?? '').trim();
    if (field.required && value === '') {
      errors[field.name] = field.kind === 'radio' || field.kind === 'finding' ? `Choose the ${field.label.toLowerCase()}` : `Enter the ${field.label.toLowerCase()}`;
      continue;
    }
    if (value === '') continue;
    if (field.kind === 'finding') {
      if (!(field.evidenceDeadline && value === EVIDENCE_DEADLINE)) raw[field.name] = value;
    } else if (field.kind === 'date') {
      const iso = endOfDay(value);
      if (iso === undefined) errors[field.name] = `${field.label}: enter a date`;
      else raw[field.name] = iso;
    } else {
      raw[field.name] = field.kind === 'lines' ? lines(value) : value;
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = (ReviewCommandPayloads[form.command] as z.ZodType).safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  for (const issue of parsed.error.issues) {
    const [first, index, part] = issue.path;
    if (first === 'findings' && typeof index === 'number' && rows[index] !== undefined) {
      const name = findingField(rows[index] as number, part === 'severity' || part === 'id' ? part : 'title');
      errors[name] ??= `Finding ${rows[index]}: ${issue.message}`;
      continue;
    }
    const name = String(first ?? form.primaryField);
    const labelOf = form.fields.find((f) => f.name === name)?.label ?? label(name);
    errors[name] ??= `${labelOf}: ${issue.message}`;
  }
  return { ok: false, errors };
}
