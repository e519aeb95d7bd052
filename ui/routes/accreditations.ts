import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canSeeApplication, type AccreditationGateway } from '../../api/accreditation-gateway';
import type { CspGateway } from '../../api/csp-gateway';
import { statusOf } from '../../api/errors';
import { AddOfferingBody, RegisterCspBody } from '../../api/schemas/csp';
import { ApplicationIdParams, SubmitAccreditationBody } from '../../api/schemas/accreditation';
import { createFrameworkLibrary } from '../../config/framework';
import { EVIDENCE_KINDS, foldAccreditation, type AccreditationCase, type AccreditationEvent } from '../../domain/accreditation';
import { allCriteria, SCORE_MAX, SCORE_MIN, type BenchmarkFramework } from '../../domain/framework/schema';
import { scoreApplication } from '../../domain/framework/scoring';
import { DEPLOYMENT_MODELS } from '../../domain/procurement/hosting-rules';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { BASELINES } from '../../domain/shared/vocabulary';
import { streamName } from '../../eventstore/envelope';
import type { ComplianceDashboardRow } from '../../projections/compliance/queries';
import type { CspView } from '../../workflows/csp/messages';
import {
  availableAccreditationActions,
  accreditationFormByPath,
  evidenceOf,
  parseAccreditationAction,
  scoreFieldName,
  type AccreditationActionForm,
} from '../accreditation-actions';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, formValues, lines, radioField, selectField, textArea, textField, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { OPEN_REVIEW_PATH, mayOpenReview, openReviewForm, parseOpenReview } from '../open-review';
import { decodeStream, timeline, type TimelineEntry } from '../timeline';
import { complianceGatewayOf } from '../../api/routes/reviews';

const DONE: Record<string, string> = {
  submitted: 'Your application has been submitted.',
  'start-screening': 'Screening has started.',
  'request-information': 'Your questions have been sent to the CSP.',
  'provide-information': 'Your answer has been sent.',
  'complete-screening': 'Screening is complete; assessment has begun.',
  score: 'Your scores have been recorded.',
  'security-review': 'The security review has been recorded.',
  decide: 'Your decision has been recorded.',
  suspend: 'The accreditation has been suspended.',
  reinstate: 'The accreditation has been reinstated.',
  renew: 'The accreditation has been renewed.',
  revoke: 'The accreditation has been revoked.',
  withdraw: 'The application has been withdrawn.',
  registered: 'Your organisation is registered.',
  offering: 'The offering has been added.',
};

interface LoadedApplication {
  applicationId: string;
  c: AccreditationCase;
  framework: BenchmarkFramework;
  /** The version in force now: a renewal is scored again against it. */
  inForce: BenchmarkFramework;
  entries: TimelineEntry[];
}

interface Refused {
  form: AccreditationActionForm;
  values: FormValues;
  errors: FormErrors;
}


/** Zod issues as messages by form field; `rename` maps a payload path's first key to the field that holds it. */
function issuesToErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], labels: Record<string, string>, rename: (path: readonly PropertyKey[]) => string): FormErrors {
  const errors: FormErrors = {};
  for (const issue of issues) {
    const field = rename(issue.path);
    errors[field] ??= `${labels[field] ?? field}: ${issue.message}`;
  }
  return errors;
}

// ---- The CSP's own pages: registration, offerings, applying ----

const CSP_LABELS: Record<string, string> = {
  name: 'Organisation name',
  registrationNumber: 'SECP registration number',
  contactName: 'Contact person',
  contactEmail: 'Contact email',
};

function registrationForm(actor: Actor, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'csp', values, errors };
  return html`<h2>Register your organisation</h2>
    <p>Before applying, ${actor.organisationId ?? 'your organisation'} must be in the CSP register.</p>
    ${errorSummary('csp', errors)}
    <form class="stack" method="post" action="/ui/accreditations/csp" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'name', label: CSP_LABELS.name as string, required: true })}
      ${textField({ ...common, name: 'registrationNumber', label: CSP_LABELS.registrationNumber as string, required: true })}
      ${textField({ ...common, name: 'contactName', label: CSP_LABELS.contactName as string, required: true })}
      ${textField({ ...common, name: 'contactEmail', label: CSP_LABELS.contactEmail as string, required: true, autocomplete: 'email' })}
      <div><button type="submit">Register organisation</button></div>
    </form>`;
}

const OFFERING_LABELS: Record<string, string> = {
  offeringId: 'Offering id',
  name: 'Offering name',
  serviceModels: 'Service models',
  deploymentModel: 'Deployment model',
  dataCentres: 'Data centres',
};

