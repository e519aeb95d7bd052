import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../api/deps';
import type { Actor } from '../domain/shared/actor';
import { DomainError, RateLimited } from '../domain/shared/errors';
import type { EvidenceFile } from '../domain/shared/evidence-file';
import { html, type SafeHtml } from './html';
import type { UploadedFile } from './multipart';

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

/** Who uploads: each file counts against the account's hourly allowance, as through the API. */
export interface Uploader {
  request: FastifyRequest;
  reply: FastifyReply;
  actor: Actor;
}

/**
 * Stores the files a form brought (the store checks size and type) and answers the entries a command
 * names them by. A refused file is refused under its form field, naming the file. Past the account's
 * hourly allowance the form is refused with Retry-After, as the API refuses it.
 */
export async function storeUploads(deps: ApiDeps, uploader: Uploader, uploads: readonly UploadedFile[]): Promise<EvidenceFile[]> {
  if (uploads.length === 0) return [];
  if (deps.evidence === undefined) throw new DomainError('UNAVAILABLE', 'Evidence files are not available on this server');
  const store = deps.evidence.store;
  const files: EvidenceFile[] = [];
  for (const upload of uploads) {
    try {
      await uploader.request.server.evidenceUploadThrottle.check(uploader.request, uploader.actor.userId);
    } catch (err) {
      if (err instanceof RateLimited) void uploader.reply.header('retry-after', String(err.retryAfterSeconds));
      throw err;
    }
    try {
      files.push(await store.put(upload.content, { filename: upload.filename || 'evidence', contentType: upload.contentType || undefined }));
    } catch (err) {
      if (err instanceof DomainError) throw new DomainError(err.code, `${upload.filename}: ${err.message}`, upload.field);
      throw err;
    }
  }
  return files;
}

/** Each file sent with an answer becomes its own piece of evidence, of kind other, referenced by its file name. */
export function withFileEvidence<A extends { evidence?: unknown[] }>(answer: A, files: readonly EvidenceFile[]): A & { evidence: unknown[] } {
  return { ...answer, evidence: [...(answer.evidence ?? []), ...files.map((file) => ({ kind: 'other', reference: file.filename, files: [file] }))] };
}
