import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/shared/errors';

/** A file sent with a form, as the browser named and typed it (the store sniffs the type again). */
export interface UploadedFile {
  /** The form field it came with. */
  field: string;
  filename: string;
  contentType: string;
  content: Buffer;
}

/** Under a symbol, so that the form's text values (formValues) never see the files. */
const FILES = Symbol('uploaded files');

/**
 * Forms with files (`enctype="multipart/form-data"`), parsed by the Fetch API's own multipart reader
 * (Node's undici), so no other parser is needed: text fields become the body's values as a urlencoded
 * form's would (the first of a repeated name), and the files are kept apart for uploadedFiles(). The
 * whole body is bounded by `maxBytes`; each file is checked again by the evidence store.
 */
export function registerMultipartForms(scope: FastifyInstance, maxBytes: number): void {
  scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: maxBytes }, (request, body, done) => {
    new Response(body as Buffer, { headers: { 'content-type': String(request.headers['content-type']) } })
      .formData()
      .then(async (form) => {
        const values: Record<string | symbol, unknown> = {};
        const files: UploadedFile[] = [];
        for (const [name, value] of form) {
          if (typeof value === 'string') {
            if (!(name in values)) values[name] = value;
          } else if (value.name !== '' || value.size > 0) {
            // A file input left empty still sends a nameless, empty part.
            files.push({ field: name, filename: value.name, contentType: value.type, content: Buffer.from(await value.arrayBuffer()) });
          }
        }
        values[FILES] = files;
        done(null, values);
      })
      .catch(() => done(new DomainError('VALIDATION_FAILED', 'The form is not valid multipart/form-data'), undefined));
  });
}

export function uploadedFiles(body: unknown): UploadedFile[] {
  return body !== null && typeof body === 'object' ? ((body as Record<symbol, UploadedFile[] | undefined>)[FILES] ?? []) : [];
}
