import type { OpenReviewPayload } from '../api/compliance-gateway';
import { ACCREDITATION_HELD, type AccreditationState } from '../domain/accreditation';
import type { Actor } from '../domain/shared/actor';
import { commandIdField, csrfField, radioField, textArea, type FormErrors, type FormValues } from './forms';
import { html, type SafeHtml } from './html';

/** The URL segment under /ui/accreditations/:applicationId/ that opens a review. */
export const OPEN_REVIEW_PATH = 'open-review';
const FORM = 'act-open-review';
const TRIGGERS = [
  ['incident', 'Incident'],
  ['complaint', 'Complaint'],
] as const;

/** Reviewers open reviews by hand (incidents, complaints) of an accreditation that is held, suspended or not. */
export function mayOpenReview(actor: Actor, state: AccreditationState): boolean {
  return actor.role === 'reviewer' && state.status !== 'none' && ACCREDITATION_HELD.includes(state.status);
}

export function openReviewForm(applicationId: string, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: FORM, values, errors };
  const general = Object.entries(errors).filter(([name]) => name !== 'trigger' && name !== 'description');
  return html`<section class="action" aria-labelledby="${FORM}-title">
    <h3 id="${FORM}-title">Open a compliance review</h3>
    ${general.map(([, message]) => html`<p class="field-error" role="alert">${message}</p>`)}
    <form class="stack" method="post" action="/ui/accreditations/${encodeURIComponent(applicationId)}/${OPEN_REVIEW_PATH}" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${radioField({ ...common, name: 'trigger', label: 'Why the review is opened', options: TRIGGERS, required: true })}
      ${textArea({ ...common, name: 'description', label: 'What happened', hint: 'The incident or complaint, as reported.', required: true })}
      <div><button type="submit">Open review</button></div>
    </form>
  </section>`;
}

export function parseOpenReview(applicationId: string, values: FormValues): { ok: true; data: OpenReviewPayload } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const trigger = values.trigger;
  const description = (values.description ?? '').trim();
  if (trigger !== 'incident' && trigger !== 'complaint') errors.trigger = 'Choose why the review is opened';
  if (description === '') errors.description = 'Enter what happened';
  else if (description.length > 5000) errors.description = 'What happened: at most 5000 characters';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, data: { applicationId, trigger: trigger as OpenReviewPayload['trigger'], description } };
}