function offeringForm(csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'offering', values, errors };
  return html`<h2>Add an offering</h2>
    ${errorSummary('offering', errors)}
    <form class="stack" method="post" action="/ui/accreditations/offerings" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${textField({ ...common, name: 'offeringId', label: 'Offering id', hint: 'Letters, digits, dots, dashes; e.g. off-gov.', required: true })}
      ${textField({ ...common, name: 'name', label: 'Offering name', required: true })}
      ${textField({ ...common, name: 'serviceModels', label: 'Service models', hint: 'Comma-separated: IaaS, PaaS, SaaS.', required: true })}
      ${selectField({ ...common, name: 'deploymentModel', label: 'Deployment model', required: true, empty: 'Choose…', options: DEPLOYMENT_MODELS.map((d) => [d, label(d)] as const) })}
      ${textArea({ ...common, name: 'dataCentres', label: 'Data centres', hint: 'One per line, as city and country code: Islamabad, PK.', required: true })}
      <div><button type="submit">Add offering</button></div>
    </form>`;
}

const APPLY_LABELS: Record<string, string> = { offeringId: 'Offering', requestedBaseline: 'Requested baseline', evidence: 'Evidence' };

function applyForm(csp: CspView, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const common = { form: 'apply', values, errors };
  const offerings = csp.state.status === 'registered' ? Object.values(csp.state.offerings).filter((o) => o.status === 'active') : [];
  if (offerings.length === 0) return html`<h2>Apply for accreditation</h2><p>Add an offering first; then you can apply to have it accredited.</p>`;
  return html`<h2>Apply for accreditation</h2>
    <p>The application is assessed against the current benchmark framework: a reviewer screens and scores it, a
      security reviewer reviews it, and a director decides.</p>
    ${errorSummary('apply', errors)}
    <form class="stack" method="post" action="/ui/accreditations" novalidate>
      ${csrfField(csrf)}
      ${commandIdField(values)}
      ${selectField({ ...common, name: 'offeringId', label: 'Offering', required: true, empty: 'Choose…', options: offerings.map((o) => [o.offeringId, `${o.name} (${o.offeringId})`] as const) })}
      ${selectField({ ...common, name: 'requestedBaseline', label: 'Requested baseline', required: true, empty: 'Choose…', options: BASELINES.map((b) => [b, label(b)] as const) })}
      ${textArea({
        ...common,
        name: 'evidence',
        label: 'Evidence',
        hint: `One per line, as kind: reference. Kinds: ${EVIDENCE_KINDS.join(', ')}.`,
        required: true,
      })}
      <div><button type="submit">Submit application</button></div>
    </form>`;
}

function dataCentresOf(text: string | undefined): { city: string; country: string }[] {
  return lines(text).map((line) => {
    const comma = line.lastIndexOf(',');
    return comma < 0 ? { city: line, country: '' } : { city: line.slice(0, comma).trim(), country: line.slice(comma + 1).trim() };
  });
}

// ---- The application page ----

