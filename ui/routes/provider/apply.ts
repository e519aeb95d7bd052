import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../../api/errors';
import { SubmitAccreditationBody } from '../../../api/schemas/accreditation';
import { EVIDENCE_KINDS } from '../../../domain/accreditation';
import type { CspRecord } from '../../../domain/csp';
import type { BenchmarkFramework } from '../../../domain/framework/schema';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { BASELINES } from '../../../domain/shared/vocabulary';
import { csrfOf, sendPage, seeOther, type UiContext } from '../../context';
import { commandIdField, commandIdOf, csrfField, errorSummary, fileField, formValues, selectField, textField, type FormErrors, type FormValues } from '../../forms';
import { html, type SafeHtml } from '../../html';
import { label, page, when } from '../../layout';
import { cspsOf, issuesToErrors, requireProvider } from './provider-forms';
import type { EvidenceFile } from '../../../domain/shared/evidence-file';
import { ALLOWED_EVIDENCE_TYPES } from '../../../evidence/sniff';
import { storeUploads } from '../../evidence-files';
import { uploadedFiles } from '../../multipart';

/** Rows of evidence the form offers; empty rows are left out. */
export const EVIDENCE_ROWS = 6;
const LABELS: Record<string, string> = { offeringId: 'Offering', requestedBaseline: 'Baseline asked for', evidence: 'Evidence', frameworkVersion: 'Framework version' };

function criteriaTable(framework: BenchmarkFramework): SafeHtml {
  return html`${framework.groups.map(
    (group) => html`<table>
      <caption>${group.title}</caption>
      <thead><tr><th scope="col">Criterion</th><th scope="col">What it measures</th><th scope="col">Evidence expected</th>
        <th scope="col">Weight</th><th scope="col">Minimum score per baseline</th></tr></thead>
      <tbody>${group.criteria.map(
        (c) => html`<tr>
          <th scope="row">${c.id}<br>${c.title}</th>
          <td>${c.measures}</td>
          <td><ul>${c.evidence.map((e) => html`<li>${e}</li>`)}</ul></td>
          <td>${c.weight}</td>
          <td>${BASELINES.map((b) => `${label(b)} ${c.minimum[b]}`).join(', ')}</td>
        </tr>`,
      )}</tbody>
    </table>`,
  )}`;
}

function evidenceRows(values: FormValues, errors: FormErrors): SafeHtml {
  const rows = Array.from({ length: EVIDENCE_ROWS }, (_, i) => i + 1);
  return html`<fieldset><legend>Evidence supplied (one document a row; at least one)</legend>
    ${errors.evidence ? html`<p class="field-error" id="apply-evidence-error">${errors.evidence}</p>` : ''}
    ${rows.map(
      (n) => html`<div class="evidence-row">
        ${selectField({ form: 'apply', name: `evidence-${n}-kind`, label: `Document ${n}: kind`, values, errors, empty: 'None', options: EVIDENCE_KINDS.map((k) => [k, label(k)] as const) })}
        ${textField({ form: 'apply', name: `evidence-${n}-reference`, label: `Document ${n}: reference`, hint: n === 1 ? 'Certificate number, report title or document reference; name the criteria it answers.' : undefined, values, errors })}
        ${textField({ form: 'apply', name: `evidence-${n}-expiresAt`, label: `Document ${n}: expires on (optional)`, type: 'date', values, errors })}
        ${fileField({ form: 'apply', name: `evidence-${n}-file`, label: `Document ${n}: the file (optional)`, values, errors, accept: ALLOWED_EVIDENCE_TYPES })}
      </div>`,
    )}
  </fieldset>`;
}

