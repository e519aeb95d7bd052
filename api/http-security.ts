import fastifyHelmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
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

/**
 * The headers helmet sets for these options. They depend on nothing in the request (no CSP nonces),
 * so helmet runs once, on a scratch instance, and each request gets the result: @fastify/helmet would
 * otherwise build helmet's middleware from the options again on every request, parsing the policy
 * each time, which was a tenth of the cost of the procurement check.
 */
async function helmetHeaders(options: FastifyHelmetOptions): Promise<Record<string, string>> {
  const scratch = Fastify({ logger: false });
  try {
    await scratch.register(fastifyHelmet, options);
    // What helmet set on the raw response, before Fastify adds its own (type, length, date).
    scratch.get('/', async (_request, reply) => reply.raw.getHeaders());
    const res = await scratch.inject({ method: 'GET', url: '/' });
    const headers = z.record(z.string(), z.string()).parse(res.json());
    if (Object.keys(headers).length === 0) throw new Error('helmet set no header');
    return headers;
  } finally {
    await scratch.close();
  }
}

export function registerSecurityHeaders(app: FastifyInstance, api: AppConfig['api']): void {
  const options: FastifyHelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      // Over plain http (local development) upgrading would point the pages at an https that is not there.
      directives: api.https ? { ...DIRECTIVES, 'upgrade-insecure-requests': [] } : DIRECTIVES,
    },
    frameguard: { action: 'deny' },
    // Set below, per request: only an answer that travelled over TLS may pin the browser to it.
    strictTransportSecurity: false,
  };
  // Names and values side by side: every request sets the same headers in the same order, without
  // Object.keys allocating their list again (reply.headers would) on each of them.
  let names: string[] | undefined;
  let values: string[] = [];
  // Before the server answers anything (listen and inject both wait for ready).
  app.addHook('onReady', async () => {
    const headers = await helmetHeaders(options);
    names = Object.keys(headers);
    values = Object.values(headers);
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (names === undefined) return done(new Error('The security headers were not computed before the first request'));
    for (let i = 0; i < names.length; i++) reply.header(names[i] as string, values[i]);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done();
  });
}
