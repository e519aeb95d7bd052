import { DomainError } from '../../domain/shared/errors';
import { z } from 'zod';
import { AdoptionFigures, NonCompliantProcurement } from '../../projections/adoption/queries';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import type { PseGateway } from '../pse-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { EndProcurementBody, ProcurementParams, ProcurementResultSchema, PseIdParams, PseViewSchema, RecordProcurementBody, RegisterPseBody } from '../schemas/pse';

/** The PSE register: public service entities, the procurements they record, and the adoption figures. */
export function pseRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = (): PseGateway => {
    if (deps.pseGateway === undefined) throw new DomainError('UNAVAILABLE', 'The PSE register is not available on this server');
    return deps.pseGateway;
  };

  return [
    defineRoute({
      method: 'POST',
      url: '/api/pses',
      operationId: 'registerPse',
      summary: 'Register a public service entity with its ministry and jurisdiction',
      tag: 'pses',
      auth: 'bearer',
      roles: ['admin'],
      body: RegisterPseBody,
      bodyName: 'RegisterPse',
      idempotent: true,
      status: 201,
      response: PseViewSchema,
      errors: [403, 409, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway().register(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/pses/:pseId',
      operationId: 'getPse',
      summary: 'A registered PSE and its procurements',
      tag: 'pses',
      auth: 'bearer',
      params: PseIdParams,
      caseIdParam: 'pseId',
      status: 200,
      response: PseViewSchema,
      errors: [503],
      async handler({ params }) {
        const view = await gateway().state(params.pseId);
        if (view === undefined) throw new DomainError('PSE_NOT_REGISTERED', `No PSE ${params.pseId} is registered`);
        return view;
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/procurements',
      operationId: 'recordProcurement',
      summary: "Record a procurement of your entity: a system's workload put on an offering",
      description:
        'The server runs the procurement check for your entity at now; when it denies, the answer is 422 PROCUREMENT_DENIED naming the failed reasons, and nothing is recorded.',
      tag: 'pses',
      auth: 'bearer',
      roles: ['pse'],
      body: RecordProcurementBody,
      bodyName: 'RecordProcurement',
      idempotent: true,
      status: 201,
      response: ProcurementResultSchema,
      errors: [403, 404, 409, 422, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway().recordProcurement(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/procurements/:procurementId/end',
      operationId: 'endProcurement',
      summary: "Record that one of your entity's workloads left its offering",
      tag: 'pses',
      auth: 'bearer',
      roles: ['pse'],
      params: ProcurementParams,
      body: EndProcurementBody,
      bodyName: 'EndProcurement',
      idempotent: true,
      status: 200,
      response: ProcurementResultSchema,
      errors: [403, 409, 503],
      handler: ({ actor, params, body, idempotencyKey }) =>
        gateway().endProcurement(actor, params.procurementId, body.reason, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/adoption',
      operationId: 'adoption',
      summary: 'Adoption figures per jurisdiction and ministry: workloads on accredited offerings and under NOCs, active NOCs, NOCs expiring within 30 days',
      tag: 'public',
      auth: 'public',
      status: 200,
      response: AdoptionFigures,
      errors: [503],
      handler() {
        if (deps.adoptionQueries === undefined) throw new DomainError('UNAVAILABLE', 'The adoption read model is not available on this server');
        return deps.adoptionQueries.figures(new Date().toISOString());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/adoption/non-compliant',
      operationId: 'nonCompliantWorkloads',
      summary: 'Workloads still on a revoked offering after their migration deadline, oldest deadline first',
      description:
        "A provincial officer or a PSE user sees only their own jurisdiction's entities (a PSE user only their own); the Cloud Office's federal staff see all.",
      tag: 'pses',
      auth: 'bearer',
      roles: ['reviewer', 'security-reviewer', 'director', 'provincial-officer', 'auditor', 'admin', 'pse'],
      status: 200,
      response: z.array(NonCompliantProcurement),
      errors: [403, 503],
      handler({ actor }) {
        if (deps.adoptionQueries === undefined) throw new DomainError('UNAVAILABLE', 'The adoption read model is not available on this server');
        // Federal staff oversee every province; everyone else is held to their own jurisdiction.
        const scoped = actor.role === 'provincial-officer' || actor.role === 'pse' || actor.jurisdiction !== 'federal';
        const rows = deps.adoptionQueries.nonCompliant(new Date().toISOString(), scoped ? { jurisdiction: actor.jurisdiction } : {});
        return actor.role === 'pse' ? rows.filter((r) => r.pseId === actor.organisationId) : rows;
      },
    }),
  ];
}
