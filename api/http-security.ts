import fastifyHelmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import type { AppConfig } from '../config/config';

/**
 * The headers every response carries, API and UI alike (helmet): no sniffing, no framing, no
 * cross-origin opener, and a content security policy the UI's pages satisfy because they have no
 * inline script or style at all (ui/ui.css and ui/queue-refresh.js are served from /ui/static).
 */
const DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'object-src': ["'none'"],
};

const HSTS = 'max-age=31536000; includeSubDomains';

export function registerSecurityHeaders(app: FastifyInstance, api: AppConfig['api']): void {
  app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      // Over plain http (local development) upgrading would point the pages at an https that is not there.
      directives: api.https ? { ...DIRECTIVES, 'upgrade-insecure-requests': [] } : DIRECTIVES,
    },
    frameguard: { action: 'deny' },
    // Set below, per request: only an answer that travelled over TLS may pin the browser to it.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}