function facts(c: AccreditationCase): SafeHtml {
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
function complianceSummary(row: ComplianceDashboardRow | undefined): SafeHtml {
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

function evidenceList(c: AccreditationCase): SafeHtml {
  return html`<table>
    <caption>Evidence supplied by the CSP</caption>
    <thead><tr><th scope="col">Kind</th><th scope="col">Reference</th><th scope="col">Issued</th><th scope="col">Expires</th></tr></thead>
    <tbody>${c.evidence.map((e) => html`<tr><td>${e.kind}</td><td>${e.reference}</td><td>${when(e.issuedAt)}</td><td>${when(e.expiresAt)}</td></tr>`)}</tbody>
  </table>`;
}

/** Every criterion of the pinned framework, its minimum for the requested baseline, and the score so far. */
function scoreTable(c: AccreditationCase, framework: BenchmarkFramework): SafeHtml {
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

function actionForm(loaded: LoadedApplication, form: AccreditationActionForm, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  const id = `act-${form.path}`;
  const common = { form: id, values, errors };
  const fieldNames = new Set(form.fields.map((f) => f.name));
  // A refusal about the form as a whole, or about a field the form does not show, is shown at its top.
  const general = Object.entries(errors).filter(([name]) => name === '' || (!fieldNames.has(name) && !name.startsWith('score-')));
  return html`<section class="action" aria-labelledby="${id}-title">
    <h3 id="${id}-title">${form.title}</h3>
    ${general.map(([, message]) => html`<p class="field-error" role="alert">${message}</p>`)}
    <form class="stack" method="post" action="/ui/accreditations/${encodeURIComponent(loaded.applicationId)}/${form.path}" novalidate>
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
      <div><button type="submit">${form.button}</button></div>
    </form>
  </section>`;
}

/** "Already decided" names who decided and how, from the application's own record. */
function explain(error: DomainError, loaded: LoadedApplication, form: AccreditationActionForm): string {
  if (form.command !== 'Decide' || error.code !== 'ACCREDITATION_WRONG_STATE') return error.message;
  const decision = [...loaded.entries].reverse().find((e) => e.event.type === 'AccreditationGranted' || e.event.type === 'AccreditationRejected');
  if (!decision) return error.message;
  const data = decision.event.data as { decidedByName?: string };
  const how = decision.event.type === 'AccreditationGranted' ? 'approved' : 'rejected';
  return `This application was already ${how} by ${data.decidedByName ?? 'someone else'} on ${decision.event.recordedAt.slice(0, 10)}; nothing was changed.`;
}

export function accreditationRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;
  const frameworks = createFrameworkLibrary(deps.config.framework);
  const accreditations = (): AccreditationGateway => {
    if (!deps.accreditationGateway) throw new DomainError('UNAVAILABLE', 'Accreditation is not available on this server');
    return deps.accreditationGateway;
  };
  const csps = (): CspGateway => {
    if (!deps.cspGateway) throw new DomainError('UNAVAILABLE', 'The CSP register is not available on this server');
    return deps.cspGateway;
  };

  /** An application exists for the actor only if they may see it: anyone else gets the same 404 as for none at all. */
  const load = async (actor: Actor, applicationId: string): Promise<LoadedApplication> => {
    const notFound = new DomainError('NOT_FOUND', `There is no application ${applicationId} that you may see`);
    if (!ApplicationIdParams.safeParse({ applicationId }).success) throw notFound;
    const entries = decodeStream(await deps.eventStore.readStream(streamName('accreditation', applicationId)));
    const events = entries.filter((e) => e.decodeError === undefined).map((e) => ({ type: e.event.type, data: e.event.data }) as AccreditationEvent);
    const state = foldAccreditation(events);
    if (state.status === 'none' || !canSeeApplication(actor, state.application.cspId)) throw notFound;
    // A version the directors published lives in the framework register; the genesis version is also a file.
    const version = state.application.frameworkVersion;
    const published = await deps.frameworkRegister?.version(version);
    const framework = published?.framework ?? frameworks.load(version);
    const inForce = (await deps.frameworkRegister?.inForce(ctx.now().toISOString())) ?? frameworks.load(frameworks.currentVersion);
    return { applicationId, c: state, framework, inForce, entries };
  };

  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    loaded: LoadedApplication,
    refused?: Refused,
    status = 200,
    opening: { values: FormValues; errors: FormErrors } = { values: {}, errors: {} },
  ) => {
    const csrf = csrfOf(ctx, request);
    const forms = availableAccreditationActions(loaded.c, actor, {
      policy: deps.config.accreditationPolicy,
      framework: loaded.framework,
      now: ctx.now().toISOString(),
    });
    // A refused form stays on the page with its values and its refusal, even when the action is not open to the user.
    if (refused && !forms.some((f) => f.command === refused.form.command)) forms.unshift(refused.form);
    const canOpenReview = deps.complianceGateway !== undefined && mayOpenReview(actor, loaded.c);
    const compliance = deps.complianceQueries?.dashboard(actor, { offeringId: loaded.c.application.offering.offeringId }).find((r) => r.applicationId === loaded.applicationId);
    const done = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: loaded.applicationId,
        actor,
        csrf,
        current: 'case',
        notice: done,
        main: html`<h1>${loaded.applicationId} <span class="status">${label(loaded.c.status)}</span></h1>
          <h2>Facts</h2>
          ${facts(loaded.c)}
          <h2>Evidence</h2>
          ${evidenceList(loaded.c)}
          <h2>Scores</h2>
          ${scoreTable(loaded.c, loaded.framework)}
          <h2>What you can do</h2>
          ${
            forms.length === 0 && !canOpenReview
              ? html`<p>There is nothing for you to do on this application now.</p>`
              : html`<div class="actions">${forms.map((form) =>
                  refused?.form.command === form.command
                    ? actionForm(loaded, form, csrf, refused.values, refused.errors)
                    : actionForm(loaded, form, csrf, {}, {}),
                )}${canOpenReview ? openReviewForm(loaded.applicationId, csrf, opening.values, opening.errors) : ''}</div>`
          }
          ${complianceSummary(compliance)}
          <h2>History</h2>
          ${timeline(loaded.entries, actor.role === 'auditor')}`,
      }),
      status,
    );
  };

  app.get('/accreditations', async (request, reply) => {
    const actor = actorOf(request);
    const rows = deps.accreditationQueue?.applications(actor) ?? [];
    const notice = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    return sendPage(
      reply,
      page({
        title: 'Accreditations',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'accreditations',
        notice,
        main: html`<h1>Accreditation applications</h1>
          ${actor.role === 'csp' ? html`<p><a href="/ui/accreditations/new">Apply for accreditation</a></p>` : ''}
          ${
            rows.length === 0
              ? html`<p>There are no applications that you may see.</p>`
              : html`<table>
                  <caption>Applications, most recently changed first</caption>
                  <thead><tr><th scope="col">Application</th><th scope="col">Status</th><th scope="col">CSP</th><th scope="col">Offering</th>
                    <th scope="col">Requested baseline</th><th scope="col">Submitted</th><th scope="col">Last change</th></tr></thead>
                  <tbody>${rows.map(
                    (r) => html`<tr>
                      <td><a href="/ui/accreditations/${encodeURIComponent(r.applicationId)}">${r.applicationId}</a></td>
                      <td>${label(r.status)}</td>
                      <td>${r.cspId}</td>
                      <td>${r.offeringName} <span class="muted">(${r.offeringId})</span></td>
                      <td>${label(r.requestedBaseline)}</td>
                      <td>${when(r.submittedAt)}</td>
                      <td>${when(r.updatedAt)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }`,
      }),
    );
  });

  /** The CSP's way in: registration when not yet registered, then offerings, then the application form. */
  const renderNew = async (
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    shown: { form?: 'csp' | 'offering' | 'apply'; values?: FormValues; errors?: FormErrors } = {},
    status = 200,
  ) => {
    if (actor.role !== 'csp' || actor.organisationId === undefined) throw new DomainError('ROLE_NOT_ALLOWED', 'Only a CSP applies for accreditation');
    const csrf = csrfOf(ctx, request);
    const of = (form: 'csp' | 'offering' | 'apply'): [FormValues, FormErrors] => (shown.form === form ? [shown.values ?? {}, shown.errors ?? {}] : [{}, {}]);
    const csp = await csps().state(actor.organisationId);
    const notice = DONE[(request.query as Record<string, string | undefined>).done ?? ''];
    const main =
      csp === undefined
        ? html`<h1>Apply for accreditation</h1>${registrationForm(actor, csrf, ...of('csp'))}`
        : html`<h1>Apply for accreditation</h1>
            ${applyForm(csp, csrf, ...of('apply'))}
            ${offeringForm(csrf, ...of('offering'))}`;
    return sendPage(reply, page({ title: 'Apply for accreditation', actor, csrf, current: 'accreditations', notice, main }), status);
  };

  app.get('/accreditations/new', async (request, reply) => renderNew(request, reply, actorOf(request)));

  /** Runs a CSP-side command; a refusal comes back next to its field with what was typed. */
  const attempt = async (
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    form: 'csp' | 'offering' | 'apply',
    values: FormValues,
    run: () => Promise<string>,
    fieldOf: (field: string | undefined) => string = (f) => f ?? '',
  ) => {
    try {
      return seeOther(reply, await run());
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return renderNew(request, reply, actor, { form, values, errors: { [fieldOf(err.field)]: err.message } }, statusOf(err));
    }
  };

  app.post('/accreditations/csp', async (request, reply) => {
    const actor = actorOf(request);
    const values = formValues(request.body);
    const raw = {
      cspId: actor.organisationId,
      name: values.name ?? '',
      registrationNumber: values.registrationNumber ?? '',
      contact: { name: values.contactName ?? '', email: (values.contactEmail ?? '').trim() },
    };
    const parsed = RegisterCspBody.safeParse(raw);
    if (!parsed.success) {
      const errors = issuesToErrors(parsed.error.issues, CSP_LABELS, (path) =>
        path[0] === 'contact' ? (path[1] === 'email' ? 'contactEmail' : 'contactName') : String(path[0] ?? ''),
      );
      return renderNew(request, reply, actor, { form: 'csp', values, errors }, 400);
    }
    return attempt(request, reply, actor, 'csp', values, async () => {
      await csps().register(actor, parsed.data, commandIdOf(values));
      return '/ui/accreditations/new?done=registered';
    });
  });

  app.post('/accreditations/offerings', async (request, reply) => {
    const actor = actorOf(request);
    const values = formValues(request.body);
    const raw = {
      offeringId: (values.offeringId ?? '').trim(),
      name: values.name ?? '',
      serviceModels: (values.serviceModels ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
      deploymentModel: values.deploymentModel || undefined,
      dataCentres: dataCentresOf(values.dataCentres),
    };
    const parsed = AddOfferingBody.safeParse(raw);
    if (!parsed.success) {
      const errors = issuesToErrors(parsed.error.issues, OFFERING_LABELS, (path) => String(path[0] ?? ''));
      return renderNew(request, reply, actor, { form: 'offering', values, errors }, 400);
    }
    return attempt(request, reply, actor, 'offering', values, async () => {
      await csps().act(actor.organisationId ?? '', { type: 'AddOffering', actor, data: parsed.data, commandId: commandIdOf(values) });
      return '/ui/accreditations/new?done=offering';
    }, (field) => (field && field in OFFERING_LABELS ? field : 'offeringId'));
  });

  app.post('/accreditations', async (request, reply) => {
    const actor = actorOf(request);
    const values = formValues(request.body);
    const raw = {
      offeringId: values.offeringId || undefined,
      requestedBaseline: values.requestedBaseline || undefined,
      evidence: evidenceOf(values.evidence),
    };
    const parsed = SubmitAccreditationBody.safeParse(raw);
    if (!parsed.success) {
      const errors = issuesToErrors(parsed.error.issues, APPLY_LABELS, (path) => String(path[0] ?? ''));
      return renderNew(request, reply, actor, { form: 'apply', values, errors }, 400);
    }
    return attempt(request, reply, actor, 'apply', values, async () => {
      const view = await accreditations().submit(actor, parsed.data, commandIdOf(values));
      const id = view.state.status === 'none' ? '' : view.state.application.applicationId;
      return `/ui/accreditations/${encodeURIComponent(id)}?done=submitted`;
    }, (field) => (field && field in APPLY_LABELS ? field : 'offeringId'));
  });

  /** A reviewer opens an incident or complaint review; a refusal comes back next to its field with what was typed. */
  const openReview = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, applicationId: string) => {
    const loaded = await load(actor, applicationId);
    const values = formValues(request.body);
    const parsed = parseOpenReview(applicationId, values);
    if (!parsed.ok) return render(request, reply, actor, loaded, undefined, 400, { values, errors: parsed.errors });
    try {
      const view = await complianceGatewayOf(deps)().openReview(actor, parsed.data, commandIdOf(values));
      const reviewId = view.state.status === 'none' ? '' : view.state.subject.reviewId;
      return seeOther(reply, `/ui/reviews/${encodeURIComponent(reviewId)}?done=opened`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      const field = err.field === 'trigger' || err.field === 'description' ? err.field : 'description';
      return render(request, reply, actor, await load(actor, applicationId), undefined, statusOf(err), { values, errors: { [field]: err.message } });
    }
  };

  app.get('/accreditations/:applicationId', async (request, reply) => {
    const actor = actorOf(request);
    const { applicationId } = request.params as { applicationId: string };
    request.caseId = applicationId;
    return render(request, reply, actor, await load(actor, applicationId));
  });

  app.post('/accreditations/:applicationId/:action', async (request, reply) => {
    const actor = actorOf(request);
    const { applicationId, action } = request.params as { applicationId: string; action: string };
    request.caseId = applicationId;
    if (action === OPEN_REVIEW_PATH) return openReview(request, reply, actor, applicationId);
    const form = accreditationFormByPath(action);
    if (!form) throw new DomainError('NOT_FOUND', `There is no action ${action}`);
    const loaded = await load(actor, applicationId);
    const values = formValues(request.body);
    const parsed = parseAccreditationAction(form, values, loaded.framework, loaded.inForce);
    if (!parsed.ok) return render(request, reply, actor, loaded, { form, values, errors: parsed.errors }, 400);
    try {
      await accreditations().act(applicationId, { type: form.command, actor, data: parsed.data, commandId: commandIdOf(values) } as Parameters<
        AccreditationGateway['act']
      >[1]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      // Re-read: the refusal may be because the application moved on, and the page must show where it is now.
      const current = await load(actor, applicationId);
      const field = err.field?.startsWith('scores.') ? scoreFieldName(err.field.slice('scores.'.length)) : err.field;
      const known = field !== undefined && (form.fields.some((f) => f.name === field) || field.startsWith('score-'));
      return render(request, reply, actor, current, { form, values, errors: { [known ? field : form.primaryField]: explain(err, current, form) } }, statusOf(err));
    }
    ctx.claims().releaseNoc(applicationId, actor);
    return seeOther(reply, `/ui/accreditations/${encodeURIComponent(applicationId)}?done=${form.path}`);
  });
}
