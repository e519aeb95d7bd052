import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../../api/deps';
import type { ChangeKind } from '../../projections/accreditation/accredited-list';
import type { AccreditationChangeRow } from '../../projections/accreditation/queries';
import { label } from '../layout';
import { element, xmlDocument, type XmlElement } from '../xml';

/**
 * The accredited list's changes as an Atom feed (RFC 4287), for anyone to subscribe to: one entry per
 * entry of the change log, newest first. An entry's id is its event's id (a UUID), so a reader that
 * has seen an entry never sees it again as new, whatever the server's address.
 */
export const FEED_PATH = '/accredited-list/changes.atom';
export const FEED_TYPE = 'application/atom+xml';
const FEED_SIZE = 100;
const OFFERING_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** What happened, as a title reads: "Sovereign Gov Cloud suspended". */
export const KIND_TEXT: Record<ChangeKind, string> = {
  granted: 'accredited',
  renewed: 'accreditation renewed',
  suspended: 'suspended',
  reinstated: 'reinstated',
  revoked: 'accreditation revoked',
  expired: 'accreditation expired',
  withdrawn: 'accreditation withdrawn',
  changed: 'changed',
};

/** A name-based UUID for a feed, so the feed keeps its id when the server moves. */
function feedUuid(name: string): string {
  const hex = createHash('sha1').update(`cloud-office:feed:${name}`).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export const offeringPath = (offeringId: string): string => `/offerings/${encodeURIComponent(offeringId)}`;

/** The entry's summary: the reason in the decider's words, then what it means for the list. */
export function changeSummary(c: AccreditationChangeRow): string {
  const parts = [c.reasons.trim().replace(/\.$/, '') + '.'];
  if (c.from !== c.to) parts.push(`Status: ${c.from === null ? 'not accredited' : c.from} → ${c.to}.`);
  if (c.validUntil) parts.push(`Valid until ${c.validUntil}.`);
  if (c.transitionUntil) parts.push(`Nothing new may go on it; workloads already on it must leave by ${c.transitionUntil}.`);
  parts.push(`Decided by ${c.decidedBy.name ?? 'an unnamed person'} (${c.decidedBy.role}).`);
  return parts.join(' ');
}

export interface FeedOptions {
  /** The address the feed's links start with (PUBLIC_URL), without a trailing slash. */
  base: string;
  /** The feed of one offering's changes only. */
  offeringId?: string;
  /** The feed's updated when it has no entry. */
  now: string;
}

function entry(c: AccreditationChangeRow, base: string): XmlElement {
  return element(
    'entry',
    {},
    element('id', {}, `urn:uuid:${c.eventId}`),
    element('title', { type: 'text' }, `${c.offeringName} ${KIND_TEXT[c.kind]}`),
    element('updated', {}, c.at),
    element('published', {}, c.at),
    element('link', { rel: 'alternate', type: 'text/html', href: `${base}${offeringPath(c.offeringId)}` }),
    element('category', { term: c.kind, label: label(c.kind) }),
    element('summary', { type: 'text' }, changeSummary(c)),
  );
}

/** The feed document; `rows` newest first. */
export function changesFeed(rows: readonly AccreditationChangeRow[], options: FeedOptions): string {
  const { base, offeringId } = options;
  const query = offeringId === undefined ? '' : `?offering=${encodeURIComponent(offeringId)}`;
  const title = offeringId === undefined ? 'Changes to the accredited list' : `Changes to the accreditation of ${rows[0]?.offeringName ?? offeringId}`;
  return xmlDocument(
    element(
      'feed',
      { xmlns: 'http://www.w3.org/2005/Atom', 'xml:lang': 'en' },
      element('id', {}, `urn:uuid:${feedUuid(offeringId === undefined ? 'accredited-list' : `offering:${offeringId}`)}`),
      element('title', { type: 'text' }, `${title} · Cloud Office`),
      element('subtitle', { type: 'text' }, 'Grants, renewals, suspensions, reinstatements, revocations, expiries, withdrawals and changes of accredited cloud offerings, with the reasons given.'),
      element('updated', {}, rows[0]?.at ?? options.now),
      element('link', { rel: 'self', type: FEED_TYPE, href: `${base}${FEED_PATH}${query}` }),
      element('link', { rel: 'alternate', type: 'text/html', href: offeringId === undefined ? `${base}/accredited-list/changes` : `${base}${offeringPath(offeringId)}` }),
      element('author', {}, element('name', {}, 'Cloud Office')),
      ...rows.map((c) => entry(c, base)),
    ),
  );
}

export function changesFeedRoute(app: FastifyInstance, deps: ApiDeps): void {
  app.get(FEED_PATH, async (request, reply) => {
    const queries = deps.publicQueries;
    if (!queries) return reply.code(503).type('text/plain; charset=utf-8').send('The public register is not available on this server just now.');
    const asked = (request.query as Record<string, unknown>).offering;
    const offeringId = typeof asked === 'string' && OFFERING_ID.test(asked) ? asked : undefined;
    const rows = queries.changes({ offeringId, limit: FEED_SIZE, offset: 0 });
    const base = deps.config.api.publicUrl.replace(/\/+$/, '');
    return reply
      .type(`${FEED_TYPE}; charset=utf-8`)
      .send(changesFeed(rows, { base, now: new Date().toISOString(), ...(offeringId === undefined ? {} : { offeringId }) }));
  });
}
