import { CheckAnswer, ProcurementQuery, entityAnswer, plainProcurementQuery, publicAnswer } from '../../domain/procurement';
import type { FastifyReply } from 'fastify';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { AccreditedListRow } from '../../projections/accreditation/queries';
import type { PublicQueries } from '../../projections/procurement/queries';
import { bearerToken } from '../auth';
import type { ApiDeps } from '../deps';
import { defineRoute, type AnyRoute } from '../route';
import {
  AccreditationChanges,
  AccreditationChangesQuery,
  AccreditedList,
  AccreditedListQuery,
  OfferingParams,
  OfferingRecordSchema,
} from '../schemas/public';

/** The public read side (SPEC §5): no login, answered from the read models only. */

export const CSV_COLUMNS = [
  'offeringId',
  'offeringName',
  'cspId',
  'cspName',
  'deploymentModel',
  'serviceModels',
  'dataCentres',
  'status',
  'baseline',
  'highestDataClass',
  'accreditedSince',
  'validFrom',
  'validUntil',
  'conditions',
] as const;

/**
 * One CSV field. Quoted when it holds a separator, quote or line break; a leading = + - @ is
 * defused with an apostrophe, since offering names come from CSPs and spreadsheets run formulas.
 */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvCells(row: AccreditedListRow): Record<(typeof CSV_COLUMNS)[number], string> {
  return {
    offeringId: row.offeringId,
    offeringName: row.offeringName,
    cspId: row.cspId,
    cspName: row.cspName ?? '',
    deploymentModel: row.deploymentModel,
    serviceModels: row.serviceModels.join(' '),
    dataCentres: row.dataCentres.map((dc) => `${dc.city} (${dc.country})`).join('; '),
    status: row.status,
    baseline: row.baseline,
    highestDataClass: row.highestDataClass,
    accreditedSince: row.accreditedSince,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    conditions: row.conditions.join('; '),
  };
}

/** RFC 4180: a header line, then one line per row, CRLF-terminated. */
export function accreditedListCsv(rows: readonly AccreditedListRow[]): string {
  const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((c) => csvField(csvCells(row)[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Without its read models the server cannot answer these questions; it says so rather than guess. */
export function publicQueriesOf(deps: ApiDeps): PublicQueries {
  if (!deps.publicQueries) throw new DomainError('UNAVAILABLE', 'The public read models are not available on this server');
  return deps.publicQueries;
}

/**
 * Whether the caller is an officer of the entity asked about: then the check shows that entity's own
 * NOCs. Sending no token is fine (the public answer); sending a token that does not work is an error,
 * so nobody mistakes the public answer for their own.
 */
async function ownEntity(deps: ApiDeps, authorization: string, pseId: string): Promise<boolean> {
  const token = bearerToken(authorization);
  const actor: Actor | undefined = token === undefined ? undefined : await deps.identity.authenticate(token);
  if (actor === undefined) throw new DomainError('UNAUTHENTICATED', 'The token is unknown, expired or revoked; log in again, or ask without one');
  return actor.role === 'pse' && actor.organisationId === pseId;
}

/** The check's answer, the entity's own (`own`) or the public one. */
function checkAnswer(queries: PublicQueries, query: ProcurementQuery, now: string, own: boolean, reply: FastifyReply): unknown {
  if (own) reply.header('cache-control', 'private, no-store');
  const detail = own ? 'entity' : 'public';
  // The hottest read: the index keeps each answer serialised, so nothing per request grows with history.
  if (queries.procurementCheckJson) return reply.type('application/json; charset=utf-8').send(queries.procurementCheckJson(query, now, detail));
  const answer = queries.procurementCheck(query, now);
  return own ? entityAnswer(answer) : publicAnswer(answer);
}

// The clock as an ISO instant, written out once per millisecond: at thousands of checks a second,
// several in a row ask within the same one.
let clockMs = Number.NaN;
let clockIso = '';
function clockNow(): string {
  const ms = Date.now();
  if (ms !== clockMs) {
    clockMs = ms;
    clockIso = new Date(ms).toISOString();
  }
  return clockIso;
}

export function publicRoutes(deps: ApiDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/accredited-list',
      operationId: 'accreditedList',
      summary: 'The public list of accredited offerings (accredited or suspended), by offering name',
      description: 'With `format=csv` the same rows come as text/csv, one line per offering, lists joined with "; ".',
      tag: 'public',
      auth: 'public',
      query: AccreditedListQuery,
      status: 200,
      response: AccreditedList,
      alsoAs: ['text/csv'],
      errors: [503],
      handler({ query, reply }) {
        const items = publicQueriesOf(deps).list();
        if (query.format === 'csv') {
          reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="accredited-list.csv"');
          return accreditedListCsv(items);
        }
        return { items };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/accredited-list/changes',
      operationId: 'accreditedListChanges',
      summary: 'The log of changes to the accredited list (granted, renewed, suspended, reinstated, revoked, expired, withdrawn, and changes of a listed offering), newest first',
      description: 'Each entry carries the id of the event it records (`eventId`, stable) and its `kind`; the same entries are the Atom feed at /accredited-list/changes.atom.',
      tag: 'public',
      auth: 'public',
      query: AccreditationChangesQuery,
      status: 200,
      response: AccreditationChanges,
      errors: [503],
      handler({ query }) {
        const items = publicQueriesOf(deps).changes({ offeringId: query.offering, limit: query.limit, offset: query.offset });
        return { items, limit: query.limit, offset: query.offset };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/offerings/:offeringId',
      operationId: 'offeringRecord',
      summary: 'An offering that is or was on the accredited list: its provider, the accreditation it holds, and every change, newest first',
      description: 'An offering that was never accredited is not public: 404.',
      tag: 'public',
      auth: 'public',
      params: OfferingParams,
      status: 200,
      response: OfferingRecordSchema,
      errors: [404, 503],
      handler({ params }) {
        const record = publicQueriesOf(deps).offering(params.offeringId);
        if (record === undefined) throw new DomainError('OFFERING_NOT_FOUND', `No offering ${params.offeringId} is or was on the accredited list`);
        return record;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/procurement-check',
      operationId: 'procurementCheck',
      summary: 'May entity `pse` put `dataClass` data on `offering` at instant `at` (default: now)? Allowed, allowed by a NOC, or denied, with every reason',
      description:
        'Answered from the facts as they stood at `at`: a later suspension does not change what was allowed before it. ' +
        'Anyone learns the rule, the offering’s standing and whether a NOC in force covers the question (until when); ' +
        'an officer of the entity, sending its bearer token, also sees the entity’s own NOCs (`detail: "entity"`).',
      tag: 'public',
      auth: 'public',
      query: ProcurementQuery,
      plainQuery: plainProcurementQuery,
      status: 200,
      response: CheckAnswer,
      errors: [401, 503],
      // The hottest public read, asked by anyone without an account: a line per answer would cost more
      // than the answer and record nothing about a person; refusals (a bad token) and errors are kept.
      logLevel: 'warn',
      handler({ query, request, reply }) {
        const queries = publicQueriesOf(deps);
        const now = clockNow();
        // The answer depends on who asks: no shared cache may hand one entity's view to another.
        reply.header('vary', 'authorization');
        // Most questions come without a token: answered at once, with no session lookup nor promise to wait for.
        const authorization = request.headers.authorization;
        if (authorization === undefined) return checkAnswer(queries, query, now, false, reply);
        return ownEntity(deps, authorization, query.pse).then((own) => checkAnswer(queries, query, now, own, reply));
      },
    }),
  ];
}
