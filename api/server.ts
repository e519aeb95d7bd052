import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import pino from 'pino';
import { DomainError, RateLimited } from '../domain/shared/errors';
import { openThrottleStore } from '../identity/throttle-store';
import { parseOrThrow } from '../identity/validation';
import { bearerCheck, logRefusal } from './auth';
import type { ApiDeps } from './deps';
import { errorBody, statusOf, asDomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from './errors';
import { registerSecurityHeaders } from './http-security';
import { lazyRequestLogger, logsAt } from './request-logger';
import { registerLoginThrottle } from './login-throttle';
import { registerEvidenceUploadThrottle } from './evidence-upload-throttle';
import { registerRegistrationThrottle } from './registration-throttle';
import { buildOpenApiDocument } from './openapi';
import type { AnyRoute, AuthMode, RouteContext } from './route';
import { accountRoutes } from './routes/accounts';
import { accreditationRoutes } from './routes/accreditations';
import { frameworkRoutes } from './routes/frameworks';
import { authRoutes } from './routes/auth';
import { readIdempotencyKey } from './routes/common';
import { createIdempotencyGate, type IdempotencyGate } from './idempotency';
import { openIdempotencyStore } from './idempotency-store';
import { changeRoutes } from './routes/changes';
import { inboxRoutes } from './routes/inbox';
import { noteRoutes } from './routes/notes';
import { complianceRoutes } from './routes/compliance';
import { mfaRoutes } from './routes/mfa';
import { monitoringRoutes } from './routes/monitoring';
import { reviewRoutes } from './routes/reviews';
import { cspRegistrationRoutes } from './routes/csp-registrations';
import { cspRoutes } from './routes/csps';
import { nocRoutes } from './routes/nocs';
import { pseRoutes } from './routes/pses';
import { auditRoutes } from './routes/audit';
import { publicRoutes } from './routes/public';
import { systemRoutes } from './routes/system';
import { registerHttpMetrics } from '../metrics/http';
import { registerHttpTracing } from '../tracing/http';
import { evidenceRoutes } from './routes/evidence';

export type { ApiDeps } from './deps';

/** What a route's handler gets beside the request, the reply and the actor. */
type RouteInput = Pick<RouteContext<unknown, unknown, unknown, AuthMode>, 'params' | 'query' | 'body' | 'idempotencyKey'>;

const BODY_LIMIT_BYTES = 1024 * 1024;
/**
 * A path segment's limit as sent: the longest identifier a route accepts (200 characters) with every
 * character %-escaped. Fastify's default of 100 refused identifiers the document allows.
 */
const MAX_PARAM_LENGTH = 600;

/** JSON.parse reviver: a "__proto__" key in a body must never become anything but noise. */
const dropPrototypeKeys = (key: string, value: unknown): unknown => (key === '__proto__' ? undefined : value);

function registerRoute(app: FastifyInstance, route: AnyRoute, deps: ApiDeps, idempotency: IdempotencyGate): void {
  /** The route's own work, once the input is read (and, for a change, the store has room). */
  const answer = (request: FastifyRequest, reply: FastifyReply, { params, query, body, idempotencyKey }: RouteInput): unknown => {
    reply.code(route.status);
    const returned = route.handler({ actor: request.actor, params, query, body, idempotencyKey, request, reply });
    if (returned instanceof Promise) return returned.then((result: unknown) => settled(result, reply));
    return settled(returned, reply);
  };
  app.route({
    method: route.method,
    url: route.url,
    onRequest: route.auth === 'bearer' ? bearerCheck(deps.identity, route.roles) : undefined,
    ...(route.idempotent ? { onSend: idempotency.onSend } : {}),
    ...(route.logLevel === undefined ? {} : { logLevel: route.logLevel }),
    // Not an async function: a handler that answers at once (the procurement check without a token)
    // costs no promise, nor the turns of the microtask queue Fastify would wait for it. What throws here
    // reaches the error handler as a rejection would.
    handler: (request: FastifyRequest, reply: FastifyReply): unknown => {
      if (route.caseIdParam !== undefined) {
        const raw = (request.params as Record<string, unknown>)[route.caseIdParam];
        if (typeof raw === 'string') request.caseId = raw;
      }
      const params = route.params ? parseOrThrow(route.params, request.params) : undefined;
      const query = route.query ? (route.plainQuery?.(request.query) ?? parseOrThrow(route.query, request.query)) : undefined;
      // An action without fields may come with no body at all.
      const body = route.body ? parseOrThrow(route.body, request.body ?? {}) : route.rawBody ? request.body : undefined;
      const idempotencyKey = route.idempotent ? readIdempotencyKey(request.headers) : undefined;
      // The same request sent again with its key gets its first answer, however late, without doing anything.
      if (idempotency.before(route, request, reply, idempotencyKey)) return reply;
      const input: RouteInput = { params, query, body, idempotencyKey };
      // Signing in writes no case; everything else that changes something waits for room in the store.
      if (route.method !== 'GET' && !route.url.startsWith('/api/auth/') && deps.storageGuard !== undefined) {
        return deps.storageGuard().then(() => answer(request, reply, input));
      }
      return answer(request, reply, input);
    },
  });
}

/**
 * What Fastify gets from a handler's result, given at once or by its promise: a value to send, or
 * nothing when the handler sent its own answer (it returns the reply) or gave nothing (an empty answer
 * is sent here). Sending again would make Fastify build an error (stack trace and all) and log a
 * warning on every request.
 */
function settled(result: unknown, reply: FastifyReply): unknown {
  if (result !== undefined && result !== reply) return result;
  if (!reply.sent) reply.send();
  return undefined;
}

/**
 * A route whose body is a file: in a context of its own, so that only it takes bytes of any type (the
 * other routes keep refusing anything but JSON). A declared length over the limit is refused before a
 * byte is read, naming the limit; a body that grows past it without a declared length meets Fastify's.
 */
function registerFileRoute(app: FastifyInstance, route: AnyRoute, maxBytes: number, deps: ApiDeps, idempotency: IdempotencyGate): void {
  void app.register(async (child) => {
    child.removeAllContentTypeParsers();
    child.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));
    // After the sign-in check (onRequest), before a byte is read.
    child.addHook('preParsing', async (request, _reply, payload) => {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > maxBytes) {
        throw new DomainError('EVIDENCE_TOO_LARGE', `The file has ${declared} bytes; at most ${maxBytes} are accepted (EVIDENCE_MAX_BYTES)`, 'file');
      }
      return payload;
    });
    registerRoute(child, route, deps, idempotency);
  });
}

