import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canSeeApplication } from '../../api/accreditation-gateway';
import { statusOf } from '../../api/errors';
import { complianceGatewayOf } from '../../api/routes/reviews';
import { CaseId } from '../../api/schemas/review';
import {
  FINDING_SEVERITIES,
  foldReview,
  type ReviewCase,
  type ReviewEvent,
  type ReviewEventOf,
} from '../../domain/compliance';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { streamName } from '../../eventstore/envelope';
import type { ReviewActionInput } from '../../workflows/compliance/messages';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { caseNoteRoute, notesSection } from '../case-notes';
import { holdersSection } from '../case-holders';
import { commandIdField, commandIdOf, csrfField, fileField, formValues, radioField, selectField, textArea, textField, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { evidenceFileLinks, storeUploads } from '../evidence-files';
import { uploadedFiles } from '../multipart';
import { ALLOWED_EVIDENCE_TYPES } from '../../evidence/sniff';
import { label, page, when } from '../layout';
import {
  EVIDENCE_DEADLINE,
  FINDING_ROWS,
  availableReviewActions,
  findingField,
  parseReviewAction,
  reviewFormByPath,
  type AvailableReviewAction,
  type ReviewActionForm,
} from '../review-actions';
import { decodeStream, describeEvent, timeline, type TimelineEntry } from '../timeline';

const DONE: Record<string, string> = {
  noted: 'Your note has been added.',
  opened: 'The review has been opened.',
  'request-evidence': 'The evidence has been requested from the provider.',
  'submit-evidence': 'Your evidence has been submitted.',
  assess: 'Your assessment has been recorded.',
  'submit-remediation': 'Your remediation evidence has been submitted.',
  verify: 'Your verification has been recorded.',
  'extend-deadline': 'The deadline has been extended.',
  suspend: 'The suspension has been decided.',
  revoke: 'The revocation has been decided.',
  'recommend-reinstatement': 'Reinstatement has been recommended.',
};


interface LoadedReview {
  reviewId: string;
  review: ReviewCase;
  entries: TimelineEntry[];
  events: ReviewEvent[];
  /** The stream's revision after its last event. */
  revision: number;
}

interface Refused {
  form: ReviewActionForm;
  values: FormValues;
  errors: FormErrors;
}

function dataOf<K extends ReviewEvent['type']>(events: readonly ReviewEvent[], type: K): ReviewEventOf<K>['data'][] {
  return events.filter((e) => e.type === type).map((e) => e.data as unknown as ReviewEventOf<K>['data']);
}

function facts(loaded: LoadedReview, offeringName: string | null | undefined): SafeHtml {
  const { review, events } = loaded;
  const opened = dataOf(events, 'ReviewOpened')[0];
  const s = review.subject;
  const row = (term: string, value: SafeHtml | string | undefined) => (value === undefined || value === '' ? '' : html`<dt>${term}</dt><dd>${value}</dd>`);
  return html`<dl class="facts">
    ${row('Accreditation', html`<a href="/ui/accreditations/${encodeURIComponent(s.applicationId)}">${s.applicationId}</a>`)}
    ${row('Offering', offeringName ? `${offeringName} (${s.offeringId})` : s.offeringId)}
    ${row('CSP', s.cspId)}
    ${row('Trigger', label(review.trigger))}
    ${row('Description', opened?.description)}
    ${row('Opened', when(review.openedAt))}
    ${row('Evidence due by', review.evidenceDueBy ? html`${when(review.evidenceDueBy)}${review.evidenceExtended ? ' (extended once)' : ''}` : undefined)}
  </dl>`;
}

function evidenceSection(loaded: LoadedReview): SafeHtml {
  const requested = dataOf(loaded.events, 'ReviewEvidenceRequested');
  const submitted = dataOf(loaded.events, 'ReviewEvidenceSubmitted');
  const remediation = dataOf(loaded.events, 'ReviewRemediationSubmitted');
  if (requested.length + submitted.length + remediation.length === 0) return html`<p>No evidence has been requested yet.</p>`;
  return html`<table>
    <caption>Evidence requested and submitted, oldest first</caption>
    <thead><tr><th scope="col">What</th><th scope="col">Content</th><th scope="col">Documents or due by</th></tr></thead>
    <tbody>
      ${requested.map((r) => html`<tr><td>Requested</td><td>${r.request}</td><td>Due by ${when(r.dueBy)}</td></tr>`)}
      ${submitted.map(
        (e) =>
          html`<tr><td>Submitted</td><td>${e.summary}</td><td>${e.documents.length === 0 && (e.files ?? []).length === 0 ? html`<span class="muted">—</span>` : html`<ul>${e.documents.map((d) => html`<li>${d}</li>`)}</ul>`}${evidenceFileLinks(e.files)}</td></tr>`,
      )}
      ${remediation.map((r) => html`<tr><td>Remediation of ${r.findingId}</td><td>${r.description}</td><td><span class="muted">—</span></td></tr>`)}
    </tbody>
  </table>`;
}

function findingsSection(review: ReviewCase): SafeHtml {
  if (review.assessedBy === undefined) return html`<p>The review has not been assessed yet.</p>`;
  if (review.findings.length === 0) return html`<p>The assessment found nothing to remediate.</p>`;
  return html`<table class="findings">
    <caption>Findings of the assessment</caption>
    <thead><tr><th scope="col">Id</th><th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Deadline</th>
      <th scope="col">Status</th><th scope="col">Overdue</th><th scope="col">Extended</th></tr></thead>
    <tbody>${review.findings.map(
      (f) => html`<tr>
        <th scope="row">${f.id}</th>
        <td>${f.title}</td>
        <td>${f.severity === 'high' ? html`<strong>High</strong>` : label(f.severity)}</td>
        <td>${when(f.deadline)}</td>
        <td>${label(f.status)}</td>
        <td>${f.overdue ? html`<strong>Overdue</strong>` : 'No'}</td>
        <td>${f.extended ? 'Yes, once' : 'No'}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

function escalationSection(review: ReviewCase): SafeHtml {
  if (!review.escalation) return html`<p>The review is not escalated.</p>`;
  const e = review.escalation;
  return html`<p class="escalation"><strong>Escalated to the director</strong> on ${when(e.at)}: ${label(e.reason)}${
    e.findingIds.length > 0 ? ` (findings ${e.findingIds.join(', ')})` : ''
  }.</p>`;
}

function findingOptions(review: ReviewCase, ids: readonly string[]): (readonly [string, string])[] {
  return ids.map((id) => {
    if (id === EVIDENCE_DEADLINE) return [id, `The evidence deadline (due ${(review.evidenceDueBy ?? '').slice(0, 10)})`] as const;
    const f = review.findings.find((x) => x.id === id);
    return [id, f ? `${f.id}: ${f.title} (${f.severity}, due ${f.deadline.slice(0, 10)})` : id] as const;
  });
}

function findingRows(id: string, values: FormValues, errors: FormErrors): SafeHtml {
  const severities = FINDING_SEVERITIES.map((s) => [s, label(s)] as const);
  const rows: SafeHtml[] = [];
  for (let row = 1; row <= FINDING_ROWS; row++) {
    const common = { form: id, values, errors };
    rows.push(html`<fieldset class="finding-row">
      <legend>Finding ${row}</legend>
      ${textField({ ...common, name: findingField(row, 'id'), label: `Finding ${row} id`, hint: row === 1 ? `Optional; F${row} when empty.` : undefined })}
      ${textField({ ...common, name: findingField(row, 'title'), label: `Finding ${row} title` })}
      ${selectField({ ...common, name: findingField(row, 'severity'), label: `Finding ${row} severity`, options: severities, empty: 'Choose…' })}
    </fieldset>`);
  }
  return html`<fieldset>
    <legend>Findings; leave the rows empty for a compliant review</legend>
    <p class="hint">Each finding gets its remediation deadline from its severity when the assessment is recorded.</p>
    ${rows}
  </fieldset>`;
}

function actionForm(loaded: LoadedReview, action: AvailableReviewAction, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const { form } = action;
  const id = `act-${form.path}`;
  const common = { form: id, values, errors };
  const fieldNames = new Set(form.fields.map((f) => f.name));
  const general = Object.entries(errors).filter(([name]) => name === '' || (!fieldNames.has(name) && !name.startsWith('finding-')));
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${general.map(([, message]) => html`<p class="field-error" role="alert">${message}</p>`)}
    <form class="stack" method="post" action="/ui/reviews/${encodeURIComponent(loaded.reviewId)}/${form.path}"${
      takesFiles(form.command) ? html` enctype="multipart/form-data"` : ''
    } novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      <input type="hidden" name="seen" value="${values.seen ?? String(loaded.revision)}">
      ${form.fields.map((f) => {
        switch (f.kind) {
          case 'findings':
            return findingRows(id, values, errors);
          case 'finding':
            // One finding to choose from is chosen already.
            return selectField({
              ...common,
              values: action.findingIds.length === 1 && values.findingId === undefined ? { ...values, findingId: action.findingIds[0] as string } : values,
              name: f.name,
              label: f.label,
              hint: f.hint,
              required: f.required,
              options: findingOptions(loaded.review, action.findingIds),
              empty: 'Choose…',
            });
          case 'radio':
            return radioField({ ...common, name: f.name, label: f.label, options: f.options, required: f.required });
          case 'date':
            return textField({ ...common, name: f.name, label: f.label, hint: f.hint, type: 'date', required: f.required });
          case 'textarea':
          case 'lines':
            return textArea({ ...common, name: f.name, label: f.label, hint: f.hint, required: f.required });
        }
      })}
      ${takesFiles(form.command)
        ? fileField({ ...common, name: 'files', label: 'Files', hint: `Optional: the reports themselves (PDF, images, text, CSV, JSON, ZIP or office documents).`, accept: ALLOWED_EVIDENCE_TYPES })
        : ''}
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

/** The review evidence form carries the files themselves; they are stored before the command names them. */
const takesFiles = (command: string): boolean => command === 'SubmitEvidence';


/** A refusal because the review moved on since the form was shown names who moved it, and when. */
function explain(error: DomainError, current: LoadedReview, seen: number): string {
  const stale = ['REVIEW_WRONG_STATE', 'REVIEW_FINDING_WRONG_STATE', 'REVIEW_EXTENSION_ALREADY_USED'].includes(error.code);
  if (!stale || !(current.revision > seen)) return error.message;
  const last = current.entries[current.entries.length - 1];
  if (!last) return error.message;
  const who = last.event.metadata?.actor;
  const name = who ? (who.name ?? who.userId) : 'the engine';
  return `The review changed meanwhile: ${describeEvent(last.event.type, last.event.data).toLowerCase()} by ${name} on ${last.event.recordedAt.slice(0, 10)}; nothing was changed. ${error.message}`;
}

export function reviewRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;

  /** A review exists for the actor only if they may see its accreditation: anyone else gets the same 404 as for none at all. */
  const load = async (actor: Actor, reviewId: string): Promise<LoadedReview> => {
    const notFound = new DomainError('NOT_FOUND', `There is no review ${reviewId} that you may see`);
    if (!CaseId.safeParse(reviewId).success) throw notFound;
    const entries = decodeStream(await deps.eventStore.readStream(streamName('review', reviewId)));
    const events = entries.filter((e) => e.decodeError === undefined).map((e) => ({ type: e.event.type, data: e.event.data }) as ReviewEvent);
    const review = foldReview(events);
    if (review.status === 'none' || !canSeeApplication(actor, review.subject.cspId)) throw notFound;
    const revision = entries.length === 0 ? -1 : (entries[entries.length - 1] as TimelineEntry).event.revision;
    return { reviewId, review, entries, events, revision };
  };

  const render = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, loaded: LoadedReview, refused?: Refused, status = 200) => {
    const csrf = csrfOf(ctx, request);
    // A server without the compliance processes still shows reviews, read-only. A review runs on the
    // policy pinned when it opened, but the decider refuses nothing for policy reasons (the policy only
    // sets deadlines), so the configured one serves to ask it which actions are open.
    const actions = deps.complianceGateway
      ? availableReviewActions(loaded.review, actor, { now: ctx.now().toISOString(), policy: deps.config.compliancePolicy })
      : [];
    // A refused form stays on the page with its values and its refusal, even when the action is no longer open to the user.
    if (refused && !actions.some((a) => a.form.command === refused.form.command)) {
      const kept = refused.values.findingId ? [refused.values.findingId] : [];
      actions.unshift({ form: refused.form, findingIds: kept });
    }
    const notes = html`${await notesSection(ctx, request, actor, 'review', loaded.reviewId, csrf)}${holdersSection(ctx, actor, loaded.reviewId)}`;
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    const r = loaded.review;
    const offeringName = deps.complianceQueries
      ?.dashboard(actor, { offeringId: r.subject.offeringId })
      .find((row) => row.applicationId === r.subject.applicationId)?.offeringName;
    return sendPage(
      reply,
      page({
        title: `Review ${loaded.reviewId}`,
        actor,
        csrf,
        current: 'case',
        notice: done,
        main: html`<h1>Review ${loaded.reviewId} <span class="status">${label(r.status)}</span></h1>
          <h2>Subject</h2>
          ${facts(loaded, offeringName)}
          <h2>Evidence</h2>
          ${evidenceSection(loaded)}
          <h2>Findings</h2>
          ${findingsSection(r)}
          <h2>Escalation</h2>
          ${escalationSection(r)}
          <h2>What you can do</h2>
          ${
            actions.length === 0
              ? html`<p>There is nothing for you to do on this review now.</p>`
              : html`<div class="actions">${actions.map((a) =>
                  refused?.form.command === a.form.command
                    ? actionForm(loaded, a, csrf, refused.values, refused.errors)
                    : actionForm(loaded, a, csrf, {}, {}),
                )}</div>`
          }
          ${notes}
          <h2>History</h2>
          ${timeline(loaded.entries, actor.role === 'auditor')}`,
      }),
      status,
    );
  };

  app.get('/reviews/:reviewId', async (request, reply) => {
    const actor = actorOf(request);
    const { reviewId } = request.params as { reviewId: string };
    request.caseId = reviewId;
    return render(request, reply, actor, await load(actor, reviewId));
  });

  caseNoteRoute(app, ctx, 'review', async (request, reply, actor, reviewId, status) => render(request, reply, actor, await load(actor, reviewId), undefined, status));

  app.post('/reviews/:reviewId/:action', async (request, reply) => {
    const actor = actorOf(request);
    const { reviewId, action } = request.params as { reviewId: string; action: string };
    request.caseId = reviewId;
    const form = reviewFormByPath(action);
    if (!form) throw new DomainError('NOT_FOUND', `There is no action ${action}`);
    const loaded = await load(actor, reviewId);
    const values = formValues(request.body);
    const parsed = parseReviewAction(form, values);
    if (!parsed.ok) return render(request, reply, actor, loaded, { form, values, errors: parsed.errors }, 400);
    try {
      const files = takesFiles(form.command) ? await storeUploads(deps, { request, reply, actor }, uploadedFiles(request.body)) : [];
      const data = files.length > 0 ? { ...(parsed.data as Record<string, unknown>), files } : parsed.data;
      await complianceGatewayOf(deps)().reviewAction(reviewId, { type: form.command, actor, data, commandId: commandIdOf(values) } as ReviewActionInput);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      // Re-read: the refusal may be because the review moved on, and the page must show where it is now.
      const current = await load(actor, reviewId);
      const known = err.field !== undefined && (form.fields.some((f) => f.name === err.field) || (err.field === 'files' && takesFiles(form.command)));
      const seen = Number.parseInt(values.seen ?? '', 10);
      const message = explain(err, current, Number.isNaN(seen) ? current.revision : seen);
      return render(request, reply, actor, current, { form, values, errors: { [known ? (err.field as string) : form.primaryField]: message } }, statusOf(err));
    }
    ctx.claims().releaseNoc(reviewId, actor);
    return seeOther(reply, `/ui/reviews/${encodeURIComponent(reviewId)}?done=${form.path}`);
  });
}
