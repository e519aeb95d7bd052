import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/shared/errors';
import { openOperationsSamples, operationsSamplesPath, type OperationsSamples } from '../../metrics/samples';
import { actorOf, csrfOf, sendPage, type UiContext } from '../context';
import { OPERATIONS_ROLES, page } from '../layout';
import { operationsView } from '../operations-view';

/**
 * The operators' page: the last day of timer lateness, projection lag, the mail outbox and open cases
 * per province, from the samples the worker and the projector write (metrics/samples.ts). The file is
 * opened on the first request, so building the UI touches no file until someone asks.
 */
export function operationsRoutes(app: FastifyInstance, ctx: UiContext): void {
  let samples: OperationsSamples | undefined;
  app.addHook('onClose', async () => samples?.close());
  app.get('/operations', async (request, reply) => {
    const actor = actorOf(request);
    if (!OPERATIONS_ROLES.includes(actor.role)) throw new DomainError('ROLE_NOT_ALLOWED', 'The operations page is for administrators and directors');
    samples ??= openOperationsSamples(operationsSamplesPath(ctx.deps.config.dataDir));
    const { sampleSeconds } = ctx.deps.config.operations;
    return sendPage(
      reply,
      page({ title: 'Operations', actor, csrf: csrfOf(ctx, request), current: 'operations', main: operationsView(samples, ctx.now(), sampleSeconds) }),
    );
  });
}