/**
 * Every route of the HTTP API, as declared: the server registers exactly these, the OpenAPI document
 * describes them, and the authorization matrix test walks them all.
 */
export function apiRoutes(deps: ApiDeps): AnyRoute[] {
  const routes: AnyRoute[] = [];
  let document: unknown;
  const openApi = (): unknown =>
    (document ??= buildOpenApiDocument(routes, {
      title: 'Cloud Office API',
      version: '0.1.0',
      description: 'System of record and process engine of the Cloud Office: accounts, NOCs, health.',
    }));
  routes.push(...authRoutes(deps), ...mfaRoutes(deps), ...accountRoutes(deps), ...nocRoutes(deps), ...auditRoutes(deps), ...systemRoutes(deps, openApi));
  routes.push(...publicRoutes(deps));
  routes.push(...cspRoutes(deps), ...cspRegistrationRoutes(deps));
  routes.push(...accreditationRoutes(deps), ...frameworkRoutes(deps));
  routes.push(...pseRoutes(deps));
  routes.push(...complianceRoutes(deps));
  routes.push(...inboxRoutes(deps), ...noteRoutes(deps));
  routes.push(...reviewRoutes(deps), ...monitoringRoutes(deps), ...changeRoutes(deps));
  routes.push(...evidenceRoutes(deps));
  return routes;
}

