import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeePseRecord } from '../../domain/shared/visibility';
import { z } from 'zod';
import { AdoptionFigures, NonCompliantProcurement } from '../../projections/adoption/queries';
import { Jurisdiction } from '../../domain/shared/vocabulary';
import { adoptionIn } from '../adoption-scope';
import type { ApiDeps } from '../deps';
import { PseEntry } from '../../projections/pse/entities';
import { newCommandId } from '../noc-gateway';
import type { PseGateway } from '../pse-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { visibleOrNotFound } from './visible';
import { ChangePseJurisdictionBody, CorrectPseBody, EndProcurementBody, ProcurementParams, ProcurementResultSchema, PseIdParams, PseViewSchema, RecordProcurementBody, RegisterPseBody } from '../schemas/pse';

/** `?jurisdiction=`: one jurisdiction's rows, within what the caller may see. */
const AdoptionQuery = z.object({ jurisdiction: Jurisdiction.optional() });

/** The PSE register: public service entities, the procurements they record, and the adoption figures. */
export function pseRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = (): PseGateway => {
    if (deps.pseGateway === undefined) throw new DomainError('UNAVAILABLE', 'The PSE register is not available on this server');
    return deps.pseGateway;
  };
  /** A registered entity the actor may see; any other answers 404, as if it did not exist. */
  const registeredPse = (actor: Actor, pseId: string) =>
    visibleOrNotFound(gateway().state(pseId), (view) => view.state.status === 'registered' && canSeePseRecord(actor, view.state), `No PSE ${pseId} is registered`);

  return [
    defineRoute({
      method: 'POST',
      url: '/api/pses',
      operationId: 'registerPse',
      summary: 'Register a public service entity with its ministry and jurisdiction',
      description:
        "Provincial officers register their own province's entities; federal administrators register any. Another jurisdiction's entity answers 403 OUTSIDE_JURISDICTION naming the field.",
      tag: 'pses',
      auth: 'bearer',
      roles: ['admin', 'provincial-officer'],
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
      url: '/api/pses',
      operationId: 'listPses',
      summary: 'The PSE register, as far as you may see it; one jurisdiction with `jurisdiction`',
      description:
        "A provincial officer sees their province's entities, a PSE user their own, the Cloud Office's federal staff every province's.",
      tag: 'pses',
      auth: 'bearer',
      roles: ['reviewer', 'security-reviewer', 'director', 'provincial-officer', 'auditor', 'admin', 'pse'],
      query: AdoptionQuery,
      status: 200,
      response: z.object({ items: z.array(PseEntry) }),
      errors: [403, 503],
      handler({ actor, query }) {
        if (deps.pseRegister === undefined) throw new DomainError('UNAVAILABLE', 'The PSE register list is not available on this server');
        return { items: deps.pseRegister.list(query).filter((entry) => canSeePseRecord(actor, entry)) };
      },
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
      description:
        "The entity's own officers, its province's provincial officers and the Cloud Office's staff (federal staff see every province); any other answers 404, as if it did not exist.",
      errors: [503],
      handler: ({ actor, params }) => registeredPse(actor, params.pseId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/pses/:pseId/details',
      operationId: 'correctPse',
      summary: "Correct a registered entity's name or ministry, with the reason",
      description:
        "The entity's province's provincial officers and federal administrators (a province's administrator: that province's entities). An entity you may not see answers 404, as if it did not exist; a correction that changes nothing answers 422 PSE_UNCHANGED naming the field.",
      tag: 'pses',
      auth: 'bearer',
      roles: ['admin', 'provincial-officer'],
      params: PseIdParams,
      caseIdParam: 'pseId',
      body: CorrectPseBody,
      bodyName: 'CorrectPse',
      idempotent: true,
      status: 200,
      response: PseViewSchema,
      errors: [403, 409, 422, 503],
      async handler({ actor, params, body, idempotencyKey }) {
        await registeredPse(actor, params.pseId);
        return gateway().correct(actor, params.pseId, body, idempotencyKey ?? newCommandId());
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/pses/:pseId/jurisdiction',
      operationId: 'changePseJurisdiction',
      summary: 'Move a registered entity to another jurisdiction, with the reason',
      description:
        "Federal administrators only: a move takes the entity out of one province's hands and into another's. NOCs the entity already holds keep the jurisdiction they were requested in; NOCs it requests afterwards take the new one. Moving it to the jurisdiction it is in answers 422 PSE_UNCHANGED naming `jurisdiction`.",
      tag: 'pses',
      auth: 'bearer',
      roles: ['admin'],
      params: PseIdParams,
      caseIdParam: 'pseId',
      body: ChangePseJurisdictionBody,
      bodyName: 'ChangePseJurisdiction',
      idempotent: true,
      status: 200,
      response: PseViewSchema,
      errors: [403, 409, 422, 503],
      async handler({ actor, params, body, idempotencyKey }) {
        await registeredPse(actor, params.pseId);
        return gateway().changeJurisdiction(actor, params.pseId, body, idempotencyKey ?? newCommandId());
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
      async handler({ actor, params, body, idempotencyKey }) {
        // Only the entity's own procurements can be ended: another entity's answers as one that does not exist.
        await visibleOrNotFound(
          actor.organisationId === undefined ? Promise.resolve(undefined) : gateway().state(actor.organisationId),
          (view) => view.state.status === 'registered' && view.state.procurements[params.procurementId] !== undefined,
          `No procurement ${params.procurementId}`,
        );
        return gateway().endProcurement(actor, params.procurementId, body.reason, idempotencyKey ?? newCommandId());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/adoption',
      operationId: 'adoption',
      summary: 'Adoption figures per jurisdiction and ministry: workloads on accredited offerings and under NOCs, active NOCs, NOCs expiring within 30 days',
      description: "With `jurisdiction`, one jurisdiction's figures: its totals, its row and its ministries.",
      tag: 'public',
      auth: 'public',
      query: AdoptionQuery,
      status: 200,
      response: AdoptionFigures,
      errors: [503],
      handler({ query }) {
        if (deps.adoptionQueries === undefined) throw new DomainError('UNAVAILABLE', 'The adoption read model is not available on this server');
        const figures = deps.adoptionQueries.figures(new Date().toISOString());
        return query.jurisdiction === undefined ? figures : adoptionIn(figures, query.jurisdiction);
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
        // The query narrows to the jurisdiction where that is the whole rule; the rule itself decides every row.
        const byJurisdiction = actor.role !== 'pse' && (actor.role === 'provincial-officer' || actor.jurisdiction !== 'federal');
        const rows = deps.adoptionQueries.nonCompliant(new Date().toISOString(), byJurisdiction ? { jurisdiction: actor.jurisdiction } : {});
        return rows.filter((row) => canSeePseRecord(actor, row));
      },
    }),
  ];
}
