import type { FastifyInstance } from 'fastify';
import { buildApi, type ApiDeps } from '../api/server';
import { passwordHashGate } from '../identity/passwords';
import { registerUi, type UiOptions } from '../ui/register-ui';

/**
 * The composition root of the HTTP process: the API, with the UI registered on the same instance so
 * that both share the security headers, the sign-in throttle and the listening port. The layers stay
 * one-way (the UI uses the API; the API knows nothing of the UI): only this file knows both.
 */
export function composeOffice(deps: ApiDeps, options: { ui?: UiOptions } = {}): FastifyInstance {
  passwordHashGate.setLimit(deps.config.passwordHashConcurrency);
  const app = buildApi(deps);
  registerUi(app, deps, options.ui);
  return app;
}
