import type { FastifyRequest } from 'fastify';
import { NocIdParams } from '../../../api/schemas/noc';
import { canSeeNoc, foldNoc, type NocCase, type NocEvent } from '../../../domain/noc';
import type { Actor } from '../../../domain/shared/actor';
import { DomainError } from '../../../domain/shared/errors';
import { streamName } from '../../../eventstore/envelope';
import { actorOf, type UiContext } from '../../context';
import { decodeStream, type TimelineEntry } from '../../timeline';

/**
 * The entity portal's pages belong to one public service entity: its officers (role `pse`, the
 * organisation being the entity's id). Everyone else is refused; a record of another entity answers
 * as one that does not exist.
 */
export interface EntityActor {
  actor: Actor;
  pseId: string;
}

export function entityOf(request: FastifyRequest): EntityActor {
  const actor = actorOf(request);
  if (actor.role !== 'pse' || actor.organisationId === undefined) {
    throw new DomainError('ROLE_NOT_ALLOWED', "These pages are for a public service entity's own officers");
  }
  return { actor, pseId: actor.organisationId };
}

export interface EntityNoc {
  nocId: string;
  noc: NocCase;
  entries: TimelineEntry[];
}

/** One of the entity's NOCs from its own stream; another entity's, or none, is the same 404. */
export async function loadEntityNoc(ctx: UiContext, actor: Actor, nocId: string): Promise<EntityNoc> {
  const notFound = new DomainError('NOT_FOUND', `Your entity has no NOC ${nocId}`);
  if (!NocIdParams.safeParse({ nocId }).success) throw notFound;
  const entries = decodeStream(await ctx.deps.eventStore.readStream(streamName('noc', nocId)));
  const events = entries.filter((e) => e.decodeError === undefined).map((e) => ({ type: e.event.type, data: e.event.data }) as NocEvent);
  const noc = foldNoc(events);
  if (noc.status === 'none' || !canSeeNoc(actor, noc.request)) throw notFound;
  return { nocId, noc, entries };
}

const DAY_MS = 86_400_000;

/** "in 3 days", "within a day", "2 days ago": how far an instant is from now, in whole days. */
export function daysFrom(nowIso: string, iso: string): string {
  const diff = Date.parse(iso) - Date.parse(nowIso);
  const days = Math.floor(Math.abs(diff) / DAY_MS);
  const plural = `${days} day${days === 1 ? '' : 's'}`;
  if (diff >= 0) return days === 0 ? 'within a day' : `in ${plural}`;
  return days === 0 ? 'less than a day ago' : `${plural} ago`;
}
