import { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';
import { AUDIT_CHECKPOINT_STREAM, AuditEventSchemas } from '../../eventstore/integrity/checkpoint-events';
import { entryHash } from '../../eventstore/integrity/checkpoint';
import { feedText } from '../../eventstore/integrity/feed';
import type { ApiDeps } from '../deps';
import { HealthReport } from '../health';
import { defineRoute, type AnyRoute } from '../route';

const AuditPublicKey = z.object({ keyId: z.string(), algorithm: z.literal('ed25519'), publicKeyPem: z.string() });

const CheckpointFeedQuery = z.object({
  after: z.coerce.number().int().min(-1).optional().describe('Only checkpoints with a greater sequence (to fetch what is new)'),
  format: z.enum(['json', 'jsonl']).default('json').describe('jsonl: one entry a line, to append to a saved copy'),
});
const CheckpointFeed = z.object({ checkpoints: z.array(AuditEventSchemas.AuditCheckpointSigned) });

const OpenApiDocument = z.record(z.string(), z.unknown()).describe('An OpenAPI 3.1 document');

/** When the health check itself breaks, that is reported as everything being unknown, i.e. not ok. */
function brokenReport(err: unknown): HealthReport {
  const error = `The health check failed: ${err instanceof Error ? err.message : String(err)}`;
  return { status: 'unavailable', temporal: { ok: false, error }, eventStore: { ok: false, error }, projections: [], projectionsError: error };
}

export function systemRoutes(deps: ApiDeps, openApiDocument: () => unknown): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/healthz',
      operationId: 'health',
      summary: 'Whether Temporal, the event store and the projections are up, and how far behind the projections are',
      tag: 'system',
      auth: 'public',
      status: 200,
      response: HealthReport,
      otherResponses: { 503: { description: 'Something is down; the report says what', schema: HealthReport } },
      async handler({ reply }) {
        const report = await deps.health().catch(brokenReport);
        reply.code(report.status === 'ok' ? 200 : 503);
        return report;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/openapi.json',
      operationId: 'openapi',
      summary: 'This API, described as OpenAPI 3.1',
      tag: 'system',
      auth: 'public',
      status: 200,
      response: OpenApiDocument,
      handler: () => openApiDocument(),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/audit/public-key',
      operationId: 'auditPublicKey',
      summary: 'The Ed25519 public key that verifies the signed audit checkpoints (npm run verify -- --public-key FILE)',
      tag: 'system',
      auth: 'public',
      status: 200,
      response: AuditPublicKey,
      handler: () => {
        if (!deps.auditKey) throw new DomainError('NOT_FOUND', 'No audit signing key is configured');
        return { keyId: deps.auditKey.keyId, algorithm: 'ed25519' as const, publicKeyPem: deps.auditKey.publicKeyPem };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/audit/checkpoints',
      operationId: 'auditCheckpointFeed',
      summary: 'The append-only public feed of signed audit checkpoints (save it; npm run verify -- --against FILE)',
      description:
        'Each entry is {checkpoint, signature} exactly as signed: sequence, time, log tree size and root with a consistency proof from ' +
        'the previous tree (RFC 9162), the root over every stream head, the previous entry\'s hash, the key id. `format=jsonl` gives one ' +
        'entry a line. Entries never change once published, so caches may keep them; the ETag changes when one is added.',
      tag: 'system',
      auth: 'public',
      query: CheckpointFeedQuery,
      status: 200,
      response: CheckpointFeed,
      async handler({ query, request, reply }) {
        const events = await deps.eventStore.readStream(AUDIT_CHECKPOINT_STREAM);
        const entries = events.slice(query.after === undefined ? 0 : query.after + 1).map((e) => e.data);
        const last = events.at(-1);
        const etag = `"${events.length}-${last ? entryHash(last.data).slice(0, 16) : 'empty'}-${query.after ?? ''}-${query.format}"`;
        reply.header('cache-control', 'public, max-age=60').header('etag', etag);
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        if (query.format === 'jsonl') {
          reply.type('application/x-ndjson; charset=utf-8');
          return feedText(entries);
        }
        return { checkpoints: entries as z.infer<typeof CheckpointFeed>['checkpoints'] };
      },
    }),
  ];
}
