import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canSeeApplication, type AccreditationGateway } from '../../api/accreditation-gateway';
import type { CspGateway } from '../../api/csp-gateway';
import { statusOf } from '../../api/errors';
import { AddOfferingBody, RegisterCspBody } from '../../api/schemas/csp';
import { ApplicationIdParams, SubmitAccreditationBody } from '../../api/schemas/accreditation';
import { createFrameworkLibrary } from '../../config/framework';
import { foldAccreditation, type AccreditationEvent } from '../../domain/accreditation';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { streamName } from '../../eventstore/envelope';
import { availableAccreditationActions, accreditationFormByPath, evidenceOf, parseAccreditationAction, scoreFieldName } from '../accreditation-actions';
import { APPLY_LABELS, CSP_LABELS, OFFERING_LABELS, applyForm, dataCentresOf, offeringForm, registrationForm } from '../accreditation-csp-forms';
import { actionForm, answersWithFiles, complianceSummary, evidenceList, explain, facts, scoreTable, type LoadedApplication, type Refused } from '../accreditation-page';
import { storeUploads, withFileEvidence } from '../evidence-files';
import { uploadedFiles } from '../multipart';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { caseNoteRoute, notesSection } from '../case-notes';
import { holdersSection } from '../case-holders';
import { commandIdOf, formValues, issuesToErrors, type FormErrors, type FormValues } from '../forms';
import { html } from '../html';
import { label, page, when } from '../layout';
import { OPEN_REVIEW_PATH, mayOpenReview, openReviewForm, parseOpenReview } from '../open-review';
import { decodeStream, timeline } from '../timeline';
import { complianceGatewayOf } from '../../api/routes/reviews';

/**
 * The accreditation pages: the list of applications, the CSP's way to an application (registration,
 * offerings, the application form; their forms are in ../accreditation-csp-forms.ts), and an
 * application's page with the actions open to the person (its parts are in ../accreditation-page.ts).
 */
const DONE: Record<string, string> = {
  noted: 'Your note has been added.',
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

  const render = async (
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
    const notes = html`${await notesSection(ctx, request, actor, 'accreditation', loaded.applicationId, csrf)}${holdersSection(ctx, actor, loaded.applicationId)}`;
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
          ${notes}
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

  caseNoteRoute(app, ctx, 'accreditation', async (request, reply, actor, applicationId, status) => render(request, reply, actor, await load(actor, applicationId), undefined, status));

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
      const files = answersWithFiles(form.command) ? await storeUploads(deps, { request, reply, actor }, uploadedFiles(request.body)) : [];
      const data = files.length === 0 ? parsed.data : withFileEvidence(parsed.data as { evidence?: unknown[] }, files);
      await accreditations().act(applicationId, { type: form.command, actor, data, commandId: commandIdOf(values) } as Parameters<
        AccreditationGateway['act']
      >[1]);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      // Re-read: the refusal may be because the application moved on, and the page must show where it is now.
      const current = await load(actor, applicationId);
      const field = err.field?.startsWith('scores.') ? scoreFieldName(err.field.slice('scores.'.length)) : err.field;
      const known = field !== undefined && (form.fields.some((f) => f.name === field) || field.startsWith('score-') || (field === 'files' && answersWithFiles(form.command)));
      return render(request, reply, actor, current, { form, values, errors: { [known ? field : form.primaryField]: explain(err, current, form) } }, statusOf(err));
    }
    ctx.claims().releaseNoc(applicationId, actor);
    return seeOther(reply, `/ui/accreditations/${encodeURIComponent(applicationId)}?done=${form.path}`);
  });
}

