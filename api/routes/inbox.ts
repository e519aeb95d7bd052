import { DomainError } from '../../domain/shared/errors';
import type { ApiDeps } from '../deps';
import type { Inbox } from '../inbox';
import { defineRoute, type AnyRoute } from '../route';
import { InboxList, MarkReadBody, MarkReadResult } from '../schemas/inbox';

/** Every person's notices (projections/notices/): what is mailed to them, kept to read in the office too. */
export function inboxRoutes(deps: ApiDeps): AnyRoute[] {
  const inbox = (): Inbox => {
    if (deps.inbox === undefined) throw new DomainError('UNAVAILABLE', 'The inbox is not available on this server');
    return deps.inbox;
  };
  return [
    defineRoute({
      method: 'GET',
      url: '/api/inbox',
      operationId: 'inbox',
      summary: 'Your notices, newest first, read or unread',
      description:
        "An entity's officers and a provider's people see their organisation's notices; staff see the tasks and notices of their role and jurisdiction (not those they may not act on, four eyes).",
      tag: 'inbox',
      auth: 'bearer',
      status: 200,
      response: InboxList,
      errors: [503],
      handler({ actor }) {
        const items = inbox().list(actor);
        return { items, unread: items.filter((n) => !n.read).length };
      },
    }),
    defineRoute({
      method: 'POST',
      url: '/api/inbox/read',
      operationId: 'markInboxRead',
      summary: 'Mark notices of your inbox read (all of them without ids)',
      description: 'Ids that are not in your inbox are ignored. Answers how many notices were unread and are read now.',
      tag: 'inbox',
      auth: 'bearer',
      body: MarkReadBody,
      bodyName: 'MarkRead',
      status: 200,
      response: MarkReadResult,
      errors: [503],
      handler: ({ actor, body }) => ({ marked: inbox().markRead(actor, body.ids ?? 'all') }),
    }),
  ];
}
