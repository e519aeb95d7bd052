import type { Actor } from '../../domain/shared/actor';
import type { ReadModelDb } from '../db';
import type { NoticeKind } from './messages';
import { isAddressedTo, type Audience } from './recipients';

export interface InboxNotice {
  id: string;
  kind: NoticeKind;
  subject: string;
  body: string;
  /** The case the notice is about (its stream, e.g. `noc-NOC-1`). */
  caseStream: string;
  createdAt: string;
}

interface Row {
  id: string;
  kind: NoticeKind;
  subject: string;
  body: string;
  audience: string;
  case_stream: string;
  created_at: string;
}

/** How many notices an inbox shows: the newest. */
export const INBOX_LIMIT = 200;

/**
 * A person's notices, newest first: their organisation's (an entity's officers, a provider's people),
 * or the staff notices of their role and jurisdiction that do not exclude them (four eyes).
 */
export function createInboxQueries(db: ReadModelDb) {
  const missing = (): boolean => !db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'notices'").get();
  return {
    forActor(actor: Actor, limit = INBOX_LIMIT): InboxNotice[] {
      if (missing()) return [];
      const person = { accountId: actor.userId, role: actor.role, jurisdiction: actor.jurisdiction, organisationId: actor.organisationId ?? null };
      const rows =
        actor.role === 'pse' || actor.role === 'csp'
          ? actor.organisationId === undefined
            ? []
            : (db
                .prepare('SELECT * FROM notices WHERE audience_kind = ? AND organisation_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT ?')
                .all(actor.role, actor.organisationId, limit) as Row[])
          : (db
              .prepare("SELECT * FROM notices WHERE audience_kind = 'staff' AND (jurisdiction = ? OR jurisdiction IS NULL) ORDER BY created_at_ms DESC, id DESC LIMIT ?")
              .all(actor.jurisdiction, limit * 5) as Row[]);
      return rows
        .filter((r) => isAddressedTo(JSON.parse(r.audience) as Audience, person))
        .slice(0, limit)
        .map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, caseStream: r.case_stream, createdAt: r.created_at }));
    },
  };
}

export type InboxQueries = ReturnType<typeof createInboxQueries>;
