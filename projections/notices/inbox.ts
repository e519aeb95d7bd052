import type Database from 'better-sqlite3';
import type { Actor } from '../../domain/shared/actor';
import type { ReadModelDb } from '../db';
import type { NoticeKind } from './messages';

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
  case_stream: string;
  created_at: string;
}

/** How many notices an inbox shows: the newest. */
export const INBOX_LIMIT = 200;

interface Params {
  role: string;
  organisationId: string | null;
  jurisdiction: string;
  userId: string;
  limit: number;
}

/**
 * Who a row is addressed to, in SQL: the same rule as isAddressedTo (recipients.ts), so the database
 * filters and limits instead of the API parsing every staff notice of a jurisdiction. An organisation's
 * notice is for its officers of the matching role; a staff notice for the roles it names, in its
 * jurisdiction (or every one), minus the people four eyes excludes.
 */
const ADDRESSED = `
  (audience_kind IN ('pse', 'csp') AND audience_kind = @role AND organisation_id = @organisationId)
  OR (audience_kind = 'staff' AND @role NOT IN ('pse', 'csp')
      AND (jurisdiction = @jurisdiction OR jurisdiction IS NULL)
      AND EXISTS (SELECT 1 FROM json_each(audience, '$.roles') WHERE value = @role)
      AND NOT EXISTS (SELECT 1 FROM json_each(audience, '$.excludedUserIds') WHERE value = @userId))`;

const ORDER = 'ORDER BY created_at_ms DESC, id DESC LIMIT @limit';

function prepare(db: ReadModelDb) {
  return {
    list: db.prepare(`SELECT id, kind, subject, body, case_stream, created_at FROM notices WHERE ${ADDRESSED} ${ORDER}`) as Database.Statement<[Params], Row>,
    ids: db.prepare(`SELECT id FROM notices WHERE ${ADDRESSED} ${ORDER}`).pluck() as Database.Statement<[Params], string>,
  };
}

const isMissingTable = (error: unknown): boolean => error instanceof Error && /no such table: notices/.test(error.message);

/**
 * A person's notices, newest first: their organisation's (an entity's officers, a provider's people),
 * or the staff notices of their role and jurisdiction that do not exclude them (four eyes).
 *
 * The statements are prepared once, as soon as the notices table exists (the API may start before the
 * projector has created it); a rebuild that drops the table makes them prepare again.
 */
export function createInboxQueries(db: ReadModelDb) {
  let statements: ReturnType<typeof prepare> | undefined;
  const run = <T>(query: (s: ReturnType<typeof prepare>) => T[]): T[] => {
    try {
      statements ??= prepare(db);
      return query(statements);
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      statements = undefined;
      return [];
    }
  };
  const params = (actor: Actor, limit: number): Params | undefined =>
    (actor.role === 'pse' || actor.role === 'csp') && actor.organisationId === undefined
      ? undefined
      : { role: actor.role, organisationId: actor.organisationId ?? null, jurisdiction: actor.jurisdiction, userId: actor.userId, limit };
  // Prepared now when the table is there already: the first unread badge pays nothing extra.
  run(() => []);
  return {
    forActor(actor: Actor, limit = INBOX_LIMIT): InboxNotice[] {
      const p = params(actor, limit);
      if (!p) return [];
      return run((s) => s.list.all(p)).map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, caseStream: r.case_stream, createdAt: r.created_at }));
    },
    /** The ids of the same notices as forActor, without their text: what counting unread needs. */
    idsForActor(actor: Actor, limit = INBOX_LIMIT): string[] {
      const p = params(actor, limit);
      return p ? run((s) => s.ids.all(p)) : [];
    },
  };
}

export type InboxQueries = ReturnType<typeof createInboxQueries>;
