import type { AccreditationCase } from '../domain/accreditation';
import { allCriteria, SCORE_MAX, SCORE_MIN, type BenchmarkFramework } from '../domain/framework/schema';
import { scoreApplication } from '../domain/framework/scoring';
import type { DomainError } from '../domain/shared/errors';
import type { ComplianceDashboardRow } from '../projections/compliance/queries';
import { scoreFieldName, type AccreditationActionForm } from './accreditation-actions';
import { commandIdField, csrfField, fileField, radioField, selectField, textArea, textField, type FormErrors, type FormValues } from './forms';
import { html, type SafeHtml } from './html';
import { label, when } from './layout';
import type { TimelineEntry } from './timeline';
import { evidenceFileLinks } from './evidence-files';
import { ALLOWED_EVIDENCE_TYPES } from '../evidence/sniff';

/** The parts of an application's page: its facts, evidence, scores, compliance summary and action forms. */

export interface LoadedApplication {
  applicationId: string;
  c: AccreditationCase;
  framework: BenchmarkFramework;
  /** The version in force now: a renewal is scored again against it. */
  inForce: BenchmarkFramework;
  entries: TimelineEntry[];
}

export interface Refused {
  form: AccreditationActionForm;
  values: FormValues;
  errors: FormErrors;
}


export function facts(c: AccreditationCase): SafeHtml {
  const a = c.application;
  const row = (term: string, value: SafeHtml | string | number | undefined | null) =>
    value === undefined || value === null || value === '' ? '' : html`<dt>${term}</dt><dd>${value}</dd>`;
  return html`<dl class="facts">
    ${row('CSP', a.cspId)}
    ${row('Offering', `${a.offering.name} (${a.offering.offeringId})`)}
    ${row('Deployment model', label(a.offering.deploymentModel))}
    ${row('Service models', a.offering.serviceModels.join(', '))}
    ${row('Data centres', a.offering.dataCentres.map((d) => `${d.city} (${d.country})`).join(', '))}
    ${row('Requested baseline', label(a.requestedBaseline))}
    ${row('Framework version', a.frameworkVersion)}
    ${row('Submitted', when(c.submittedAt))}
    ${row('Information due by', c.informationDueBy ? when(c.informationDueBy) : undefined)}
    ${row('Security review', c.securityReview ? `${label(c.securityReview.outcome)}: ${c.securityReview.notes}` : undefined)}
    ${row('Granted baseline', c.grant ? label(c.grant.baseline) : undefined)}
    ${row('Highest data class', c.grant ? label(c.grant.highestDataClass) : undefined)}
    ${row('Valid from', c.grant ? when(c.grant.validFrom) : undefined)}
    ${row('Valid until', c.grant ? when(c.grant.validUntil) : undefined)}
    ${row('Conditions', c.grant && c.grant.conditions.length > 0 ? html`<ul>${c.grant.conditions.map((x) => html`<li>${x}</li>`)}</ul>` : undefined)}
    ${row('May apply again after', c.reapplyAfter ? when(c.reapplyAfter) : undefined)}
    ${row('Transition until', c.transitionUntil ? when(c.transitionUntil) : undefined)}
  </dl>`;
}

/** The accreditation's compliance record at a glance, from the compliance dashboard. */
export function complianceSummary(row: ComplianceDashboardRow | undefined): SafeHtml {
  if (!row) return html``;
  const open = row.openFindings;
  return html`<h2>Compliance</h2>
    <dl class="facts">
      <dt>Last review</dt><dd>${
        row.lastReview
          ? html`<a href="/ui/reviews/${encodeURIComponent(row.lastReview.reviewId)}">${row.lastReview.reviewId}</a> (${label(row.lastReview.trigger)}, ${label(row.lastReview.status)})`
          : 'None yet'
      }</dd>
      <dt>Open findings</dt><dd>High ${open.high}, moderate ${open.moderate}, low ${open.low}</dd>
      <dt>Monthly reports</dt><dd>${row.monitoring.submitted} on time, ${row.monitoring.late} late, ${row.monitoring.missed} missed</dd>
    </dl>
    <p><a href="/ui/compliance">The compliance dashboard</a></p>`;
}

