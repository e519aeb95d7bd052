import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import { DEFAULT_EVIDENCE_MAX_BYTES } from '../evidence/port';
import { registerMultipartForms, uploadedFiles } from './multipart';
import { formValues } from './forms';
import type Database from 'better-sqlite3';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/shared/errors';
import type { ApiDeps } from '../api/deps';
import { logAccessRefused } from '../api/auth';
import { statusOf, asDomainError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../api/errors';
import { createClaims, type Claims } from './claims';
import { AUTOMATIC_REFRESH, CsrfRefused, LoginRequired, csrfOf, landingFor, sendPage, uiCookies, type UiContext } from './context';
import { html } from './html';
import { page, rememberUnread } from './layout';
import { accountRoutes } from './routes/accounts';
import { accreditationRoutes } from './routes/accreditations';
import { auditRoutes } from './routes/audit';
import { auditReplayRoutes } from './routes/audit-replay';
import { authRoutes } from './routes/auth';
import { caseRoutes } from './routes/cases';
import { changeRoutes } from './routes/changes';
import { complianceRoutes } from './routes/compliance';
import { entityRoutes } from './routes/entity';
import { entityRegisterRoutes } from './routes/entities';
import { frameworkVersionRoutes } from './routes/framework-versions';
import { homeRoute } from './routes/home';
import { inboxRoutes } from './routes/inbox';
import { adoptionPage } from './routes/adoption';
import { publicPages } from './routes/public';
import { frameworkPages } from './routes/frameworks';
import { changesFeedRoute } from './routes/changes-feed';
import { offeringPage } from './routes/offering';
import { operationsRoutes } from './routes/operations';
import { queueRoutes } from './routes/queue';
import { registerRoutes } from './routes/register';
import { reviewRoutes } from './routes/reviews';
import { evidenceFileRoutes } from './routes/evidence';
import { registrationDecisionRoutes } from './routes/provider/registration-decisions';
import { registrationRequestRoutes } from './routes/provider/registration';
import { providerHomeRoutes } from './routes/provider/home';
import { providerComplianceRoutes } from './routes/provider/compliance-forms';
import { providerApplyRoutes } from './routes/provider/apply';
import { loadOrCreateUiSecret } from './secret';
import { createUiSessions, newFormNonce, type UiSessions } from './sessions';
import { openTasklistDb } from './tasklist-db';
import { guardStorage, keptForm, wasRefusedForRoom } from './storage-refusal';

const CSS = readFileSync(join(__dirname, 'ui.css'), 'utf8');
const REFRESH_JS = readFileSync(join(__dirname, 'queue-refresh.js'), 'utf8');
const NONCE_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export interface UiOptions {
  /** Defaults to 30 minutes. */
  idleTimeoutMs?: number;
  /** The sessions' clock (ms); tests move it to pass the idle timeout. */
  now?: () => number;
}

/**
 * The server-rendered UI: `/` (public) and everything under `/ui`, registered on the API's instance
 * (buildApi), whose security headers and sign-in throttle it shares. Its SQLite file and secret live
 * in config.dataDir and are opened on the first UI request, so building the API for other uses (tests
 * of the JSON API) touches no files.
 */
export function registerUi(app: FastifyInstance, deps: ApiDeps, options: UiOptions = {}): void {
  if (!app.hasDecorator('loginThrottle')) throw new Error('registerUi needs the instance buildApi made (see server/compose.ts)');
  let db: Database.Database | undefined;
  let sessions: UiSessions | undefined;
  let claims: Claims | undefined;
  const open = (): Database.Database => (db ??= openTasklistDb(join(deps.config.dataDir, 'tasklist.db')));
  const ctx: UiContext = {
    deps,
    sessions: () =>
      (sessions ??= createUiSessions({
        identity: deps.identity,
        db: open(),
        secret: loadOrCreateUiSecret(deps.config.dataDir),
        idleTimeoutMs: options.idleTimeoutMs,
        now: options.now,
      })),
    claims: () => (claims ??= createClaims(open())),
    loginThrottle: app.loginThrottle,
    cookies: uiCookies(deps.config.api.https),
    now: () => new Date(),
  };

  app.addHook('onClose', async () => {
    db?.close();
  });

  app.register(async (scope) => {
    scope.get('/', async (_request, reply) => sendPage(reply, homeRoute()));
    publicPages(scope, deps);
    offeringPage(scope, deps);
    changesFeedRoute(scope, deps);
    frameworkPages(scope, deps);
    adoptionPage(scope, deps);
  });

  app.register(
    async (scope) => {
      await scope.register(fastifyCookie);
      await scope.register(fastifyFormbody);
      registerMultipartForms(scope, deps.evidence?.maxBytes ?? DEFAULT_EVIDENCE_MAX_BYTES);

      scope.addHook('onRequest', async (request, reply) => identify(ctx, request, reply));
      scope.addHook('preHandler', async (request, reply) => {
        if (request.method !== 'POST') return;
        const given = (request.body as Record<string, unknown> | undefined)?._csrf;
        if (!ctx.sessions().csrfValid(request.csrfSeed as string, given)) throw new CsrfRefused('No valid form token');
        // A form sent again with its command id (a double click, "resend" after a lost answer, a late
        // back-button post) gets its first redirect, however late: as the API answers an Idempotency-Key.
        if (formSentBefore(app, request, reply)) return reply;
        // After the form token, so a forged form learns nothing; before any gateway, so nothing starts.
        await guardStorage(request, deps.storageGuard);
      });
      scope.addHook('onSend', app.idempotency.onSend);
      scope.addHook('onSend', async (_request, reply) => {
        // Pages show what one person may see: never cached, so the back button after sign-out shows nothing.
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      });
      scope.addHook('onResponse', async (request, reply) => logUiRefusal(request, reply.statusCode));
      scope.setErrorHandler((err, request, reply) => errorPage(ctx, err, request, reply));
      scope.setNotFoundHandler((request, reply) =>
        errorPage(ctx, new DomainError('NOT_FOUND', 'There is no such page'), request, reply),
      );

      scope.get('/static/ui.css', async (_request, reply) =>
        reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CSS),
      );
      scope.get('/static/queue-refresh.js', async (_request, reply) =>
        reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(REFRESH_JS),
      );

      authRoutes(scope, ctx);
      queueRoutes(scope, ctx);
      registerRoutes(scope, ctx);
      caseRoutes(scope, ctx);
      accreditationRoutes(scope, ctx);
      reviewRoutes(scope, ctx);
      evidenceFileRoutes(scope, ctx);
      complianceRoutes(scope, ctx);
      auditRoutes(scope, ctx);
      auditReplayRoutes(scope, ctx);
      accountRoutes(scope, ctx);
      entityRoutes(scope, ctx);
      entityRegisterRoutes(scope, ctx);
      registrationRequestRoutes(scope, ctx);
      registrationDecisionRoutes(scope, ctx);
      providerHomeRoutes(scope, ctx);
      providerComplianceRoutes(scope, ctx);
      providerApplyRoutes(scope, ctx);
      frameworkVersionRoutes(scope, ctx);
      changeRoutes(scope, ctx);
      inboxRoutes(scope, ctx);
      operationsRoutes(scope, ctx);
    },
    { prefix: '/ui' },
  );
}

