import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../domain/shared/errors';
import { positionFromString, positionToString, type Position, type RecordedEvent } from '../../eventstore/port';
import { actorOf, csrfOf, sendPage, type UiContext } from '../context';
import { textField } from '../forms';
import { html } from '../html';
import { page, when } from '../layout';
import { describeEvent } from '../timeline';

const PAGE_SIZE = 100;
/** How far one page request reads through the log looking for matches before it stops and offers "more". */
const SCAN_LIMIT = 5000;

interface LogFilter {
  stream?: string;
  type?: string;
  actor?: string;
  /** Dates (YYYY-MM-DD), inclusive. */
  from?: string;
  to?: string;
}

/** The auditor's global event log: every stream, in log order, filtered and paged by log position. */
export function auditRoutes(app: FastifyInstance, ctx: UiContext): void {
  const store = ctx.deps.eventStore;
  app.get('/audit/log', async (request, reply) => {
    const actor = actorOf(request);
    if (actor.role !== 'auditor') throw new DomainError('ROLE_NOT_ALLOWED', 'The event log is for auditors');
    if (!store.readAll) throw new DomainError('UNAVAILABLE', 'This server was started without access to the whole event log');
    const q = request.query as Record<string, string | undefined>;
    const f: LogFilter = {};
    const values: Record<string, string> = {};
    for (const key of ['stream', 'type', 'actor', 'from', 'to'] as const) {
      const v = (q[key] ?? '').trim();
      if (v !== '' && v.length <= 200) {
        f[key] = v;
        values[key] = v;
      }
    }
    let after: Position | undefined;
    if (q.after && /^\d+\/\d+$/.test(q.after)) after = positionFromString(q.after);
    const fromIso = f.from && /^\d{4}-\d{2}-\d{2}$/.test(f.from) ? `${f.from}T00:00:00.000Z` : undefined;
    const toIso = f.to && /^\d{4}-\d{2}-\d{2}$/.test(f.to) ? `${f.to}T23:59:59.999Z` : undefined;
    const wanted = (e: RecordedEvent) =>
      (!f.stream || e.stream.includes(f.stream)) &&
      (!f.type || e.type.toLowerCase().includes(f.type.toLowerCase())) &&
      (!f.actor ||
        (e.metadata.actor?.name ?? '').toLowerCase().includes(f.actor.toLowerCase()) ||
        e.metadata.actor?.userId === f.actor) &&
      (!fromIso || e.recordedAt >= fromIso) &&
      (!toIso || e.recordedAt <= toIso);

    const scanned = await store.readAll({ after, maxCount: SCAN_LIMIT });
    const matches = [];
    let next: Position | undefined;
    for (const event of scanned) {
      if (wanted(event)) matches.push(event);
      if (matches.length === PAGE_SIZE) {
        next = event.position;
        break;
      }
    }
    if (next === undefined && scanned.length === SCAN_LIMIT) next = scanned[scanned.length - 1]?.position;
    const moreLink = next ? `/ui/audit/log?${new URLSearchParams({ ...values, after: positionToString(next) }).toString()}` : undefined;

    return sendPage(
      reply,
      page({
        title: 'Event log',
        actor,
        csrf: csrfOf(ctx, request),
        current: 'audit',
        main: html`<h1>Event log</h1>
          <p>Every event of every case, in the order the event store recorded them.</p>
          <form class="filters" method="get" action="/ui/audit/log" aria-label="Filter the event log">
            ${textField({ form: 'log', name: 'stream', label: 'Stream contains', values, errors: {} })}
            ${textField({ form: 'log', name: 'type', label: 'Event type contains', values, errors: {} })}
            ${textField({ form: 'log', name: 'actor', label: 'Actor (name or id)', values, errors: {} })}
            ${textField({ form: 'log', name: 'from', label: 'From', type: 'date', values, errors: {} })}
            ${textField({ form: 'log', name: 'to', label: 'To', type: 'date', values, errors: {} })}
            <button type="submit">Filter</button> <a href="/ui/audit/log">Clear</a>
          </form>
          ${
            matches.length === 0
              ? html`<p>No event matches${after ? ' after this point' : ''}.</p>`
              : html`<table>
                  <caption>${matches.length} event${matches.length === 1 ? '' : 's'}</caption>
                  <thead><tr><th scope="col">Position</th><th scope="col">Recorded</th><th scope="col">Stream</th><th scope="col">Event</th><th scope="col">By</th></tr></thead>
                  <tbody>${matches.map((e) => {
                    const nocId = e.stream.startsWith('noc-') ? e.stream.slice(4) : undefined;
                    return html`<tr>
                      <td>${positionToString(e.position)}</td>
                      <td>${when(e.recordedAt)}</td>
                      <td>${nocId ? html`<a href="/ui/nocs/${encodeURIComponent(nocId)}">${e.stream}</a>` : e.stream} #${e.revision}</td>
                      <td>${e.type}<br><span class="muted">${describeEvent(e.type, e.data)}</span></td>
                      <td>${e.metadata.actor ? html`${e.metadata.actor.name ?? e.metadata.actor.userId} <span class="muted">(${e.metadata.actor.role})</span>` : '—'}</td>
                    </tr>`;
                  })}</tbody>
                </table>`
          }
          ${moreLink ? html`<p><a href="${moreLink}">Later events</a></p>` : ''}`,
      }),
    );
  });
}
