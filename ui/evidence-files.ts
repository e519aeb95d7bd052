import type { EvidenceFile } from '../domain/shared/evidence-file';
import { html, type SafeHtml } from './html';

const sizeOf = (bytes: number): string => (bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

/** The files of a piece of evidence, each a link that opens it, with its size and the start of its hash (the whole hash in the title). */
export function evidenceFileLinks(files: readonly EvidenceFile[] | undefined): SafeHtml {
  if (files === undefined || files.length === 0) return html``;
  return html`<ul class="evidence-files">
    ${files.map(
      (f) =>
        html`<li><a href="/ui/evidence/${f.sha256}" download>${f.filename}</a> <span class="muted">(${f.contentType}, ${sizeOf(f.size)}, SHA-256 <code title="${f.sha256}">${f.sha256.slice(0, 12)}…</code>)</span></li>`,
    )}
  </ul>`;
}
