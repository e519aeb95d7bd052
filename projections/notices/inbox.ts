import type Database from 'better-sqlite3';
import type { Actor } from '../../domain/shared/actor';
import type { ReadModelDb } from '../db';
import type { NoticeKind } from './messages';
import type { TaskHolder } from './recipients';

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
  /** JSON of the TaskHolder[] in force: who holds a task on which case. */
  holders: string;
  limit: number;
}

/** The case of the notice row, by the id claims use (caseIdOfStream in recipients.ts). */
const CASE_ID = "substr(notices.case_stream, instr(notices.case_stream, '-') + 1)";

/** The reader holds a task on the notice's case. */
const HELD_BY_ME = `EXISTS (SELECT 1 FROM json_each(@holders) h
  WHERE json_extract(h.value, '$.caseId') = ${CASE_ID} AND json_extract(h.value, '$.userId') = @userId)`;

/** Someone else, active and addressed by the notice, holds a task on its case. */
const HELD_BY_ANOTHER_ADDRESSED = `EXISTS (SELECT 1 FROM json_each(@holders) h
  JOIN notice_people p ON p.account_id = json_extract(h.value, '$.userId')
  WHERE json_extract(h.value, '$.caseId') = ${CASE_ID} AND p.account_id <> @userId AND p.disabled = 0
    AND EXISTS (SELECT 1 FROM json_each(notices.audience, '$.roles') r WHERE r.value = p.role)
    AND (notices.jurisdiction IS NULL OR notices.jurisdiction = p.jurisdiction)
    AND NOT EXISTS (SELECT 1 FROM json_each(notices.audience, '$.excludedUserIds') x WHERE x.value = p.account_id))`;

/**
 * Who a row reaches, in SQL: the same rule as reaches (recipients.ts), so the database filters and
 * limits instead of the API parsing every staff notice of a jurisdiction. An organisation's notice is
 * for its officers of the matching role; a staff notice for the roles it names, in its jurisdiction (or
 * every one), minus the people four eyes excludes, and, while someone it addresses holds a task on
 * its case, for the holders alone.
 */
const ADDRESSED = `
  (audience_kind IN ('pse', 'csp') AND audience_kind = @role AND organisation_id = @organisationId)
  OR (audience_kind = 'staff' AND @role NOT IN ('pse', 'csp')
      AND (jurisdiction = @jurisdiction OR jurisdiction IS NULL)
      AND EXISTS (SELECT 1 FROM json_each(audience, '$.roles') WHERE value = @role)
      AND NOT EXISTS (SELECT 1 FROM json_each(audience, '$.excludedUserIds') WHERE value = @userId)
      AND (${HELD_BY_ME} OR NOT ${HELD_BY_ANOTHER_ADDRESSED}))`;

const ORDER = 'ORDER BY created_at_ms DESC, id DESC LIMIT @limit';

function prepare(db: ReadModelDb) {
  return {
    list: db.prepare(`SELECT id, kind, subject, body, case_stream, created_at FROM notices WHERE ${ADDRESSED} ${ORDER}`) as Database.Statement<[Params], Row>,
    ids: db.prepare(`SELECT id FROM notices WHERE ${ADDRESSED} ${ORDER}`).pluck() as Database.Statement<[Params], string>,
  };
}

// Duck-typed: the driver's errors are not always instances of this realm's Error (jest's sandbox).
const isMissingTable = (error: unknown): boolean => /no such table: notice/.test(String((error as { message?: unknown } | null)?.message));

/**
 * A person's notices, newest first: their organisation's (an entity's officers, a provider's people),
 * or the staff notices of their role and jurisdiction that do not exclude them (four eyes), those
 * about a case whose task someone it addresses holds going to the holder alone (`holders`: the work
 * queue's claims, read at each call since claims change without events).
 *
 * The statements are prepared once, as soon as the notices table exists (the API may start before the
 * projector has created it); a rebuild that drops the table makes them prepare again.
 */
export function createInboxQueries(db: ReadModelDb, holders: () => readonly TaskHolder[] = () => []) {
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
      : {
          role: actor.role,
          organisationId: actor.organisationId ?? null,
          jurisdiction: actor.jurisdiction,
          userId: actor.userId,
          // Only staff notices are narrowed to holders: an organisation's inbox needs no claims read.
          holders: actor.role === 'pse' || actor.role === 'csp' ? '[]' : JSON.stringify(holders()),
          limit,
        };
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
