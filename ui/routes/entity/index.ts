import type { FastifyInstance } from 'fastify';
import type { UiContext } from '../../context';
import { checkRoutes } from './check';
import { entityHomeRoute } from './home';
import { entityNocRoutes } from './nocs';
import { offeringRoutes } from './offerings';
import { procurementRoutes } from './procurements';

/** The entity portal: everything a public service entity does in the browser, under /ui/entity. */
export function entityRoutes(app: FastifyInstance, ctx: UiContext): void {
  entityHomeRoute(app, ctx);
  offeringRoutes(app, ctx);
  entityNocRoutes(app, ctx);
  procurementRoutes(app, ctx);
  checkRoutes(app, ctx);
}
