import { randomUUID } from 'node:crypto';
import { IdempotencyKey } from '../api/routes/common';
import { html, type SafeHtml } from './html';

/** Messages by field name; the key '' holds a message about the form as a whole. */
export type FormErrors = Record<string, string>;
/** What the user typed, echoed back when the form is shown again after a refusal. */
export type FormValues = Record<string, string>;

export interface FieldOptions {
  form: string;
  name: string;
  label: string;
  values: FormValues;
  errors: FormErrors;
  hint?: string;
  required?: boolean;
  /** The id of a message outside the field that is also about it (a group's error). */
  describedBy?: string;
}

const idOf = (o: Pick<FieldOptions, 'form' | 'name'>): string => `${o.form}-${o.name}`;

/** Label, hint and error are tied to the control, so screen readers read them with it. */
function described(o: FieldOptions): { id: string; describedBy: string; error: SafeHtml; hint: SafeHtml; invalid: SafeHtml } {
  const id = idOf(o);
  const ids: string[] = [];
  if (o.describedBy) ids.push(o.describedBy);
  if (o.hint) ids.push(`${id}-hint`);
  const message = o.errors[o.name];
  if (message) ids.push(`${id}-error`);
  return {
    id,
    describedBy: ids.join(' '),
    hint: o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : html``,
    error: message ? html`<p class="field-error" id="${id}-error">${message}</p>` : html``,
    invalid: message ? html` aria-invalid="true"` : html``,
  };
}

export function textField(o: FieldOptions & { type?: 'text' | 'password' | 'number' | 'date'; autocomplete?: string; min?: number; max?: number }): SafeHtml {
  const d = described(o);
  return html`<div class="field">
    <label for="${d.id}">${o.label}</label>${d.hint}${d.error}
    <input id="${d.id}" name="${o.name}" type="${o.type ?? 'text'}" value="${o.values[o.name] ?? ''}"${
      d.describedBy ? html` aria-describedby="${d.describedBy}"` : ''
    }${d.invalid}${o.required ? html` required` : ''}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${
      o.min !== undefined ? html` min="${o.min}"` : ''
    }${o.max !== undefined ? html` max="${o.max}"` : ''}>
  </div>`;
}

/** Files to upload with the form (which must then be multipart/form-data); a refused form asks for them again. */
export function fileField(o: FieldOptions & { accept: readonly string[] }): SafeHtml {
  const d = described(o);
  return html`<div class="field">
    <label for="${d.id}">${o.label}</label>${d.hint}${d.error}
    <input id="${d.id}" name="${o.name}" type="file" multiple accept="${o.accept.join(',')}"${d.describedBy ? html` aria-describedby="${d.describedBy}"` : ''}${d.invalid}>
  </div>`;
}

export function textArea(o: FieldOptions): SafeHtml {
  const d = described(o);
  return html`<div class="field">
    <label for="${d.id}">${o.label}</label>${d.hint}${d.error}
    <textarea id="${d.id}" name="${o.name}"${d.describedBy ? html` aria-describedby="${d.describedBy}"` : ''}${d.invalid}${
      o.required ? html` required` : ''
    }>${o.values[o.name] ?? ''}</textarea>
  </div>`;
}

export function selectField(o: FieldOptions & { options: readonly (readonly [string, string])[]; empty?: string }): SafeHtml {
  const d = described(o);
  const current = o.values[o.name] ?? '';
  return html`<div class="field">
    <label for="${d.id}">${o.label}</label>${d.hint}${d.error}
    <select id="${d.id}" name="${o.name}"${d.describedBy ? html` aria-describedby="${d.describedBy}"` : ''}${d.invalid}${
      o.required ? html` required` : ''
    }>
      ${o.empty !== undefined ? html`<option value="">${o.empty}</option>` : ''}
      ${o.options.map(([value, text]) => html`<option value="${value}"${value === current ? html` selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

export function radioField(o: FieldOptions & { options: readonly (readonly [string, string])[] }): SafeHtml {
  const d = described(o);
  const current = o.values[o.name] ?? '';
  return html`<fieldset${d.describedBy ? html` aria-describedby="${d.describedBy}"` : ''}>
    <legend>${o.label}</legend>${d.hint}${d.error}
    <div class="choices">${o.options.map(
      ([value, text]) =>
        html`<label><input type="radio" name="${o.name}" value="${value}"${value === current ? html` checked` : ''}${
          o.required ? html` required` : ''
        }> ${text}</label>`,
    )}</div>
  </fieldset>`;
}

/** At the top of a refused form: what went wrong, linking to each field. */
export function errorSummary(form: string, errors: FormErrors): SafeHtml {
  const entries = Object.entries(errors);
  if (entries.length === 0) return html``;
  return html`<div class="error-summary" role="alert">
    <p><strong>This could not be done:</strong></p>
    <ul>${entries.map(([field, message]) =>
      field === '' ? html`<li>${message}</li>` : html`<li><a href="#${form}-${field}">${message}</a></li>`,
    )}</ul>
  </div>`;
}

export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

/**
 * A decision form's command id, chosen when the form is shown and kept when it comes back with errors,
 * so a form sent twice is one command (the id is the command's Idempotency-Key).
 */
export function commandIdField(values: FormValues): SafeHtml {
  return html`<input type="hidden" name="commandId" value="${values.commandId ?? randomUUID()}">`;
}

/** The command id a form carried; a fresh one when it carried none that is valid. */
export function commandIdOf(values: FormValues): string {
  const parsed = IdempotencyKey.safeParse(values.commandId);
  return parsed.success ? parsed.data : randomUUID();
}

/** Reads a form body (x-www-form-urlencoded, parsed by @fastify/formbody) as strings only. */
export function formValues(body: unknown): FormValues {
  const values: FormValues = {};
  if (body === null || typeof body !== 'object') return values;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '_csrf' || key === '__proto__') continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') values[key] = first;
  }
  return values;
}

/** One entry per non-empty line: how lists (systems, conditions) are typed into a textarea. */
export function lines(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Zod issues as messages by form field; `rename` maps a payload path to the field that holds it. */
export function issuesToErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  labels: Record<string, string>,
  rename: (path: readonly PropertyKey[]) => string = (path) => String(path[0] ?? ''),
): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const field = rename(issue.path);
    errors[field] ??= `${labels[field] ?? field}: ${issue.message}`;
  }
  return errors;
}
