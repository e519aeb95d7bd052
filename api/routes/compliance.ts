import { DomainError } from '../../domain/shared/errors';
import type { ComplianceQueries } from '../../projections/compliance/queries';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import { ComplianceDashboard, ComplianceDashboardQuery, ComplianceQueue } from '../schemas/compliance';

/** The compliance read side (SPEC §3.2): the dashboard of every accredited offering, and the staff's review queue. */
export function complianceRoutes(deps: ApiDeps): AnyRoute[] {
  const queries = (): ComplianceQueries => {
    if (deps.complianceQueries === undefined) throw new DomainError('UNAVAILABLE', 'The compliance read model is not available on this server');
    return deps.complianceQueries;
  };

  return [
    defineRoute({
      method: 'GET',
      url: '/api/compliance/dashboard',
      operationId: 'complianceDashboard',
      summary: 'Per accredited offering: monthly reports, open and overdue findings, the last review, escalations and significant changes',
      description: 'Staff see every offering; a provider sees only its own, whatever `csp` it asks for.',
      tag: 'compliance',
      auth: 'bearer',
      roles: ['reviewer', 'security-reviewer', 'director', 'auditor', 'csp'],
      query: ComplianceDashboardQuery,
      status: 200,
      response: ComplianceDashboard,
      errors: [403, 503],
      handler: ({ actor, query }) => ({
        asOf: new Date().toISOString(),
        items: queries().dashboard(actor, { offeringId: query.offering, cspId: query.csp }),
      }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/compliance/queue',
      operationId: 'complianceQueue',
      summary: "The open compliance review tasks of the caller's role that four eyes lets them take, earliest due first",
      tag: 'compliance',
      auth: 'bearer',
      roles: ['reviewer', 'director'],
      status: 200,
      response: ComplianceQueue,
      errors: [403, 503],
      handler: ({ actor }) => ({ items: queries().queue(actor) }),
    }),
  ];
}
