import type { Actor } from '../domain/shared/actor';
import type { Identity } from '../identity/identity';
import type { InboxNotice, InboxQueries } from '../projections/notices/inbox';

export interface InboxItem extends InboxNotice {
  read: boolean;
}

/** The signed-in person's inbox: the notices addressed to them, with what they have read (identity database). */
export interface Inbox {
  list(actor: Actor): InboxItem[];
  unreadCount(actor: Actor): number;
  /** Marks the given notices of the inbox read, or all of them; answers how many were unread. */
  markRead(actor: Actor, ids: readonly string[] | 'all'): number;
}

export function createInbox(queries: InboxQueries, reads: Pick<Identity, 'markNoticesRead' | 'readNotices'>): Inbox {
  const list = (actor: Actor): InboxItem[] => {
    const notices = queries.forActor(actor);
    const read = reads.readNotices(actor.userId, notices.map((n) => n.id));
    return notices.map((n) => ({ ...n, read: read.has(n.id) }));
  };
  return {
    list,
    unreadCount: (actor) => list(actor).filter((n) => !n.read).length,
    markRead(actor, ids) {
      const wanted = ids === 'all' ? undefined : new Set(ids);
      // Only notices of this person's inbox: an id of someone else's is ignored, not recorded.
      const unread = list(actor).filter((n) => !n.read && (wanted === undefined || wanted.has(n.id)));
      reads.markNoticesRead(actor.userId, unread.map((n) => n.id));
      return unread.length;
    },
  };
}
