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

interface OrganisationParams {
  role: string;
  organisationId: string;
  limit: number;
}

interface StaffParams {
  role: string;
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
 * A staff notice reaches the reader, in SQL: the same rule as reaches (recipients.ts). The roles it
 * names include the reader's, four eyes does not exclude them, and while someone it addresses holds a
 * task on its case it is for the holders alone. (Its jurisdiction is the reader's or every one: each
 * statement below picks one of the two by index.)
 */
const STAFF_REACHES = `
  EXISTS (SELECT 1 FROM json_each(notices.audience, '$.roles') WHERE value = @role)
  AND NOT EXISTS (SELECT 1 FROM json_each(notices.audience, '$.excludedUserIds') WHERE value = @userId)
  AND (@holders = '[]' OR ${HELD_BY_ME} OR NOT ${HELD_BY_ANOTHER_ADDRESSED})`;

const ORDER = 'ORDER BY created_at_ms DESC, id DESC LIMIT @limit';

/**
 * Each audience is read along its own index, newest first, stopping at the limit: an organisation's
 * notices by (audience_kind, organisation_id, created_at_ms), a person's staff notices as two such
 * walks of (audience_kind, jurisdiction, created_at_ms), their jurisdiction's and every jurisdiction's,
 * merged. The audience rule is evaluated only on the rows walked, not on every staff notice.
 */
function selectFor(columns: string): { organisation: string; staff: string } {
  const staffOf = (jurisdiction: string) =>
    `SELECT * FROM (SELECT ${columns}, created_at_ms FROM notices WHERE audience_kind = 'staff' AND ${jurisdiction} AND ${STAFF_REACHES} ${ORDER})`;
  return {
    organisation: `SELECT ${columns} FROM notices WHERE audience_kind = @role AND organisation_id = @organisationId ${ORDER}`,
    staff: `SELECT ${columns} FROM (${staffOf('jurisdiction = @jurisdiction')} UNION ALL ${staffOf('jurisdiction IS NULL')}) ${ORDER}`,
  };
}

function prepare(db: ReadModelDb) {
  const list = selectFor('id, kind, subject, body, case_stream, created_at');
  const ids = selectFor('id');
  return {
    organisationList: db.prepare(list.organisation) as Database.Statement<[OrganisationParams], Row>,
    staffList: db.prepare(list.staff) as Database.Statement<[StaffParams], Row>,
    organisationIds: db.prepare(ids.organisation).pluck() as Database.Statement<[OrganisationParams], string>,
    staffIds: db.prepare(ids.staff).pluck() as Database.Statement<[StaffParams], string>,
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
  const organisationOf = (actor: Actor, limit: number): OrganisationParams | undefined =>
    actor.organisationId === undefined ? undefined : { role: actor.role, organisationId: actor.organisationId, limit };
  const staffOf = (actor: Actor, limit: number): StaffParams => ({
    role: actor.role,
    jurisdiction: actor.jurisdiction,
    userId: actor.userId,
    holders: JSON.stringify(holders()),
    limit,
  });
  const isOrganisation = (actor: Actor): boolean => actor.role === 'pse' || actor.role === 'csp';
  // Prepared now when the table is there already: the first unread badge pays nothing extra.
  run(() => []);
  return {
    forActor(actor: Actor, limit = INBOX_LIMIT): InboxNotice[] {
      const rows = isOrganisation(actor)
        ? run((s) => {
            const p = organisationOf(actor, limit);
            return p ? s.organisationList.all(p) : [];
          })
        : run((s) => s.staffList.all(staffOf(actor, limit)));
      return rows.map((r) => ({ id: r.id, kind: r.kind, subject: r.subject, body: r.body, caseStream: r.case_stream, createdAt: r.created_at }));
    },
    /** The ids of the same notices as forActor, without their text: what counting unread needs. */
    idsForActor(actor: Actor, limit = INBOX_LIMIT): string[] {
      if (!isOrganisation(actor)) return run((s) => s.staffIds.all(staffOf(actor, limit)));
      return run((s) => {
        const p = organisationOf(actor, limit);
        return p ? s.organisationIds.all(p) : [];
      });
    },
  };
}

export type InboxQueries = ReturnType<typeof createInboxQueries>;
