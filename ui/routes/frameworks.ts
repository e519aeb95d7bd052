import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import type { FrameworkDiff } from '../../domain/framework';
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
        <td>${v.version}${v.version === inForce ? html` <strong>(in force)</strong>` : ''}<br><span class="muted">${v.title}</span></td>
        <td><span class="status">${label(v.status)}</span></td>
        <td>${v.genesis ? html`<span class="muted">The beginning</span>` : when(v.effectiveFrom)}</td>
        <td>${v.changes ?? html`<span class="muted">—</span>`}${v.rejectionReasons ? html`<br>Rejected: ${v.rejectionReasons}` : ''}</td>
        <td>${diffList(v.diff)}</td>
      </tr>`,
    )}</tbody>
  </table>`;
}

export function frameworkPages(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/frameworks', async (_request, reply) => {
    const register = deps.frameworkRegister;
    if (!register) {
      const main = html`<h1>Not available</h1><p>The framework register is not available on this server just now. Try again later.</p>`;
      return sendPage(reply, page({ title: 'Not available', csrf: '', current: 'none', main }), 503);
    }
    const [versions, current] = await Promise.all([register.versions(), register.current()]);
    const main = html`<h1>The benchmark framework</h1>
      <p>Applications for accreditation are scored against the version in force when they are submitted, renewals against the one in force at renewal.
        A new version is proposed by one director and approved by another, and takes effect on its date.</p>
      <p>In force now: <strong>${current.version}</strong>, ${current.title}.
        <a href="/api/frameworks/current">The full document (JSON)</a> · <a href="/api/frameworks">Every version (JSON)</a></p>
      ${versionTable(versions, current.version)}`;
    return sendPage(reply, page({ title: 'The benchmark framework', csrf: '', current: 'none', main }));
  });
}
