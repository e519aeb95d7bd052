import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../api/errors';
import type { FrameworkRegister } from '../../api/framework-register';
import { FrameworkVersionParams, ProposeFrameworkBody, RejectFrameworkBody } from '../../api/schemas/framework';
import { allCriteria, diffFrameworks, type BenchmarkFramework } from '../../domain/framework';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { FrameworkVersionView } from '../../projections/framework/versions';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { csrfField, errorSummary, formValues, issuesToErrors, textArea, textField, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';
import { diffList } from './frameworks';

const DONE: Record<string, string> = {
  proposed: 'The version is proposed. Another director approves or rejects it.',
  approved: 'The version is approved: it takes effect on its date.',
  rejected: 'The version is rejected.',
};

const LABELS: Record<string, string> = {
  framework: 'Framework document',
  effectiveFrom: 'In force from',
  changes: 'What changes',
  reasons: 'Reasons',
  version: 'Version',
};

export const frameworkVersionPath = (version: string): string => `/ui/frameworks/${encodeURIComponent(version)}`;

/** Publishing the framework is the directors' decision; these pages are theirs alone. */
function requireDirector(request: FastifyRequest): Actor {
  const actor = actorOf(request);
  if (actor.role !== 'director') throw new DomainError('ROLE_NOT_ALLOWED', 'Framework versions are proposed and decided by directors');
  return actor;
}

function registerOf(ctx: UiContext): FrameworkRegister {
  if (ctx.deps.frameworkRegister === undefined) throw new DomainError('UNAVAILABLE', 'The framework register is not available on this server');
  return ctx.deps.frameworkRegister;
}

/** A refusal the director can act on comes back on the form; `framework.version` and the like name the document. */
function refusalOf(err: unknown): { errors: FormErrors; status: number } {
  if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
  const named = err.field === 'framework.effectiveFrom' ? 'effectiveFrom' : err.field?.startsWith('framework') ? 'framework' : err.field;
  const field = named !== undefined && named in LABELS ? named : '';
  return { errors: { [field]: field === '' ? err.message : `${LABELS[field]}: ${err.message}` }, status: statusOf(err) };
}

/**
 * The proposal as the form gives it: the document pasted as JSON, its effectiveFrom replaced by the
 * date field when one is given (from the start of that day, UTC), and the summary of what changes.
 */
function proposalOf(values: FormValues): { ok: true; data: { framework: BenchmarkFramework; changes: string } } | { ok: false; errors: FormErrors } {
  let document: unknown;
  try {
    document = JSON.parse(values.framework ?? '');
  } catch {
    return { ok: false, errors: { framework: `${LABELS.framework}: is not JSON; paste the whole framework document` } };
  }
  const date = (values.effectiveFrom ?? '').trim();
  if (date !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(date)) return { ok: false, errors: { effectiveFrom: `${LABELS.effectiveFrom}: must be a date` } };
  if (date !== '' && document !== null && typeof document === 'object') document = { ...document, effectiveFrom: `${date}T00:00:00.000Z` };
  const parsed = ProposeFrameworkBody.safeParse({ framework: document, changes: values.changes });
  if (!parsed.success) {
    return { ok: false, errors: issuesToErrors(parsed.error.issues, LABELS, (path) => (path[0] === 'framework' && path[1] === 'effectiveFrom' ? 'effectiveFrom' : String(path[0] ?? ''))) };
  }
  return { ok: true, data: parsed.data };
}

function criteriaCount(framework: BenchmarkFramework): string {
  return `${allCriteria(framework).length} criteria`;
}

function proposeForm(csrf: string, values: FormValues, errors: FormErrors, preview: SafeHtml | undefined): SafeHtml {
  const common = { form: 'propose', values, errors };
  return html`<h2>Propose a version</h2>
    <p class="hint">Paste the whole framework document (JSON, like <a href="/api/frameworks/current">the version in force</a>) with a
      version number after every published one. Preview shows what it changes against the version in force, without proposing it.</p>
    ${errorSummary('propose', errors)}
    ${preview ?? ''}
    <form class="stack" method="post" action="/ui/frameworks" novalidate>
      ${csrfField(csrf)}
      ${textArea({ ...common, name: 'framework', label: LABELS.framework as string, required: true })}
      ${textField({ ...common, name: 'effectiveFrom', label: LABELS.effectiveFrom as string, type: 'date', hint: "Optional: replaces the document's effectiveFrom; it must lie in the future." })}
      ${textArea({ ...common, name: 'changes', label: LABELS.changes as string, hint: 'A summary for the public page and for the approving director.', required: true })}
      <div><button type="submit" name="intent" value="preview" class="secondary">Preview the changes</button>
        <button type="submit" name="intent" value="propose">Propose version</button></div>
    </form>`;
}

function decisionForms(view: FrameworkVersionView, actor: Actor, csrf: string, values: FormValues, errors: FormErrors): SafeHtml {
  if (view.status !== 'proposed') return html``;
  const own = view.proposedBy === actor.userId;
  return html`<h2>Decide</h2>
    ${own ? html`<p class="hint">You proposed this version: another director approves or rejects it.</p>` : ''}
    ${errorSummary('decide', errors)}
    <form class="stack" method="post" action="${frameworkVersionPath(view.version)}/approve" novalidate>
      ${csrfField(csrf)}
      <p>Approving publishes ${view.version} from ${when(view.effectiveFrom)}: applications submitted from then on, and renewals, are scored against it.</p>
      <div><button type="submit">Approve version ${view.version}</button></div>
    </form>
    <form class="stack" method="post" action="${frameworkVersionPath(view.version)}/reject" novalidate>
      ${csrfField(csrf)}
      ${textArea({ form: 'decide', name: 'reasons', label: 'Reasons for rejecting', values, errors, required: true })}
      <div><button type="submit" class="secondary">Reject version ${view.version}</button></div>
    </form>`;
}

/**
 * The directors' pages of the framework register: the versions awaiting a decision, a form to propose
 * a version (with a preview of what it changes against the version in force), and per version its
 * changes and the approve and reject forms. The decider refuses the proposer's own decision (four
 * eyes); the refusal comes back on the page, and forms keep what was typed.
 */
export function frameworkVersionRoutes(app: FastifyInstance, ctx: UiContext): void {
  const renderList = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, values: FormValues = {}, errors: FormErrors = {}, status = 200, preview?: SafeHtml) => {
    const register = registerOf(ctx);
    const [versions, current] = await Promise.all([register.versions(), register.current()]);
    const pending = versions.filter((v) => v.status === 'proposed');
    const csrf = csrfOf(ctx, request);
    return sendPage(
      reply,
      page({
        title: 'Framework versions',
        actor,
        csrf,
        current: 'frameworks',
        notice: DONE[(request.query as Record<string, string | undefined>).done ?? ''],
        main: html`<h1>Framework versions</h1>
          <p>In force now: <strong>${current.version}</strong>, ${current.title} (${criteriaCount(current.framework)}). <a href="/frameworks">Every version, as the public reads it</a></p>
          <h2>Awaiting a decision</h2>
          ${
            pending.length === 0
              ? html`<p>No version awaits a decision.</p>`
              : html`<table>
                  <caption>${pending.length} proposed ${pending.length === 1 ? 'version' : 'versions'}</caption>
                  <thead><tr><th scope="col">Version</th><th scope="col">In force from</th><th scope="col">Proposed by</th><th scope="col">What changes</th></tr></thead>
                  <tbody>${pending.map(
                    (v) => html`<tr><th scope="row"><a href="${frameworkVersionPath(v.version)}">${v.version}</a> <span class="muted">${v.title}</span></th>
                      <td>${when(v.effectiveFrom)}</td><td>${v.proposedBy === actor.userId ? 'You' : v.proposedBy}</td><td>${v.changes}</td></tr>`,
                  )}</tbody>
                </table>`
          }
          ${proposeForm(csrf, values, errors, preview)}`,
      }),
      status,
    );
  };

  const load = async (rawVersion: unknown): Promise<FrameworkVersionView> => {
    const params = FrameworkVersionParams.safeParse({ version: rawVersion });
    const view = params.success ? await registerOf(ctx).version(params.data.version) : undefined;
    if (view === undefined) throw new DomainError('NOT_FOUND', `No framework version ${String(rawVersion)}`);
    return view;
  };

  const renderVersion = async (request: FastifyRequest, reply: FastifyReply, actor: Actor, view: FrameworkVersionView, values: FormValues = {}, errors: FormErrors = {}, status = 200) => {
    const current = await registerOf(ctx).current();
    const csrf = csrfOf(ctx, request);
    const againstInForce = view.version === current.version ? undefined : diffFrameworks(current.framework, view.framework);
    return sendPage(
      reply,
      page({
        title: `Framework ${view.version}`,
        actor,
        csrf,
        current: 'frameworks',
        notice: DONE[(request.query as Record<string, string | undefined>).done ?? ''],
        main: html`<p><a href="/ui/frameworks">Framework versions</a></p>
          <h1>Framework ${view.version}: ${view.title}</h1>
          <dl>
            <dt>Status</dt><dd><span class="status">${label(view.status)}</span>${view.version === current.version ? ' (in force)' : ''}</dd>
            <dt>In force from</dt><dd>${view.genesis ? 'The beginning' : when(view.effectiveFrom)}</dd>
            ${view.proposedBy ? html`<dt>Proposed by</dt><dd>${view.proposedBy}</dd>` : ''}
            ${view.approvedBy ? html`<dt>Approved by</dt><dd>${view.approvedBy}</dd>` : ''}
            ${view.rejectedBy ? html`<dt>Rejected by</dt><dd>${view.rejectedBy}: ${view.rejectionReasons}</dd>` : ''}
            <dt>Criteria</dt><dd>${criteriaCount(view.framework)}</dd>
          </dl>
          ${view.changes ? html`<h2>What the proposer says changes</h2><p>${view.changes}</p>` : ''}
          ${againstInForce ? html`<h2>Against the version in force (${current.version})</h2>${diffList(againstInForce)}` : ''}
          ${view.diff && view.diff.from !== current.version ? html`<h2>Against the version it replaces (${view.diff.from})</h2>${diffList(view.diff)}` : ''}
          ${decisionForms(view, actor, csrf, values, errors)}`,
      }),
      status,
    );
  };

  app.get('/frameworks', async (request, reply) => renderList(request, reply, requireDirector(request)));

  app.post('/frameworks', async (request, reply) => {
    const actor = requireDirector(request);
    const values = formValues(request.body);
    const proposal = proposalOf(values);
    if (!proposal.ok) return renderList(request, reply, actor, values, proposal.errors, 400);
    if (values.intent === 'preview') {
      const current = await registerOf(ctx).current();
      const preview = html`<section aria-labelledby="preview-title"><h3 id="preview-title">Version ${proposal.data.framework.version} against ${current.version}, in force now</h3>
        ${diffList(diffFrameworks(current.framework, proposal.data.framework))}</section>`;
      return renderList(request, reply, actor, values, {}, 200, preview);
    }
    try {
      await registerOf(ctx).propose(actor, proposal.data);
    } catch (err) {
      const refusal = refusalOf(err);
      return renderList(request, reply, actor, values, refusal.errors, refusal.status);
    }
    return seeOther(reply, `${frameworkVersionPath(proposal.data.framework.version)}?done=proposed`);
  });

  app.get('/frameworks/:version', async (request, reply) => {
    const actor = requireDirector(request);
    return renderVersion(request, reply, actor, await load((request.params as { version: string }).version));
  });

  app.post('/frameworks/:version/approve', async (request, reply) => {
    const actor = requireDirector(request);
    const view = await load((request.params as { version: string }).version);
    try {
      await registerOf(ctx).approve(actor, view.version);
    } catch (err) {
      const refusal = refusalOf(err);
      return renderVersion(request, reply, actor, view, {}, refusal.errors, refusal.status);
    }
    return seeOther(reply, `${frameworkVersionPath(view.version)}?done=approved`);
  });

  app.post('/frameworks/:version/reject', async (request, reply) => {
    const actor = requireDirector(request);
    const view = await load((request.params as { version: string }).version);
    const values = formValues(request.body);
    const parsed = RejectFrameworkBody.safeParse({ reasons: values.reasons });
    if (!parsed.success) return renderVersion(request, reply, actor, view, values, issuesToErrors(parsed.error.issues, LABELS), 400);
    try {
      await registerOf(ctx).reject(actor, view.version, parsed.data.reasons);
    } catch (err) {
      const refusal = refusalOf(err);
      return renderVersion(request, reply, actor, view, values, refusal.errors, refusal.status);
    }
    return seeOther(reply, `${frameworkVersionPath(view.version)}?done=rejected`);
  });
}
