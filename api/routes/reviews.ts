import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { ReviewActionInput } from '../../workflows/compliance/messages';
import type { ComplianceGateway } from '../compliance-gateway';
import type { ApiDeps } from '../deps';
import { newCommandId } from '../noc-gateway';
import { defineRoute, type AnyRoute } from '../route';
import { OpenReviewBody, REVIEW_ACTIONS, ReviewDetail, ReviewIdParams, ReviewViewSchema, reviewActionBody } from '../schemas/review';
import { requireStoredEvidence } from '../evidence-check';
import { caseDetail } from './history';
import { visibleOrNotFound } from './visible';

/** The compliance gateway, or 503 when this server runs without it. */
export function complianceGatewayOf(deps: ApiDeps): () => ComplianceGateway {
  return () => {
    if (deps.complianceGateway === undefined) throw new DomainError('UNAVAILABLE', 'Compliance processes are not available on this server');
    return deps.complianceGateway;
  };
}

/** Compliance reviews (SPEC §3.2): opened by a reviewer for an incident or complaint, then worked action by action. */
export function reviewRoutes(deps: ApiDeps): AnyRoute[] {
  const gateway = complianceGatewayOf(deps);
  /** A review of another provider's offering is answered as one that does not exist. */
  const visibleReview = (actor: Actor, reviewId: string) =>
    visibleOrNotFound(
      gateway().review(actor, reviewId),
      (live) => live.state.status !== 'none' && canSeeCspRecord(actor, live.state.subject.cspId),
      `No review ${reviewId}`,
    );

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'POST',
      url: '/api/reviews',
      operationId: 'openReview',
      summary: 'Open a compliance review of a held accreditation, for an incident or a complaint',
      description:
        'The review id is chosen by the server; the offering and provider are taken from the accreditation, which must be accredited or suspended. ' +
        'The engine opens the other reviews itself (anniversary, missed monthly reports, a late significant change). ' +
        'With an Idempotency-Key, a retried opening answers with the review the first attempt opened.',
      tag: 'compliance',
      auth: 'bearer',
      roles: ['reviewer'],
      body: OpenReviewBody,
      bodyName: 'OpenReview',
      idempotent: true,
      status: 201,
      response: ReviewViewSchema,
      errors: [403, 404, 409, 422, 503],
      handler: ({ actor, body, idempotencyKey }) => gateway().openReview(actor, body, idempotencyKey ?? newCommandId()),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/reviews/:reviewId',
      operationId: 'getReview',
      summary: 'One compliance review: its live state and its full event history',
      description: 'Cloud Office staff see every review, a provider those about its own offerings; any other answers 404, as if it did not exist.',
      tag: 'compliance',
      auth: 'bearer',
      params: ReviewIdParams,
      caseIdParam: 'reviewId',
      status: 200,
      response: ReviewDetail,
      errors: [503],
      async handler({ actor, params }) {
        const live = await visibleReview(actor, params.reviewId);
        return caseDetail(deps.eventStore, 'review', params.reviewId, live);
      },
    }),
  ];

  for (const spec of REVIEW_ACTIONS) {
    routes.push(
      defineRoute({
        method: 'POST',
        url: `/api/reviews/:reviewId/${spec.path}`,
        operationId: `review${spec.command}`,
        summary: spec.summary,
        description: `Allowed to: ${spec.roles.join(', ')}; the review's own rules (four eyes, state, deadlines) decide the rest.`,
        tag: 'compliance',
        auth: 'bearer',
        roles: spec.roles,
        params: ReviewIdParams,
        body: reviewActionBody(spec),
        bodyName: `Review${spec.command}`,
        idempotent: true,
        caseIdParam: 'reviewId',
        status: 200,
        response: ReviewViewSchema,
        errors: [403, 409, 422, 503],
        async handler({ actor, params, body, idempotencyKey }) {
          await visibleReview(actor, params.reviewId);
          await requireStoredEvidence(deps, spec.command, body);
          return gateway().reviewAction(params.reviewId, {
            type: spec.command,
            actor,
            data: body,
            commandId: idempotencyKey ?? newCommandId(),
          } as ReviewActionInput);
        },
      }),
    );
  }
  return routes;
}
