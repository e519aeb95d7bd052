import { z } from 'zod';
import { DomainError } from '../../domain/shared/errors';
import type { ApiDeps } from '../deps';
import { HealthReport } from '../health';
import { defineRoute, type AnyRoute } from '../route';

const AuditPublicKey = z.object({ keyId: z.string(), algorithm: z.literal('ed25519'), publicKeyPem: z.string() });

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
  ];
}
