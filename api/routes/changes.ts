import type { Actor } from '../../domain/shared/actor';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { ChangeDetail, ChangeIdParams, ChangeViewSchema, DecideChangeBody, RecommendChangeBody, RequestChangeBody } from '../schemas/change';
import { caseDetail } from './history';
import { complianceGatewayOf } from './reviews';
import { visibleOrNotFound } from './visible';

/** Significant changes to an accredited offering: notified by the provider, recommended by a reviewer, decided by a director. */
export function changeRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = complianceGatewayOf(deps);
  /** A change to another provider's offering is answered as one that does not exist. */
  const visibleChange = (actor: Actor, changeId: string) =>
    visibleOrNotFound(
      gateway().change(actor, changeId),
      (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.change.cspId),
      `No significant change ${changeId}`,
    );
  return [
    defineRoute({
      method: 'POST',
      url: '/api/changes',
      operationId: 'requestSignificantChange',
      summary: 'Notify a significant change to one of your accredited offerings before making it',
      description:
        'The change id is chosen by the server. Notice shorter than the policy requires is recorded as late and opens a compliance review. ' +
        'With an Idempotency-Key, a retried request answers with the change the first attempt recorded. ' +
        "offeringChanges (optional: name, serviceModels, deploymentModel, dataCentres) is what the change does to the offering's register entry: " +
        'once a director approves the change, the CSP register applies it (OfferingUpdated carrying the changeId); a rejected change leaves the offering as it was.',
      tag: 'compliance',
      auth: 'bearer',
      roles: ['csp'],
      body: RequestChangeBody,
      bodyName: 'RequestSignificantChange',
      idempotent: true,
      status: 201,
      response: ChangeViewSchema,
      errors: [403, 404, 409, 422, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway().requestChange(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/changes/:changeId',
      operationId: 'getSignificantChange',
      summary: 'One significant change request: its live state and its full event history',
      description: 'Cloud Office staff see every request, a provider its own; any other answers 404, as if it did not exist.',
      tag: 'compliance',
      auth: 'bearer',
      params: ChangeIdParams,
      caseIdParam: 'changeId',
      status: 200,
      response: ChangeDetail,
      errors: [503],
      async handler({ actor, params }) {
        const live = await visibleChange(actor, params.changeId);
        return caseDetail(deps.eventStore, 'change', params.changeId, live);
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/changes/:changeId/recommend',
      operationId: 'recommendSignificantChange',
      summary: 'Recommend approving or rejecting a significant change',
      tag: 'compliance',
      auth: 'bearer',
      roles: ['reviewer'],
      params: ChangeIdParams,
      body: RecommendChangeBody,
      bodyName: 'RecommendSignificantChange',
      idempotent: true,
      caseIdParam: 'changeId',
      status: 200,
      response: ChangeViewSchema,
      errors: [403, 409, 422, 503],
      async handler({ actor, params, body, idempotencyKey }) {
        await visibleChange(actor, params.changeId);
        return gateway().changeAction(params.changeId, { type: 'RecommendChange', actor, data: body, commandId: idempotencyKey ?? newCommandId() });
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/changes/:changeId/decide',
      operationId: 'decideSignificantChange',
      summary: 'Approve or reject a recommended significant change (four eyes: not the recommending reviewer)',
      tag: 'compliance',
      auth: 'bearer',
      roles: ['director'],
      params: ChangeIdParams,
      body: DecideChangeBody,
      bodyName: 'DecideSignificantChange',
      idempotent: true,
      caseIdParam: 'changeId',
      status: 200,
      response: ChangeViewSchema,
      errors: [403, 409, 422, 503],
      async handler({ actor, params, body, idempotencyKey }) {
        await visibleChange(actor, params.changeId);
        return gateway().changeAction(params.changeId, { type: 'DecideChange', actor, data: body, commandId: idempotencyKey ?? newCommandId() });
      },
    }),
  ];
}
