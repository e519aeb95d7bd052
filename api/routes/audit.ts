import { z } from 'zod';
import { buildDossier } from '../../audit/dossier';
import { DomainError } from '../../domain/shared/errors';
import { allProjections } from '../../projections';
import { asOfPageProblem, runAudit } from '../audit-jobs';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';

const Instant = z.iso.datetime({ offset: true });
/** A view of a national register holds millions of rows: an answer holds a page of each table. */
const AS_OF_PAGE_DEFAULT = 100;
const AS_OF_PAGE_MAX = 1000;
const ReadModelParams = z.object({ model: z.string().min(1).describe('A read model, e.g. noc-register') });
const AsOfQuery = z.object({
  asOf: Instant.optional().describe('The instant; default now'),
  from: z
    .enum(['snapshot', 'start'])
    .default('snapshot')
    .describe('snapshot: replay from the nearest read-model snapshot recorded by then (position 0 when there is none); start: from position 0'),
  table: z.string().min(1).optional().describe("One of the model's tables: its page alone; default the first page of every table"),
  limit: z.coerce.number().int().min(1).max(AS_OF_PAGE_MAX).default(AS_OF_PAGE_DEFAULT).describe('Rows per table, in the order of its primary key'),
  after: z.string().min(1).optional().describe("The `next` cursor a previous answer gave for `table`: the page after it"),
});
const ReadModelAsOf = z.object({
  model: z.string(),
  asOf: z.string().nullable(),
  events: z.number().int(),
  tables: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))).describe("A page of each table's rows, in the order of its primary key"),
  next: z.record(z.string(), z.string().nullable()).describe("Per table, the cursor of its next page (pass it as `after` with the table), or null after its last row"),
});
const CaseParams = z.object({ stream: z.string().regex(/^[a-z]+-.+$/, 'a case stream such as noc-NOC-2026-AB12CD34') });
const Dossier = z
  .record(z.string(), z.unknown())
  .describe(
    "Every event of the case with actor, role, evidence and policy version, the decisions, and the verification result; an accreditation's decisions also carry the framework version and scores, and include its compliance reviews' and significant changes' decisions, each naming its case",
  );
const Verification = z
  .record(z.string(), z.unknown())
  .describe('Streams and events checked, chain breaks, checkpoint findings, and the scope: from the start, or from the last verified checkpoint');
const VerificationQuery = z.object({
  from: z
    .enum(['checkpoint', 'start'])
    .default('checkpoint')
    .describe('checkpoint: only what follows the last checkpoint a verification found intact (the whole log when none is recorded); start: the whole log'),
});

/** Auditors replay history: read models as of an instant, case dossiers, and the verification of the whole log. */
export function auditRoutes(deps: ApiDeps): AnyRoute[] {
  const audit = (): NonNullable<ApiDeps['audit']> => {
    if (!deps.audit) throw new DomainError('UNAVAILABLE', 'Auditing is not configured on this server');
    return deps.audit;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/api/audit/read-models/:model',
      operationId: 'readModelAsOf',
      summary: 'A read model rebuilt from the events recorded up to an instant, beside (never instead of) the live one',
      tag: 'audit',
      auth: 'bearer',
      roles: ['auditor'],
      params: ReadModelParams,
      query: AsOfQuery,
      status: 200,
      response: ReadModelAsOf,
      errors: [404, 503],
      async handler({ params, query }) {
        const projection = allProjections().find((p) => p.name === params.model);
        if (!projection) {
          throw new DomainError('NOT_FOUND', `No read model ${params.model}; there are ${allProjections().map((p) => p.name).join(', ')}`, 'model');
        }
        const page = { limit: query.limit, ...(query.table ? { table: query.table } : {}), ...(query.after ? { after: query.after } : {}) };
        const problem = asOfPageProblem(projection, page);
        if (problem) throw new DomainError('VALIDATION_FAILED', problem.message, problem.field);
        return runAudit(audit(), { kind: 'as-of', model: projection.name, ...(query.asOf ? { asOf: query.asOf } : {}), from: query.from, page });
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/audit/cases/:stream/dossier',
      operationId: 'caseDossier',
      summary: "A case's decision dossier with the verification of its history",
      tag: 'audit',
      auth: 'bearer',
      roles: ['auditor'],
      params: CaseParams,
      status: 200,
      response: Dossier,
      errors: [404, 503],
      async handler({ params }) {
        const { store, trustedKeys, checkpoints } = audit();
        const dossier = await buildDossier(store, params.stream, trustedKeys, new Date().toISOString(), { evidence: deps.evidence?.store, checkpoints });
        if (!dossier) throw new DomainError('NOT_FOUND', `No case ${params.stream}`, 'stream');
        return dossier as unknown as Record<string, unknown>;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/audit/verification',
      operationId: 'verifyHistory',
      summary: 'Recomputes every hash chain and checks every signed checkpoint',
      tag: 'audit',
      auth: 'bearer',
      roles: ['auditor'],
      query: VerificationQuery,
      status: 200,
      response: Verification,
      errors: [503],
      async handler({ query }) {
        const mode = query.from === 'start' ? 'full' : 'incremental';
        return (await runAudit(audit(), { kind: 'verify', mode, record: true })) as unknown as Record<string, unknown>;
      },
    }),
  ];
}
