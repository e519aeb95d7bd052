import { canSeeNoc } from '../../domain/noc';
import { streamName } from '../../eventstore/envelope';
import type { NocActionInput, NocView } from '../../workflows/noc/messages';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import {
  NOC_ACTIONS,
  NocDetail,
  NocIdParams,
  NocList,
  NocListQuery,
  NocNotifications,
  NocQueue,
  NocViewSchema,
  RequestNocBody,
  actionBody,
} from '../schemas/noc';
import { caseHistoryEntry } from './history';
import { visibleOrNotFound } from './visible';

export function nocRoutes(deps: ApiDeps): AnyRoute[] {
  const { nocGateway: gateway, nocQueries: queries } = deps;

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'POST',
      url: '/api/nocs',
      operationId: 'requestNoc',
      summary: 'Request a NOC (time-based exemption) for your entity',
      description:
        'The NOC id is chosen by the server. With an Idempotency-Key, a retried request answers with the NOC the first attempt created.',
      tag: 'nocs',
      auth: 'bearer',
      roles: ['pse'],
      body: RequestNocBody,
      bodyName: 'RequestNoc',
      idempotent: true,
      status: 201,
      response: NocViewSchema,
      errors: [403, 409, 422, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway.request(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/nocs',
      operationId: 'listNocs',
      summary: 'The NOC register, as far as you may see it',
      tag: 'nocs',
      auth: 'bearer',
      query: NocListQuery,
      status: 200,
      response: NocList,
      handler({ actor, query }) {
        const items = queries.list(actor, query);
        return { items, limit: query.limit, offset: query.offset };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/nocs/:nocId',
      operationId: 'getNoc',
      summary: 'One NOC: its register row and its full event history',
      description: 'A NOC you may not see answers 404, as if it did not exist.',
      tag: 'nocs',
      auth: 'bearer',
      params: NocIdParams,
      caseIdParam: 'nocId',
      status: 200,
      response: NocDetail,
      errors: [503],
      async handler({ actor, params }) {
        const register = queries.get(actor, params.nocId);
        let live: NocView | null = null;
        if (register === undefined) {
          // Not in the register: not projected yet, not visible to this actor, or not there at all.
          live = await visibleOrNotFound(
            gateway.state(params.nocId),
            (view) => view.state.status !== 'none' && canSeeNoc(actor, view.state.request),
            `No NOC ${params.nocId}`,
          );
        }
        const events = await deps.eventStore.readStream(streamName('noc', params.nocId));
        return { register: register ?? null, live, timeline: queries.history(actor, params.nocId), history: events.map(caseHistoryEntry) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/queue',
      operationId: 'queue',
      summary: 'The NOC tasks waiting for you or your role',
      tag: 'nocs',
      auth: 'bearer',
      status: 200,
      response: NocQueue,
      handler: ({ actor }) => ({ items: queries.queue(actor) }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/notifications',
      operationId: 'notifications',
      summary: "Notifications about your entity's NOCs",
      tag: 'nocs',
      auth: 'bearer',
      status: 200,
      response: NocNotifications,
      handler: ({ actor }) => ({ items: queries.notifications(actor) }),
    }),
  ];

  for (const spec of NOC_ACTIONS) {
    routes.push(
      defineRoute({
        method: 'POST',
        url: `/api/nocs/:nocId/${spec.path}`,
        operationId: spec.command.charAt(0).toLowerCase() + spec.command.slice(1),
        summary: spec.summary,
        description: `Allowed to: ${spec.roles.join(', ')}; the NOC's own rules (jurisdiction, four eyes, state) decide the rest.`,
        tag: 'nocs',
        auth: 'bearer',
        roles: spec.roles,
        params: NocIdParams,
        body: actionBody(spec),
        bodyName: spec.command,
        idempotent: true,
        caseIdParam: 'nocId',
        status: 200,
        response: NocViewSchema,
        errors: [403, 409, 422, 503],
        async handler({ actor, params, body, idempotencyKey }) {
          // A NOC outside the actor's sight is answered as one that does not exist, not as "outside your jurisdiction".
          await visibleOrNotFound(
            gateway.state(params.nocId),
            (view) => view.state.status !== 'none' && canSeeNoc(actor, view.state.request),
            `No NOC ${params.nocId}`,
          );
          return gateway.act(params.nocId, {
            type: spec.command,
            actor,
            data: body,
            commandId: idempotencyKey ?? newCommandId(),
          } as NocActionInput);
        },
      }),
    );
  }
  return routes;
}
