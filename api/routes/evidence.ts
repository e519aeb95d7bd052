import type { FastifyReply } from 'fastify';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { Sha256Hex } from '../../domain/shared/evidence-file';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import { DEFAULT_EVIDENCE_MAX_BYTES } from '../../evidence/port';
import { ALLOWED_EVIDENCE_TYPES } from '../../evidence/sniff';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { EvidenceHashParams, StoredEvidenceFile, UploadEvidenceQuery } from '../schemas/evidence';

/** RFC 6266: an ASCII fallback and the UTF-8 name, so no name can break out of the header. */
function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Sends an evidence file to a person who may see a case that names it, as an attachment of the type
 * the case recorded, never to be sniffed into something else; to anyone else, and for a hash nobody
 * uploaded, the same 404. The API and the UI both answer through this. A case submitted a moment ago
 * counts already: the references are the read model's plus the events it has not applied yet.
 */
export async function sendEvidenceFile(deps: ApiDeps, actor: Actor, sha256: string, reply: FastifyReply): Promise<FastifyReply> {
  if (deps.evidence === undefined) throw new DomainError('UNAVAILABLE', 'Evidence files are not available on this server');
  const { store, references } = deps.evidence;
  const visible = Sha256Hex.safeParse(sha256).success ? (await references.referencesTo(sha256)).find((ref) => canSeeCspRecord(actor, ref.cspId)) : undefined;
  // Streamed from the store: a large file is never held whole in the API's memory.
  const content = visible === undefined ? undefined : await store.open(sha256);
  if (visible === undefined || content === undefined) throw new DomainError('NOT_FOUND', `No evidence file ${sha256}`);
  return reply
    .header('content-type', visible.contentType)
    .header('content-disposition', attachment(visible.filename))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-length', String(visible.size))
    .send(content);
}

/**
 * Evidence files: a provider uploads a file, then names it by its hash in the evidence of an
 * application, an answer to the reviewers' questions or a review's evidence. A file is opened by whoever
 * may see a case that names it; to anyone else it does not exist, as a hash nobody uploaded.
 */
export function evidenceRoutes(deps: ApiDeps): AnyRoute[] {
  const evidence = () => {
    if (deps.evidence === undefined) throw new DomainError('UNAVAILABLE', 'Evidence files are not available on this server');
    return deps.evidence;
  };
  const maxBytes = deps.evidence?.maxBytes ?? DEFAULT_EVIDENCE_MAX_BYTES;
  return [
    defineRoute({
      method: 'POST',
      url: '/api/evidence',
      operationId: 'uploadEvidence',
      summary: 'Upload an evidence file; name it by its hash in the evidence you then submit',
      description:
        `The body is the file itself, with its Content-Type; at most ${maxBytes} bytes (EVIDENCE_MAX_BYTES). ` +
        'The type is found from the bytes, not taken from the header: PDF, PNG, JPEG, plain text, CSV, JSON, ZIP and office documents are accepted. ' +
        'The same file uploaded again is stored once and answers the same. ' +
        'Each account may upload at most EVIDENCE_UPLOADS_PER_HOUR files an hour, through the API and the forms together (429 RATE_LIMITED with Retry-After).',
      tag: 'evidence',
      auth: 'bearer',
      roles: ['csp'],
      query: UploadEvidenceQuery,
      rawBody: { maxBytes, mediaTypes: [...ALLOWED_EVIDENCE_TYPES, 'application/octet-stream'] },
      status: 201,
      response: StoredEvidenceFile,
      errors: [403, 429, 503],
      async handler({ actor, query, body, request }) {
        await request.server.evidenceUploadThrottle.check(request, actor.userId);
        const content = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
        return evidence().store.put(content, { filename: query.filename, contentType: request.headers['content-type'] });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/evidence/:sha256',
      operationId: 'downloadEvidence',
      summary: 'Open an evidence file named by a case you may see',
      description:
        'The file comes as an attachment, with the type recorded when it was submitted. A file no case you may see names answers 404, exactly as one never uploaded.',
      tag: 'evidence',
      auth: 'bearer',
      params: EvidenceHashParams,
      status: 200,
      fileResponse: ALLOWED_EVIDENCE_TYPES,
      errors: [503],
      handler: ({ actor, params, reply }) => sendEvidenceFile(deps, actor, params.sha256, reply),
    }),
  ];
}
