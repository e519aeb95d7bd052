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

export function createInbox(queries: InboxQueries, reads: Pick<Identity, 'markNoticesRead' | 'readNotices' | 'countReadNotices'>): Inbox {
  const list = (actor: Actor): InboxItem[] => {
    const notices = queries.forActor(actor);
    const read = reads.readNotices(actor.userId, notices.map((n) => n.id));
    return notices.map((n) => ({ ...n, read: read.has(n.id) }));
  };
  return {
    list,
    // Every page's navigation shows this: two indexed queries over ids, no notice text.
    unreadCount(actor) {
      const ids = queries.idsForActor(actor);
      return ids.length === 0 ? 0 : ids.length - reads.countReadNotices(actor.userId, ids);
    },
    markRead(actor, ids) {
      const wanted = ids === 'all' ? undefined : new Set(ids);
      // Only notices of this person's inbox: an id of someone else's is ignored, not recorded.
      const mine = queries.idsForActor(actor).filter((id) => wanted === undefined || wanted.has(id));
      const read = reads.readNotices(actor.userId, mine);
      const unread = mine.filter((id) => !read.has(id));
      reads.markNoticesRead(actor.userId, unread);
      return unread.length;
    },
  };
}
