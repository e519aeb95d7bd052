import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor } from '../domain/shared/actor';
import type { Role } from '../domain/shared/vocabulary';

/**
 * A route, declared once: Fastify registers it from this, and the OpenAPI document is generated from
 * the very same schemas, so the document cannot drift from what the server accepts.
 */
export type AuthMode = 'public' | 'bearer';

export interface RouteContext<P, Q, B, A extends AuthMode> {
  actor: A extends 'bearer' ? Actor : undefined;
  params: P;
  query: Q;
  body: B;
  /** The Idempotency-Key header, validated, when the route accepts one and the client sent it. */
  idempotencyKey: string | undefined;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends AuthMode> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify syntax: /api/nocs/:nocId */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: A;
  /** Roles allowed at all; others get 403 before anything else happens. Absent: every signed-in role. */
  roles?: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The query as `query` parses it, for the shape most requests have, cheaper than the schema; undefined
   * for anything else, which `query` then parses (and names the failing field). Only the hottest
   * public read has one: see plainProcurementQuery.
   */
  plainQuery?: (raw: unknown) => z.output<Q> | undefined;
  /**
   * A file as the body, taken as bytes whatever its declared type (the handler's `body` is a Buffer,
   * or undefined when nothing came), up to maxBytes; `mediaTypes` are those the document lists.
   */
  rawBody?: { maxBytes: number; mediaTypes: readonly string[] };
  /** The success response is a file of one of these types, not JSON. */
  fileResponse?: readonly string[];
  /** The component name of the body schema in the OpenAPI document. */
  bodyName?: string;
  /** Whether the route honours an Idempotency-Key header. */
  idempotent?: boolean;
  /**
   * The route's log level when it is not the server's: 'warn' keeps refusals and errors but drops the
   * line per answered request (the public procurement check: see README, Benchmarks).
   */
  logLevel?: 'warn';
  /** The route parameter that names the case, logged as caseId. */
  caseIdParam?: string;
  status: number;
  /** The success response; absent for 204. */
  response?: z.ZodType;
  /** Media types the success response may also come as (e.g. text/csv on request), besides JSON. */
  alsoAs?: readonly string[];
  /** Error statuses besides those implied by the route's shape (400 for input, 401 for bearer, 404 for params). */
  errors?: readonly number[];
  /** Extra success/failure statuses with their own body (healthz answers 503 with a report). */
  otherResponses?: Readonly<Record<number, { description: string; schema: z.ZodType }>>;
  handler(ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>, A>): Promise<unknown> | unknown;
}

/** The erased form that lists and the registrar work with. */
export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType, AuthMode>;

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends AuthMode>(
  spec: RouteSpec<P, Q, B, A>,
): AnyRoute {
  return spec as unknown as AnyRoute;
}
