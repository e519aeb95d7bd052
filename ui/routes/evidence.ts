import type { FastifyInstance } from 'fastify';
import { sendEvidenceFile } from '../../api/routes/evidence';
import { actorOf, type UiContext } from '../context';

/** Opening an evidence file from a case page: the API's rule (whoever may see a case that names it), with the session's person. */
export function evidenceFileRoutes(app: FastifyInstance, ctx: UiContext): void {
  app.get('/evidence/:sha256', async (request, reply) => sendEvidenceFile(ctx.deps, actorOf(request), (request.params as { sha256: string }).sha256, reply));
}
