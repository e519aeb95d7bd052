import type { Identity } from '../../identity';
import { DEFAULT_NOC_POLICY, decideNoc, foldNoc, type NocCommand, type NocEvent } from '../../domain/noc';
import type { Actor } from '../../domain/shared/actor';
import type { FakeEventStore, FakeNocGateway } from '../api/fakes';
import { NOC_REQUEST } from '../api/harness';
import type { PagePerson } from './page-harness';

/** The people of a NOC page test: the PSE officer who asked, the reviewer who took it up. */
export const NOC_PAGE_PEOPLE: PagePerson[] = [
  { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  { username: 'parveen', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
];

/** An enrolled person as the actor their commands carry. */
function actorOf(identity: Identity, username: string): Actor {
  const a = identity.listAccounts().find((x) => x.username === username);
  if (!a) throw new Error(`${username} is not enrolled`);
  return { userId: a.id, name: a.displayName, role: a.role, jurisdiction: 'federal', ...(a.organisationId ? { organisationId: a.organisationId } : {}) } as Actor;
}

/**
 * NOC `nocId`, asked for by Parveen and under review by Rania (NOC_PAGE_PEOPLE), as the process (the fake
 * gateway) and the event store both hold it.
 */
export function seedNocUnderReview(identity: Identity, nocId: string, gateway: FakeNocGateway, store: FakeEventStore): void {
  const pse = actorOf(identity, 'parveen');
  const reviewer = actorOf(identity, 'rania');
  const commands: [NocCommand, Actor][] = [
    [{ type: 'RequestNoc', actor: pse, data: { ...(NOC_REQUEST as object), nocId, pseId: 'pse-moitt', jurisdiction: 'federal' } } as NocCommand, pse],
    [{ type: 'StartReview', actor: reviewer, data: {} } as NocCommand, reviewer],
  ];
  const events: NocEvent[] = [];
  for (const [command, actor] of commands) {
    for (const event of decideNoc(command, foldNoc(events), { now: new Date().toISOString(), policy: DEFAULT_NOC_POLICY })) {
      events.push(event);
      store.add(`noc-${nocId}`, event.type, event.data, actor);
    }
  }
  gateway.events.set(nocId, events);
}