/** The form's command id and what identifies the request: its fields and its files (by their hash). */
function formSentBefore(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply): boolean {
  const values = formValues(request.body);
  if (values.commandId === undefined) return false;
  const files = uploadedFiles(request.body).map((f) => ({ field: f.field, filename: f.filename, content: f.content }));
  return app.idempotency.beforeForm(request, reply, values.commandId, files.length === 0 ? values : { ...values, files });
}

/** Who is asking: a live session sets request.actor; everyone else gets a form nonce to sign forms with. */
function identify(ctx: UiContext, request: FastifyRequest, reply: FastifyReply): void {
  if (request.url.startsWith('/ui/static/')) return;
  const { cookies } = ctx;
  const token = request.cookies[cookies.session];
  if (token) {
    const automatic = (request.query as Record<string, unknown>)[AUTOMATIC_REFRESH.name] === AUTOMATIC_REFRESH.value;
    const resumed = ctx.sessions().resume(token, { automatic });
    if (resumed.kind === 'live') {
      request.actor = { ...resumed.actor };
      if (ctx.deps.inbox) rememberUnread(request.actor, ctx.deps.inbox.unreadCount(request.actor));
      request.csrfSeed = token;
      return;
    }
    request.sessionTimedOut = resumed.kind === 'idle';
    reply.clearCookie(cookies.session, cookies.options);
  }
  let nonce = request.cookies[cookies.form];
  if (!nonce || !NONCE_SHAPE.test(nonce)) {
    nonce = newFormNonce();
    reply.setCookie(cookies.form, nonce, cookies.options);
  }
  request.csrfSeed = nonce;
}

/**
 * Every refusal leaves the same "access refused" warning as the API's (api/auth.ts): a page that
 * needs a session sent to sign in, a 401 or 403 answer (from the error page, or a form shown again
 * with the refusal), and a 404 to a signed-in person (how a record they may not see is answered).
 * Answers the error page gave carry their code; a form shown again with a refusal is logged by status.
 */
function logUiRefusal(request: FastifyRequest, status: number): void {
  const byStatus = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : status === 404 ? 'NOT_FOUND' : undefined;
  const refusal = request.uiRefusal ?? byStatus;
  if (refusal === undefined || (status === 404 && request.actor === undefined)) return;
  logAccessRefused(request, refusal, status);
}

function errorPage(ctx: UiContext, err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof LoginRequired) {
    request.uiRefusal = 'UNAUTHENTICATED';
    const next = request.method === 'GET' ? `&next=${encodeURIComponent(request.url)}` : '';
    const reason = request.sessionTimedOut ? 'timeout' : 'required';
    return reply.code(303).header('location', `/ui/login?reason=${reason}${next}`).send();
  }
  let status: number;
  let title: string;
  let message: string;
  if (err instanceof CsrfRefused) {
    request.uiRefusal = 'CSRF_REFUSED';
    status = 403;
    title = 'Form refused';
    message = 'This form did not come from a page of this site, or it has expired. Go back, reload the page and try again.';
  } else {
    const error = asDomainError(err, request.id);
    if (error.kind === 'internal' || error.kind === 'unavailable') request.log.error({ err, requestId: request.id }, 'UI request failed');
    status = statusOf(error);
    if (error.kind === 'unavailable') reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    if (status === 401 || status === 403 || status === 404) request.uiRefusal = error.code;
    title = error.kind === 'not-found' ? 'Not found' : error.kind === 'unavailable' ? 'Not done: try again later' : 'Something went wrong';
    message = error.message;
  }
  const csrf = request.csrfSeed ? csrfOf(ctx, request) : '';
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(
      page({
        title,
        actor: request.actor,
        csrf,
        current: 'none',
        main: html`<h1>${title}</h1><p>${message}</p>${wasRefusedForRoom(request) ? keptForm(request, csrf) : ''}<p><a href="${
          request.actor ? landingFor(request.actor.role) : '/'
        }">Go back to the start</a></p>`,
      }).value,
    );
}