export function evidenceList(c: AccreditationCase): SafeHtml {
  return html`<table>
    <caption>Evidence supplied by the CSP</caption>
    <thead><tr><th scope="col">Kind</th><th scope="col">Reference</th><th scope="col">Issued</th><th scope="col">Expires</th></tr></thead>
    <tbody>${c.evidence.map((e) => html`<tr><td>${e.kind}</td><td>${e.reference}${evidenceFileLinks(e.files)}</td><td>${when(e.issuedAt)}</td><td>${when(e.expiresAt)}</td></tr>`)}</tbody>
  </table>`;
}

/** Every criterion of the pinned framework, its minimum for the requested baseline, and the score so far. */
export function scoreTable(c: AccreditationCase, framework: BenchmarkFramework): SafeHtml {
  const baseline = c.application.requestedBaseline;
  const result = scoreApplication(framework, c.scores, baseline);
  const groups = new Map(framework.groups.map((g) => [g.id, g.title]));
  return html`<p>Framework <strong>${framework.version}</strong> (${framework.title}). Total <strong>${result.total}%</strong>;
      ${result.complete ? html`highest baseline met: <strong>${result.highestBaselineMet ? label(result.highestBaselineMet) : 'none'}</strong>` : html`${result.missing.length} of ${allCriteria(framework).length} criteria not yet scored`};
      ${result.unmet.length > 0 ? html`<strong>${result.unmet.length}</strong> below the ${baseline} minimum` : html`none below the ${baseline} minimum`}.</p>
    <table class="scores">
      <caption>Scores against framework ${framework.version}, minimum for the requested baseline (${baseline})</caption>
      <thead><tr><th scope="col">Group</th><th scope="col">Criterion</th><th scope="col">Weight</th><th scope="col">Minimum</th><th scope="col">Score</th><th scope="col">Meets</th></tr></thead>
      <tbody>${allCriteria(framework).map((criterion) => {
        const score = c.scores[criterion.id];
        const minimum = criterion.minimum[baseline];
        return html`<tr>
          <td>${groups.get(criterion.groupId) ?? criterion.groupId}</td>
          <th scope="row">${criterion.id} ${criterion.title}</th>
          <td>${criterion.weight}</td>
          <td>${minimum}</td>
          <td>${score === undefined ? html`<span class="muted">—</span>` : score}</td>
          <td>${score === undefined ? html`<span class="muted">not scored</span>` : score >= minimum ? 'Yes' : html`<strong>No</strong>`}</td>
        </tr>`;
      })}</tbody>
    </table>`;
}

function scoreInputs(id: string, c: AccreditationCase, framework: BenchmarkFramework, values: FormValues, errors: FormErrors): SafeHtml {
  const baseline = c.application.requestedBaseline;
  return html`<fieldset>
    <legend>Scores, ${SCORE_MIN} to ${SCORE_MAX}; leave a criterion empty to keep its current score</legend>
    ${errors.scores ? html`<p class="field-error" id="${id}-scores-error">${errors.scores}</p>` : ''}
    ${allCriteria(framework).map((criterion) => {
      const current = c.scores[criterion.id];
      return textField({
        // "Score at least one criterion" is about every input: each one is described by it.
        describedBy: errors.scores ? `${id}-scores-error` : undefined,
        form: id,
        name: scoreFieldName(criterion.id),
        label: `${criterion.id} ${criterion.title}`,
        hint: `Minimum for ${baseline}: ${criterion.minimum[baseline]}.${current === undefined ? '' : ` Current score: ${current}.`}`,
        type: 'number',
        min: SCORE_MIN,
        max: SCORE_MAX,
        values,
        errors,
      });
    })}
  </fieldset>`;
}

/**
 * A renewal's scores, against the framework in force now: the assessment's score stands for each
 * criterion the version kept (its input may stay empty); a criterion it added must be scored.
 */