/**
 * The HTTP API. Every error, from any layer, leaves as {"error":{"code","message","field"}} with the
 * status of its kind; one log line per request says who did what to which case and how it ended.
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const logger = deps.logger ?? pino({ level: deps.config.logLevel });
  const app = Fastify({
    // pino's Logger and Fastify's logger interface differ only in generic parameters.
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by our one (onResponse below), which knows the actor and case.
    logController: new LogController({ disableRequestLogging: true }),
    // Each request's child logger (bound to its reqId) is made when the request first writes a line.
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    trustProxy: deps.config.api.trustProxy,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // The router's own refusals (a path segment over the length limit, a malformed %-escape) would
    // otherwise leave in Fastify's shape, with 414 for the former: they are bad input like any other.
    frameworkErrors: (err, _request, reply: FastifyReply) => {
      const error =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new DomainError('VALIDATION_FAILED', `A path segment is longer than ${MAX_PARAM_LENGTH} characters`)
          : new DomainError('VALIDATION_FAILED', 'The path is not a valid URL: a %-escape is malformed');
      void reply.code(statusOf(error)).send(errorBody(error));
    },
  });
  // First, so that every later answer — the throttles' refusals and the router's 404s too — is counted.
  if (deps.metrics) registerHttpMetrics(app, deps.metrics);
  if (deps.tracer) registerHttpTracing(app, deps.tracer);
  registerSecurityHeaders(app, deps.config.api);
  // Without a shared store (tests, tools), the counts live in a private in-memory database.
  const throttleStore = deps.throttleStore ?? openThrottleStore(':memory:');
  if (deps.throttleStore === undefined) app.addHook('onClose', async () => (throttleStore as ReturnType<typeof openThrottleStore>).close());
  registerLoginThrottle(app, throttleStore, deps.loginThrottle);
  registerRegistrationThrottle(app, deps.registrationThrottle);
  registerEvidenceUploadThrottle(app, deps.config.evidence.uploadsPerHour);

  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string, dropPrototypeKeys));
    } catch (err) {
      done(new DomainError('VALIDATION_FAILED', `The body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err, request, reply) => {
    const error = asDomainError(err, request.id);
    if (error.kind === 'internal' || error.kind === 'unavailable') request.log.error({ err, requestId: request.id }, 'request failed');
    if (error instanceof RateLimited) reply.header('retry-after', String(error.retryAfterSeconds));
    else if (error.kind === 'unavailable') reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    logRefusal(request, error, statusOf(error));
    reply.code(statusOf(error)).send(errorBody(error));
  });

  app.setNotFoundHandler((request, reply) => {
    const error = new DomainError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
    reply.code(statusOf(error)).send(errorBody(error));
  });

  // A callback hook, not an async one: no promise per request, and no line built when the route's
  // level drops it.
  app.addHook('onResponse', (request, reply, done) => {
    if (!logsAt(request.log, 'info')) return done();
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        actorId: request.actor?.userId,
        caseId: request.caseId,
      },
      'request',
    );
    done();
  });

  // Without a shared record (tests, tools), a private in-memory one: resends to this instance still get their first answer.
  const idempotencyStore =
    deps.idempotencyStore ?? openIdempotencyStore(':memory:', { retentionMs: deps.config.idempotency.retentionDays * 24 * 60 * 60 * 1000 });
  if (deps.idempotencyStore === undefined) app.addHook('onClose', async () => idempotencyStore.close());
  const idempotency = createIdempotencyGate(idempotencyStore);
  app.decorate('idempotency', idempotency);
  for (const route of apiRoutes(deps)) {
    if (route.rawBody) registerFileRoute(app, route, route.rawBody.maxBytes, deps, idempotency);
    else registerRoute(app, route, deps, idempotency);
  }
  return app;
}
