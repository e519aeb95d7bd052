import type { DossierDecision } from './decisions';
import type { Dossier } from './dossier';

const escape = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function framework(x: DossierDecision): string {
  if (!x.frameworkVersion) return '';
  const scored = x.scoredAgainst && x.scoredAgainst !== x.frameworkVersion ? ` (scored against ${escape(x.scoredAgainst)})` : x.scoredAgainst ? ' (scored against it)' : '';
  return `${escape(x.frameworkVersion)}${scored}`;
}

function standing(x: DossierDecision): string {
  const parts: string[] = [];
  if (x.outcome) parts.push(`Outcome: ${escape(x.outcome)}`);
  if (x.scores) parts.push(`Scores: ${Object.entries(x.scores).map(([id, score]) => `${escape(id)} ${score}`).join(', ')}`);
  if (x.scoreSummary) {
    const s = x.scoreSummary;
    parts.push(`Total ${s.total}${s.complete ? '' : ' (incomplete)'}, meets ${escape(s.highestBaselineMet ?? 'no baseline')}`);
  }
  return parts.join('<br>');
}

/**
 * The dossier as a printable, self-contained HTML document (print it to PDF from any browser). With
 * `caseHref`, the other cases it names link to their own dossiers (the auditor's pages); without, they are plain text.
 */
export function dossierHtml(d: Dossier, options: { caseHref?: (stream: string) => string } = {}): string {
  const caseRef = (stream: string): string =>
    options.caseHref && stream !== d.case ? `<a href="${escape(options.caseHref(stream))}">${escape(stream)}</a>` : escape(stream);
  const v = d.verification;
  const verdict = v.intact
    ? `Verified: the case's hash chain recomputes${v.streams.length > 1 ? `, as do the ${v.streams.length - 1} other streams shown here (its notes and related cases)` : ''}${v.coveredBy ? `, and signed checkpoint ${v.coveredBy.sequence} (${escape(v.coveredBy.createdAt)}) covers it up to revision ${v.coveredBy.revision}` : '; no signed checkpoint covers it yet'}. ${v.checkpointsVerified} signed checkpoints hold the newest heads of these ${v.streams.length} streams, and the log still matches them; the rest of the log was not read for this dossier (npm run verify checks it whole).`
    : `NOT VERIFIED. ${v.chainBreak ? `Chain broken at revision ${v.chainBreak.revision}: ${escape(v.chainBreak.problem)} (${escape(v.chainBreak.detail)}). ` : ''}${(v.relatedChainBreaks ?? []).map((b) => `Related case ${escape(b.stream)} broken at revision ${b.revision}: ${escape(b.problem)} (${escape(b.detail)}). `).join('')}${v.notesChainBreak ? `Internal notes broken at revision ${v.notesChainBreak.revision}: ${escape(v.notesChainBreak.problem)} (${escape(v.notesChainBreak.detail)}). ` : ''}${v.checkpointFindings.map((f) => `Checkpoint ${f.sequence}: ${escape(f.problem)} (${escape(f.detail)}).`).join(' ')}${(v.fileFindings ?? []).map((f) => ` Evidence file ${escape(f.sha256)} (${escape(f.filename)}, revision ${f.revision}) ${escape(f.stored)}.`).join('')}`;
  const files = d.files
    .map(
      (f) => `<tr><td>${f.revision}</td><td>${escape(f.type)}</td><td>${escape(f.filename)}</td><td>${escape(f.contentType)}</td><td>${f.size}</td><td><code>${escape(f.sha256)}</code></td><td>${escape(f.stored ?? 'not checked')}</td></tr>`,
    )
    .join('\n');
  const decisions = d.decisions
    .map(
      (x) => `<tr><td>${caseRef(x.case)}</td><td>${x.revision}</td><td>${x.kind ? `${escape(x.kind)}<br><small>${escape(x.type)}</small>` : escape(x.type)}${x.onDecisionOf ? `<br><small>on the decision of ${caseRef(x.onDecisionOf)}</small>` : ''}</td>
<td>${escape(x.by)}</td><td>${escape(x.role)}</td><td>${escape(x.at)}</td><td>${escape(x.policyVersion)}</td><td>${framework(x)}</td><td>${escape(x.reasons)}</td><td>${standing(x)}</td></tr>`,
    )
    .join('\n');
  const related = (d.relatedCases ?? [])
    .map((c) => `<tr><td>${caseRef(c.case)}</td><td>${escape(c.kind)}</td><td>${escape(c.trigger)}</td><td>${escape(c.openedAt)}</td><td>${escape(c.description)}</td></tr>`)
    .join('\n');
  const events = d.events
    .map(
      (e) => `<tr><td>${e.revision}</td><td>${escape(e.type)}</td><td>${escape(e.occurredAt)}<br><small>recorded ${escape(e.recordedAt)}</small></td>
<td>${escape(e.actor.name ?? e.actor.userId)}<br><small>${escape(e.actor.role)}${e.actor.jurisdiction ? `, ${escape(e.actor.jurisdiction)}` : ''}</small></td>
<td>${escape(e.policyVersion)}</td><td><pre>${escape(JSON.stringify(e.data, null, 1))}</pre></td><td><code>${escape(e.hash?.slice(0, 16))}</code></td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Decision dossier — ${escape(d.case)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #999;padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#eee}pre{margin:0;white-space:pre-wrap;font-size:12px}
.ok{border-left:6px solid #1a7f37;padding:.5rem 1rem;background:#eefbf1}.bad{border-left:6px solid #b42318;padding:.5rem 1rem;background:#fdeceb}
@media print{body{margin:0}tr{break-inside:avoid}}
</style></head><body>
<h1>Decision dossier: ${escape(d.case)}</h1>
<p>Generated ${escape(d.generatedAt)}. ${d.events.length} events.</p>
<p class="${v.intact ? 'ok' : 'bad'}">${verdict}</p>
<h2>Decisions</h2>
<table><thead><tr><th>Case</th><th>Rev.</th><th>What</th><th>By</th><th>Role</th><th>When</th><th>Policy</th><th>Framework</th><th>Reasons</th><th>Outcome / scores</th></tr></thead><tbody>
${decisions}
</tbody></table>
${
  d.relatedCases
    ? `<h2>Related cases</h2>
<table><thead><tr><th>Case</th><th>Kind</th><th>Trigger</th><th>Opened</th><th>Description</th></tr></thead><tbody>
${related}
</tbody></table>`
    : ''
}
${
  d.notes
    ? `<h2>Internal notes</h2>
<table><thead><tr><th>Rev.</th><th>When</th><th>By</th><th>Role</th><th>Note</th></tr></thead><tbody>
${d.notes.map((n) => `<tr><td>${n.revision}</td><td>${escape(n.at)}</td><td>${escape(n.by)}</td><td>${escape(n.role)}</td><td>${escape(n.text)}</td></tr>`).join('\n')}
</tbody></table>`
    : ''
}
${
  d.files.length > 0
    ? `<h2>Evidence files</h2>
<table><thead><tr><th>Rev.</th><th>Event</th><th>File</th><th>Type</th><th>Bytes</th><th>SHA-256</th><th>Stored file</th></tr></thead><tbody>
${files}
</tbody></table>`
    : ''
}
<h2>Every event</h2>
<table><thead><tr><th>Rev.</th><th>Event</th><th>When</th><th>Who</th><th>Policy</th><th>Data</th><th>Hash</th></tr></thead><tbody>
${events}
</tbody></table>
</body></html>
`;
}