function renewalScoreInputs(id: string, c: AccreditationCase, framework: BenchmarkFramework, values: FormValues, errors: FormErrors): SafeHtml {
  const baseline = c.grant?.baseline ?? c.application.requestedBaseline;
  const added = allCriteria(framework).filter((criterion) => c.scores[criterion.id] === undefined);
  return html`<fieldset>
    <legend>Scores against framework ${framework.version}, in force now, ${SCORE_MIN} to ${SCORE_MAX}</legend>
    <p class="hint">${
      added.length === 0
        ? `Every criterion of ${framework.version} has the assessment's score; change one only to score it again.`
        : `${framework.version} has ${added.length} ${added.length === 1 ? 'criterion' : 'criteria'} the assessment did not score: ${added.map((a) => a.id).join(', ')}. Score ${added.length === 1 ? 'it' : 'them'}; the assessment's scores stand for the rest unless you change them.`
    }</p>
    ${errors.scores ? html`<p class="field-error" id="${id}-scores-error">${errors.scores}</p>` : ''}
    ${allCriteria(framework).map((criterion) => {
      const carried = c.scores[criterion.id];
      return textField({
        describedBy: errors.scores ? `${id}-scores-error` : undefined,
        form: id,
        name: scoreFieldName(criterion.id),
        label: `${criterion.id} ${criterion.title}`,
        hint: `Minimum for ${baseline}: ${criterion.minimum[baseline]}.${carried === undefined ? ' Not scored in the assessment: score it.' : ` Assessment's score: ${carried}.`}`,
        type: 'number',
        min: SCORE_MIN,
        max: SCORE_MAX,
        required: carried === undefined,
        values,
        errors,
      });
    })}
  </fieldset>`;
}

export function actionForm(loaded: LoadedApplication, form: AccreditationActionForm, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const id = `act-${form.path}`;
  const common = { form: id, values, errors };
  const fieldNames = new Set(form.fields.map((f) => f.name));
  // A refusal about the form as a whole, or about a field the form does not show, is shown at its top.
  const general = Object.entries(errors).filter(([name]) => name === '' || (!fieldNames.has(name) && !name.startsWith('score-')));
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${general.map(([, message]) => html`<p class="field-error" role="alert">${message}</p>`)}
    <form class="stack" method="post" action="/ui/accreditations/${encodeURIComponent(loaded.applicationId)}/${form.path}"${
      answersWithFiles(form.command) ? html` enctype="multipart/form-data"` : ''
    } novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${form.fields.map((f) => {
        switch (f.kind) {
          case 'scores':
            return scoreInputs(id, loaded.c, loaded.framework, values, errors);
          case 'renewal-scores':
            return renewalScoreInputs(id, loaded.c, loaded.inForce, values, errors);
          case 'radio':
            return radioField({ ...common, name: f.name, label: f.label, options: f.options, required: f.required });
          case 'select':
            return selectField({ ...common, name: f.name, label: f.label, hint: f.hint, options: f.options, empty: 'Choose…' });
          case 'textarea':
          case 'lines':
          case 'evidence':
            return textArea({ ...common, name: f.name, label: f.label, hint: f.hint, required: f.required });
        }
      })}
      ${answersWithFiles(form.command)
        ? fileField({ ...common, name: 'files', label: 'Attach files', hint: 'Optional: each file is recorded as evidence of kind other, under its file name.', accept: ALLOWED_EVIDENCE_TYPES })
        : ''}
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

/** The CSP's answer to the reviewers' questions may bring files, each its own piece of evidence. */
export const answersWithFiles = (command: string): boolean => command === 'ProvideInformation';

/** "Already decided" names who decided and how, from the application's own record. */
export function explain(error: DomainError, loaded: LoadedApplication, form: AccreditationActionForm): string {
  if (form.command !== 'Decide' || error.code !== 'ACCREDITATION_WRONG_STATE') return error.message;
  const decision = [...loaded.entries].reverse().find((e) => e.event.type === 'AccreditationGranted' || e.event.type === 'AccreditationRejected');
  if (!decision) return error.message;
  const data = decision.event.data as { decidedByName?: string };
  const how = decision.event.type === 'AccreditationGranted' ? 'approved' : 'rejected';
  return `This application was already ${how} by ${data.decidedByName ?? 'someone else'} on ${decision.event.recordedAt.slice(0, 10)}; nothing was changed.`;
}