/** The evidence rows typed in, in order, each with the files stored from its row, and for each parsed entry the row it came from. */
function evidenceOf(values: FormValues, files: ReadonlyMap<number, EvidenceFile[]> = new Map()): { entries: Record<string, unknown>[]; rows: number[] } {
  const entries: Record<string, unknown>[] = [];
  const rows: number[] = [];
  for (let n = 1; n <= EVIDENCE_ROWS; n++) {
    const kind = values[`evidence-${n}-kind`] ?? '';
    const reference = (values[`evidence-${n}-reference`] ?? '').trim();
    const expires = (values[`evidence-${n}-expiresAt`] ?? '').trim();
    const rowFiles = files.get(n) ?? [];
    if (kind === '' && reference === '' && expires === '' && rowFiles.length === 0) continue;
    entries.push({
      kind: kind || undefined,
      reference,
      ...(expires ? { expiresAt: /^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T00:00:00.000Z` : expires } : {}),
      ...(rowFiles.length > 0 ? { files: rowFiles } : {}),
    });
    rows.push(n);
  }
  return { entries, rows };
}

/**
 * Applying for accreditation with the benchmark framework in force on the page: every criterion with
 * what it measures, the evidence expected for it and the minimum per baseline, then the application
 * (an active offering, the baseline asked for, the evidence). It is pinned to the version shown.
 */
export function providerApplyRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { deps } = ctx;
  const render = async (request: FastifyRequest, reply: FastifyReply, actor: Actor & { organisationId: string }, values: FormValues = {}, errors: FormErrors = {}, status = 200) => {
    if (deps.frameworkRegister === undefined) throw new DomainError('UNAVAILABLE', 'The benchmark framework is not available on this server');
    const current = await deps.frameworkRegister.current();
    const view = await cspsOf(ctx).state(actor.organisationId);
    const offerings = view?.state.status === 'registered' ? Object.values((view.state as CspRecord).offerings).filter((o) => o.status === 'active') : [];
    const csrf = csrfOf(ctx, request);
    const common = { form: 'apply', values, errors };
    return sendPage(
      reply,
      page({
        title: 'Apply for accreditation',
        actor,
        csrf,
        current: 'home',
        main: html`<h1>Apply for accreditation</h1>
          <p>Applications are assessed against <strong>${current.title}</strong>, version ${current.version}, in force since ${when(current.effectiveFrom)}.
            Each criterion is scored; the baseline you ask for is granted when every criterion reaches its minimum for it.</p>
          <details open><summary>The criteria and the evidence expected</summary>${criteriaTable(current.framework)}</details>
          <h2>Your application</h2>
          ${errorSummary('apply', errors)}
          ${
            offerings.length === 0
              ? html`<p>Add an offering on <a href="/ui/provider">your home page</a> first.</p>`
              : html`<form method="post" action="/ui/provider/apply" enctype="multipart/form-data">
                  ${csrfField(csrf)}${commandIdField(values)}
                  <input type="hidden" name="frameworkVersion" value="${current.version}">
                  ${selectField({ ...common, name: 'offeringId', label: LABELS.offeringId as string, required: true, empty: 'Choose…', options: offerings.map((o) => [o.offeringId, `${o.name} (${o.offeringId})`] as const) })}
                  ${selectField({ ...common, name: 'requestedBaseline', label: LABELS.requestedBaseline as string, required: true, empty: 'Choose…', options: BASELINES.map((b) => [b, label(b)] as const) })}
                  ${evidenceRows(values, errors)}
                  <button type="submit">Submit the application</button>
                </form>`
          }`,
      }),
      status,
    );
  };

  app.get('/provider/apply', async (request, reply) => render(request, reply, requireProvider(request)));

  app.post('/provider/apply', async (request, reply) => {
    const actor = requireProvider(request);
    const values = formValues(request.body);
    // Each row's file is stored first, so that the application names it by its hash.
    const stored = new Map<number, EvidenceFile[]>();
    try {
      for (const upload of uploadedFiles(request.body)) {
        const row = /^evidence-(\d+)-file$/.exec(upload.field)?.[1];
        if (row === undefined) continue;
        const [file] = await storeUploads(deps, { request, reply, actor }, [upload]);
        stored.set(Number(row), [...(stored.get(Number(row)) ?? []), file as EvidenceFile]);
      }
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      return render(request, reply, actor, values, { [err.field ?? '']: err.message }, statusOf(err));
    }
    const { entries, rows } = evidenceOf(values, stored);
    const parsed = SubmitAccreditationBody.safeParse({
      offeringId: values.offeringId ?? '',
      requestedBaseline: values.requestedBaseline || undefined,
      evidence: entries,
      frameworkVersion: values.frameworkVersion || undefined,
    });
    if (!parsed.success) {
      // An evidence issue names its row's own field (evidence.0.reference → evidence-1-reference).
      const rowIssues = parsed.error.issues.filter((i) => i.path[0] === 'evidence' && typeof i.path[1] === 'number' && i.path[2] !== undefined);
      const rowLabels: Record<string, string> = {};
      const renamed = rowIssues.map((i) => {
        const field = `evidence-${rows[i.path[1] as number] ?? 1}-${String(i.path[2])}`;
        rowLabels[field] = `Document ${rows[i.path[1] as number] ?? 1}: ${String(i.path[2])}`;
        return { ...i, path: [field] };
      });
      const others = parsed.error.issues.filter((i) => !rowIssues.includes(i));
      const errors = { ...issuesToErrors(others, LABELS), ...issuesToErrors(renamed, rowLabels) };
      return render(request, reply, actor, values, errors, 400);
    }
    if (deps.accreditationGateway === undefined) throw new DomainError('UNAVAILABLE', 'Accreditation is not available on this server');
    try {
      const view = await deps.accreditationGateway.submit(actor, parsed.data, commandIdOf(values));
      const applicationId = view.state.status === 'none' ? '' : view.state.application.applicationId;
      return seeOther(reply, `/ui/accreditations/${encodeURIComponent(applicationId)}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.kind === 'internal' || err.kind === 'unavailable') throw err;
      const field = err.field !== undefined && err.field in LABELS ? err.field : '';
      return render(request, reply, actor, values, { [field]: field === '' ? err.message : `${LABELS[field]}: ${err.message}` }, statusOf(err));
    }
  });
}
