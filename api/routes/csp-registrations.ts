import { suggestedCspId } from '../../domain/csp-registration';
import { DomainError } from '../../domain/shared/errors';
import type { CspRegistrationDesk } from '../csp-registration-desk';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import {
  ApproveRegistrationBody,
  RefuseRegistrationBody,
  RegistrationApproval,
  RegistrationParams,
  RegistrationReceipt,
  RegistrationRequestBody,
  RegistrationRequestList,
  RegistrationRequestView,
  organisationOf,
} from '../schemas/csp-registration';

/**
 * Providers' registration requests: anyone may ask (no account yet; a few requests an hour per
 * address), an administrator approves — the provider enters the CSP register and its contact gets a
 * CSP account — or refuses with reasons.
 */
export function cspRegistrationRoutes(deps: ApiDeps): AnyRoute[] {
  const desk = (): CspRegistrationDesk => {
    if (deps.cspRegistrations === undefined) throw new DomainError('UNAVAILABLE', 'Registration requests are not taken on this server');
    return deps.cspRegistrations;
  };
  const found = async (requestId: string) => {
    const request = await desk().get(requestId);
    if (request === undefined) throw new DomainError('REGISTRATION_REQUEST_NOT_FOUND', `No registration request ${requestId}`);
    return request;
  };
  const admin = { tag: 'csps', auth: 'bearer', roles: ['admin'] } as const;

  return [
    defineRoute({
      method: 'POST',
      url: '/api/csp-registrations',
      operationId: 'requestCspRegistration',
      summary: 'Ask for a cloud service provider to be registered (no account needed)',
      description:
        'Records the request for an administrator to decide. A company (by its registration number) has one request waiting at a time ' +
        '(409 REGISTRATION_REQUEST_PENDING) and is registered once. Each address may send a few requests an hour (429 with Retry-After).',
      tag: 'csps',
      auth: 'public',
      body: RegistrationRequestBody,
      bodyName: 'CspRegistrationRequest',
      status: 201,
      response: RegistrationReceipt,
      errors: [409, 429, 503],
      async handler({ body, request }) {
        await request.server.registrationThrottle.check(request);
        const recorded = await desk().request({ organisation: organisationOf(body), username: body.username });
        return { requestId: recorded.requestId, status: 'requested', requestedAt: recorded.requestedAt };
      },
    }),
    defineRoute({
      ...admin,
      method: 'GET',
      url: '/api/csp-registrations',
      operationId: 'listCspRegistrations',
      summary: 'Registration requests, the newest first',
      status: 200,
      response: RegistrationRequestList,
      errors: [503],
      handler: async () => ({ items: await desk().list() }),
    }),
    defineRoute({
      ...admin,
      method: 'GET',
      url: '/api/csp-registrations/:requestId',
      operationId: 'getCspRegistration',
      summary: 'One registration request',
      params: RegistrationParams,
      caseIdParam: 'requestId',
      status: 200,
      response: RegistrationRequestView,
      errors: [503],
      handler: ({ params }) => found(params.requestId),
    }),
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/csp-registrations/:requestId/approve',
      operationId: 'approveCspRegistration',
      summary: 'Approve a registration request: register the provider and create its contact’s account',
      description:
        'cspId (default: csp- and the organisation name) is the provider’s register id. The contact’s account (role csp) gets a generated ' +
        'password, returned in this response only; it enrols its authenticator at its first sign-in. A username already taken is ' +
        'refused with 409 ACCOUNT_EXISTS (field username): refuse the request saying so.',
      params: RegistrationParams,
      body: ApproveRegistrationBody,
      bodyName: 'ApproveCspRegistration',
      caseIdParam: 'requestId',
      status: 200,
      response: RegistrationApproval,
      errors: [403, 409, 503],
      async handler({ actor, params, body }) {
        const request = await found(params.requestId);
        return desk().approve(actor, params.requestId, body.cspId ?? suggestedCspId(request.organisation.name));
      },
    }),
    defineRoute({
      ...admin,
      method: 'POST',
      url: '/api/csp-registrations/:requestId/refuse',
      operationId: 'refuseCspRegistration',
      summary: 'Refuse a registration request, with reasons',
      params: RegistrationParams,
      body: RefuseRegistrationBody,
      bodyName: 'RefuseCspRegistration',
      caseIdParam: 'requestId',
      status: 200,
      response: RegistrationRequestView,
      errors: [403, 409, 503],
      async handler({ actor, params, body }) {
        await found(params.requestId);
        return desk().refuse(actor, params.requestId, body.reasons);
      },
    }),
  ];
}
