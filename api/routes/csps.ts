import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { CspActionInput } from '../../workflows/csp/messages';
import type { CspGateway } from '../csp-gateway';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { AddOfferingBody, CspIdParams, CspViewSchema, OfferingParams, RegisterCspBody, RetireOfferingBody, UpdateOfferingBody } from '../schemas/csp';
import { visibleOrNotFound } from './visible';

/** The CSP register: providers and the offerings they may apply to have accredited (SPEC §3.1). */
export function cspRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = (): CspGateway => {
    if (deps.cspGateway === undefined) throw new DomainError('UNAVAILABLE', 'The CSP register is not available on this server');
    return deps.cspGateway;
  };
  /** Another provider's register entry is answered as one that does not exist. */
  const visibleCsp = (actor: Actor, cspId: string) =>
    visibleOrNotFound(gateway().state(cspId), (view) => canSeeCspRecord(actor, view.state.status === 'registered' ? view.state.cspId : cspId), `No CSP ${cspId} is registered`);
  const act = async (cspId: string, action: Omit<CspActionInput, 'commandId'>, idempotencyKey: string | undefined) => {
    await visibleCsp(action.actor, cspId);
    return gateway().act(cspId, { ...action, commandId: idempotencyKey ?? newCommandId() } as CspActionInput);
  };

  return [
    defineRoute({
      method: 'POST',
      url: '/api/csps',
      operationId: 'registerCsp',
      summary: 'Register a cloud service provider',
      description: "A CSP's representative registers their own organisation (cspId = their organisation); an administrator registers any.",
      tag: 'csps',
      auth: 'bearer',
      roles: ['csp', 'admin'],
      body: RegisterCspBody,
      bodyName: 'RegisterCsp',
      idempotent: true,
      status: 201,
      response: CspViewSchema,
      errors: [403, 409, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway().register(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/csps/:cspId',
      operationId: 'getCsp',
      summary: 'A registered CSP and its offerings',
      tag: 'csps',
      auth: 'bearer',
      params: CspIdParams,
      caseIdParam: 'cspId',
      status: 200,
      response: CspViewSchema,
      description: "The Cloud Office's staff see every provider, a provider's representative their own; any other answers 404, as if it did not exist.",
      errors: [503],
      handler: ({ actor, params }) => visibleCsp(actor, params.cspId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/csps/:cspId/offerings',
      operationId: 'addOffering',
      summary: 'Add an offering to your CSP',
      description:
        'An offering id is unique across the register: an id another CSP already uses is refused with 409 OFFERING_ID_TAKEN (field offeringId), ' +
        'one your CSP already has with 409 OFFERING_ALREADY_EXISTS.',
      tag: 'csps',
      auth: 'bearer',
      roles: ['csp'],
      params: CspIdParams,
      body: AddOfferingBody,
      bodyName: 'AddOffering',
      idempotent: true,
      caseIdParam: 'cspId',
      status: 201,
      response: CspViewSchema,
      errors: [403, 409, 503],
      handler: ({ actor, params, body, idempotencyKey }) => act(params.cspId, { type: 'AddOffering', actor, data: body }, idempotencyKey),
    }),
    defineRoute({
      method: 'PUT',
      url: '/api/csps/:cspId/offerings/:offeringId',
      operationId: 'updateOffering',
      summary: "Change an offering's name, service models, deployment model or data centres",
      description:
        'Send only the fields that change; sending what is already recorded changes nothing. While the offering holds an accreditation ' +
        '(accredited or suspended), its deploymentModel and dataCentres change only through an approved significant change (POST /api/changes ' +
        'with offeringChanges): a direct change of them is refused with 409 OFFERING_ACCREDITED naming the field.',
      tag: 'csps',
      auth: 'bearer',
      roles: ['csp'],
      params: OfferingParams,
      body: UpdateOfferingBody,
      bodyName: 'UpdateOffering',
      idempotent: true,
      caseIdParam: 'cspId',
      status: 200,
      response: CspViewSchema,
      errors: [403, 409, 503],
      handler: ({ actor, params, body, idempotencyKey }) =>
        act(params.cspId, { type: 'UpdateOffering', actor, data: { ...body, offeringId: params.offeringId } }, idempotencyKey),
    }),
    defineRoute({
      method: 'DELETE',
      url: '/api/csps/:cspId/offerings/:offeringId',
      operationId: 'retireOffering',
      summary: 'Retire an offering (it stays on record; its id is never reused)',
      tag: 'csps',
      auth: 'bearer',
      roles: ['csp'],
      params: OfferingParams,
      body: RetireOfferingBody,
      bodyName: 'RetireOffering',
      idempotent: true,
      caseIdParam: 'cspId',
      status: 200,
      response: CspViewSchema,
      errors: [403, 409, 503],
      handler: ({ actor, params, body, idempotencyKey }) =>
        act(params.cspId, { type: 'RetireOffering', actor, data: { offeringId: params.offeringId, reason: body.reason } }, idempotencyKey),
    }),
  ];
}
