import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import { BASELINES } from '../../domain/shared/vocabulary';
import type { CriterionGroup, FrameworkDiff } from '../../domain/framework';
import type { FrameworkVersionView } from '../../projections/framework/versions';
import { sendPage } from '../context';
import { html, type SafeHtml } from '../html';
import { label, page, when } from '../layout';

/** The public page of the benchmark framework's versions: the one in force, every other, and what each changed. */
export function diffList(diff: FrameworkDiff | undefined): SafeHtml {
  if (diff === undefined) return html`<span class="muted">The first version</span>`;
  const lines: SafeHtml[] = [
    ...diff.added.map((c) => html`<li>Added ${c.id} ${c.title}</li>`),
    ...diff.removed.map((c) => html`<li>Removed ${c.id} ${c.title}</li>`),
    ...diff.changed.map(
      (c) => html`<li>${c.id} ${c.title}:
        ${c.weight ? `weight ${c.weight.from} → ${c.weight.to}` : ''}
        ${Object.entries(c.minimum ?? {})
          .map(([baseline, m]) => `${baseline} minimum ${m.from} → ${m.to}`)
          .join('; ')}</li>`,
    ),
  ];
  return lines.length === 0 ? html`<span class="muted">No criterion changed against ${diff.from}</span>` : html`<ul>${lines}</ul>`;
}

function versionTable(versions: readonly FrameworkVersionView[], inForce: string): SafeHtml {
  return html`<table>
    <caption>${versions.length} version${versions.length === 1 ? '' : 's'}, oldest first</caption>
    <thead><tr><th scope="col">Version</th><th scope="col">Status</th><th scope="col">In force from</th>
      <th scope="col">What changed</th><th scope="col">Criteria</th></tr></thead>
    <tbody>${versions.map(
      (v) => html`<tr>
        <td><a href="${versionPath(v.version)}">${v.version}</a>${v.version === inForce ? html` <strong>(in force)</strong>` : ''}<br><span class="muted">${v.title}</span></td>
        <td><span class="status">${label(v.status)}</span></td>
        <td>${v.genesis ? html`<span class="muted">The beginning</span>` : when(v.effectiveFrom)}</td>
        <td>${v.changes ?? html`<span class="muted">—</span>`}${v.rejectionReasons ? html`<br>Rejected: ${v.rejectionReasons}` : ''}</td>
        <td>${diffList(v.diff)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

const VERSION = /^\d+\.\d+$/;
const versionPath = (version: string): string => `/frameworks/${encodeURIComponent(version)}`;

function groupTable(group: CriterionGroup): SafeHtml {
  return html`<table>
    <caption>${group.title}: ${group.criteria.length} criteri${group.criteria.length === 1 ? 'on' : 'a'}</caption>
    <thead><tr><th scope="col">Criterion</th><th scope="col">What it measures</th><th scope="col">Evidence expected</th>
      <th scope="col">Weight</th><th scope="col">Minimum score by baseline</th></tr></thead>
    <tbody>${group.criteria.map(
      (c) => html`<tr>
        <th scope="row">${c.id}<br><span class="muted">${c.title}</span></th>
        <td>${c.measures}</td>
        <td><ul>${c.evidence.map((e) => html`<li>${e}</li>`)}</ul></td>
        <td>${c.weight}</td>
        <td><ul>${BASELINES.map((b) => html`<li>${label(b)}: ${c.minimum[b]}</li>`)}</ul></td>
      </tr>`,
    )}</tbody>
  </table>`;
}

/** One version: its standing, what it changed against the version before it, and every criterion. */
function versionMain(v: FrameworkVersionView, inForce: string): SafeHtml {
  const f = v.framework;
  return html`<p><a href="/frameworks">Every version of the framework</a></p>
    <h1>Benchmark framework ${v.version}</h1>
    <p>${v.title}${v.version === inForce ? html` — <strong>in force now</strong>` : ''}</p>
    <dl class="facts">
      <dt>Status</dt><dd><span class="status">${label(v.status)}</span></dd>
      <dt>In force from</dt><dd>${v.genesis ? html`<span class="muted">The beginning</span>` : when(v.effectiveFrom)}</dd>
      ${v.changes ? html`<dt>What it changes, in the office's words</dt><dd>${v.changes}</dd>` : ''}
      ${v.rejectionReasons ? html`<dt>Rejected</dt><dd>${v.rejectionReasons}</dd>` : ''}
      <dt>Scale</dt><dd>${f.scale.min} to ${f.scale.max}: ${f.scale.meaning}</dd>
    </dl>
    <h2>Changes against ${v.diff ? html`<a href="${versionPath(v.diff.from)}">version ${v.diff.from}</a>` : 'the version before'}</h2>
    ${diffList(v.diff)}
    <h2>Criteria</h2>
    ${f.groups.map(groupTable)}
    <p><a href="/api/frameworks">Every version (JSON)</a></p>`;
}

export function frameworkPages(app: FastifyInstance, deps: ApiDeps): void {
  const unavailable = (reply: FastifyReply): FastifyReply => {
    const main = html`<h1>Not available</h1><p>The framework register is not available on this server just now. Try again later.</p>`;
    return sendPage(reply, page({ title: 'Not available', csrf: '', current: 'none', main }), 503);
  };

  app.get('/frameworks/:version', async (request, reply) => {
    const register = deps.frameworkRegister;
    if (!register) return unavailable(reply);
    const { version } = request.params as { version: string };
    const [view, current] = await Promise.all([VERSION.test(version) ? register.version(version) : undefined, register.current()]);
    if (view === undefined) {
      const main = html`<h1>Version not found</h1><p>The benchmark framework has no version <code>${version}</code>.</p><p><a href="/frameworks">Every version of the framework</a></p>`;
      return sendPage(reply, page({ title: 'Version not found', csrf: '', current: 'none', main }), 404);
    }
    return sendPage(reply, page({ title: `Benchmark framework ${view.version}`, csrf: '', current: 'none', main: versionMain(view, current.version) }));
  });

  app.get('/frameworks', async (_request, reply) => {
    const register = deps.frameworkRegister;
    if (!register) return unavailable(reply);
    const [versions, current] = await Promise.all([register.versions(), register.current()]);
    const main = html`<h1>The benchmark framework</h1>
      <p>Applications for accreditation are scored against the version in force when they are submitted, renewals against the one in force at renewal.
        A new version is proposed by one director and approved by another, and takes effect on its date.</p>
      <p>In force now: <strong><a href="${versionPath(current.version)}">${current.version}</a></strong>, ${current.title}.
        <a href="/api/frameworks/current">The full document (JSON)</a> · <a href="/api/frameworks">Every version (JSON)</a></p>
      ${versionTable(versions, current.version)}`;
    return sendPage(reply, page({ title: 'The benchmark framework', csrf: '', current: 'none', main }));
  });
}
