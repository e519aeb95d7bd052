import { DomainError } from '../../domain/shared/errors';
import type { ApiDeps } from '../deps';
import type { FrameworkRegister } from '../framework-register';
import { defineRoute, type AnyRoute } from '../route';
import { NoFieldsBody } from '../schemas/identity';
import { FrameworkVersionList, FrameworkVersionParams, FrameworkVersionSchema, ProposeFrameworkBody, RejectFrameworkBody } from '../schemas/framework';

/** The benchmark framework's versions: published by two directors, readable by anyone (SPEC §3.1). */
export function frameworkRoutes(deps: ApiDeps): AnyRoute[] {
  const register = (): FrameworkRegister => {
    if (deps.frameworkRegister === undefined) throw new DomainError('UNAVAILABLE', 'The framework register is not available on this server');
    return deps.frameworkRegister;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/api/frameworks',
      operationId: 'listFrameworkVersions',
      summary: 'Every version of the benchmark framework, oldest first, with its status, effectiveFrom and what it changed',
      tag: 'public',
      auth: 'public',
      status: 200,
      response: FrameworkVersionList,
      errors: [503],
      handler: async () => ({ versions: await register().versions() }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/frameworks/current',
      operationId: 'currentFrameworkVersion',
      summary: 'The version of the benchmark framework in force now: new applications and renewals are scored against it',
      tag: 'public',
      auth: 'public',
      status: 200,
      response: FrameworkVersionSchema,
      errors: [503],
      handler: () => register().current(),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/frameworks',
      operationId: 'proposeFrameworkVersion',
      summary: 'Propose a new version of the benchmark framework; another director approves it',
      description: 'The document is validated as a whole; its version must follow every published one and its effectiveFrom lie in the future.',
      tag: 'frameworks',
      auth: 'bearer',
      roles: ['director'],
      body: ProposeFrameworkBody,
      bodyName: 'ProposeFrameworkVersion',
      status: 201,
      response: FrameworkVersionSchema,
      errors: [403, 409, 422, 503],
      handler: ({ actor, body }) => register().propose(actor, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/frameworks/:version/approve',
      operationId: 'approveFrameworkVersion',
      summary: 'Approve a proposed version (not by the director who proposed it); it takes effect at its effectiveFrom',
      tag: 'frameworks',
      auth: 'bearer',
      roles: ['director'],
      params: FrameworkVersionParams,
      body: NoFieldsBody,
      bodyName: 'NoFields',
      status: 200,
      response: FrameworkVersionSchema,
      errors: [403, 409, 422, 503],
      handler: ({ actor, params }) => register().approve(actor, params.version),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/frameworks/:version/reject',
      operationId: 'rejectFrameworkVersion',
      summary: 'Reject a proposed version (not by the director who proposed it)',
      tag: 'frameworks',
      auth: 'bearer',
      roles: ['director'],
      params: FrameworkVersionParams,
      body: RejectFrameworkBody,
      bodyName: 'RejectFrameworkVersion',
      status: 200,
      response: FrameworkVersionSchema,
      errors: [403, 409, 503],
      handler: ({ actor, params, body }) => register().reject(actor, params.version, body.reasons),
    }),
  ];
}
