import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { AccreditationActionInput } from '../../workflows/accreditation/messages';
import type { AccreditationGateway } from '../accreditation-gateway';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import {
  ACCREDITATION_ACTIONS,
  AccreditationDetail,
  AccreditationViewSchema,
  ApplicationIdParams,
  SubmitAccreditationBody,
  accreditationActionBody,
} from '../schemas/accreditation';
import { requireStoredEvidence } from '../evidence-check';
import { caseDetail } from './history';
import { visibleOrNotFound } from './visible';

/** Accreditation applications and the accreditations they lead to (SPEC §3.1). */
export function accreditationRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = (): AccreditationGateway => {
    if (deps.accreditationGateway === undefined) throw new DomainError('UNAVAILABLE', 'Accreditation is not available on this server');
    return deps.accreditationGateway;
  };
  /** Another provider's application is answered as one that does not exist. */
  const visibleApplication = (actor: Actor, applicationId: string) =>
    visibleOrNotFound(
      gateway().state(applicationId),
      (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.application.cspId),
      `No application ${applicationId}`,
    );

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'POST',
      url: '/api/accreditations',
      operationId: 'submitAccreditation',
      summary: 'Apply to have one of your offerings accredited',
      description:
        "The application id is chosen by the server; the offering's registered facts are taken from the CSP register. " +
        'With an Idempotency-Key, a retried submission answers with the application the first attempt created.',
      tag: 'accreditations',
      auth: 'bearer',
      roles: ['csp'],
      body: SubmitAccreditationBody,
      bodyName: 'SubmitAccreditation',
      idempotent: true,
      status: 201,
      response: AccreditationViewSchema,
      errors: [403, 404, 409, 422, 503],
      handler: async ({ actor, body, idempotencyKey }) => {
        await requireStoredEvidence(deps, 'Submit', body);
        return gateway().submit(actor, body, idempotencyKey ?? newCommandId());
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/accreditations/:applicationId',
      operationId: 'getAccreditation',
      summary: 'One application: its live state and its full event history',
      description: 'Cloud Office staff see every application, a CSP its own; any other answers 404, as if it did not exist.',
      tag: 'accreditations',
      auth: 'bearer',
      params: ApplicationIdParams,
      caseIdParam: 'applicationId',
      status: 200,
      response: AccreditationDetail,
      errors: [503],
      async handler({ actor, params }) {
        const live = await visibleApplication(actor, params.applicationId);
        return caseDetail(deps.eventStore, 'accreditation', params.applicationId, live);
      },
    }),
  ];

  for (const spec of ACCREDITATION_ACTIONS) {
    routes.push(
      defineRoute({
        method: 'POST',
        url: `/api/accreditations/:applicationId/${spec.path}`,
        operationId: `accreditation${spec.command}`,
        summary: spec.summary,
        description: `Allowed to: ${spec.roles.join(', ')}; the application's own rules (four eyes, state, framework) decide the rest.`,
        tag: 'accreditations',
        auth: 'bearer',
        roles: spec.roles,
        params: ApplicationIdParams,
        body: accreditationActionBody(spec),
        bodyName: `Accreditation${spec.command}`,
        idempotent: true,
        caseIdParam: 'applicationId',
        status: 200,
        response: AccreditationViewSchema,
        errors: [403, 409, 422, 503],
        handler: async ({ actor, params, body, idempotencyKey }) => {
          await visibleApplication(actor, params.applicationId);
          await requireStoredEvidence(deps, spec.command, body);
          return gateway().act(params.applicationId, {
            type: spec.command,
            actor,
            data: body,
            commandId: idempotencyKey ?? newCommandId(),
          } as AccreditationActionInput);
        },
      }),
    );
  }
  return routes;
}
