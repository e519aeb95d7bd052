import type { FastifyInstance } from 'fastify';
import { NOC_STATUSES } from '../../domain/noc/state';
import { JURISDICTIONS } from '../../domain/shared/vocabulary';
import type { NocRegisterRow, NocTaskKind, NocTaskRow } from '../../projections/noc/read-model';
import { actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { csrfField, formValues, selectField, textField } from '../forms';
import { html } from '../html';
import { label, page, when } from '../layout';

export const TASK_KINDS: readonly (readonly [NocTaskKind, string])[] = [
  ['review', 'Review'],
  ['decide', 'Decide'],
  ['decide-extension', 'Decide extension'],
  ['answer-information', 'Answer questions'],
];
const KIND_LABEL = Object.fromEntries(TASK_KINDS) as Record<NocTaskKind, string>;

interface QueueFilter {
  kind?: string;
  status?: string;
  jurisdiction?: string;
  /** A date (YYYY-MM-DD): tasks due before its start. */
  dueBefore?: string;
}

const NOTICES: Record<string, string> = {
  claimed: 'You have claimed the task.',
  released: 'You have released the task.',
  taken: 'Someone else claimed that task first.',
  gone: 'That task is no longer in your queue.',
};

function matches(task: NocTaskRow, row: NocRegisterRow | undefined, f: QueueFilter): boolean {
  if (f.kind && task.kind !== f.kind) return false;
  if (f.status && row?.status !== f.status) return false;
  if (f.jurisdiction && task.jurisdiction !== f.jurisdiction) return false;
  if (f.dueBefore && /^\d{4}-\d{2}-\d{2}$/.test(f.dueBefore)) {
    if (task.dueAt === null || task.dueAt >= `${f.dueBefore}T00:00:00.000Z`) return false;
  }
  return true;
}

export function queueRoutes(app: FastifyInstance, ctx: UiContext): void {
  const { nocQueries } = ctx.deps;

  app.get('/queue', async (request, reply) => {
    const actor = actorOf(request);
    const query = request.query as Record<string, string | undefined>;
    const filter: QueueFilter = { kind: query.kind, status: query.status, jurisdiction: query.jurisdiction, dueBefore: query.dueBefore };
    const all = nocQueries.queue(actor);
    const rows = new Map(all.map((t) => [t.nocId, nocQueries.get(actor, t.nocId)]));
    // Due first, soonest first; tasks without a due date after, oldest first.
    const tasks = all
      .filter((t) => matches(t, rows.get(t.nocId), filter))
      .sort((a, b) => (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || a.createdAt.localeCompare(b.createdAt));
    const claims = ctx.claims().forTasks(tasks.map((t) => t.taskId));
    const csrf = csrfOf(ctx, request);
    const mine = tasks.filter((t) => claims.get(t.taskId)?.claimedBy === actor.userId).length;
    const values = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>;

    const claimCell = (task: NocTaskRow) => {
      const claim = claims.get(task.taskId);
      if (!claim) {
        return html`<form class="inline" method="post" action="/ui/queue/claim">${csrfField(csrf)}
          <input type="hidden" name="taskId" value="${task.taskId}">
          <button type="submit" aria-label="Claim the ${KIND_LABEL[task.kind]} task of ${task.nocId}">Claim</button></form>`;
      }
      if (claim.claimedBy === actor.userId) {
        return html`<span>Claimed by you</span>
          <form class="inline" method="post" action="/ui/queue/release">${csrfField(csrf)}
          <input type="hidden" name="taskId" value="${task.taskId}">
          <button type="submit" class="secondary" aria-label="Release the ${KIND_LABEL[task.kind]} task of ${task.nocId}">Release</button></form>`;
      }
      return html`<span>Claimed by ${claim.claimedByName}</span>
        <button type="button" disabled aria-label="Claimed by ${claim.claimedByName}">Claim</button>`;
    };

    return sendPage(
      reply,
      page({
        title: 'My queue',
        actor,
        csrf,
        current: 'queue',
        notice: NOTICES[query.done ?? ''],
        head: html`<script src="/ui/static/queue-refresh.js" defer></script><noscript><meta http-equiv="refresh" content="15"></noscript>`,
        main: html`<h1>My queue</h1>
          <ul class="counts" aria-label="Counts">
            <li><strong>${tasks.length}</strong> ${tasks.length === 1 ? 'task' : 'tasks'}${tasks.length !== all.length ? html` (of ${all.length})` : ''}</li>
            ${TASK_KINDS.map(([kind, text]) => {
              const n = tasks.filter((t) => t.kind === kind).length;
              return n > 0 ? html`<li>${text}: <strong>${n}</strong></li>` : '';
            })}
            <li>Claimed by you: <strong>${mine}</strong></li>
          </ul>
          <form class="filters" method="get" action="/ui/queue" aria-label="Filter the queue">
            ${selectField({ form: 'q', name: 'kind', label: 'Task', values, errors: {}, options: TASK_KINDS, empty: 'Any' })}
            ${selectField({ form: 'q', name: 'status', label: 'Status', values, errors: {}, options: NOC_STATUSES.map((s) => [s, label(s)] as const), empty: 'Any' })}
            ${selectField({ form: 'q', name: 'jurisdiction', label: 'Jurisdiction', values, errors: {}, options: JURISDICTIONS.map((j) => [j, label(j)] as const), empty: 'Any' })}
            ${textField({ form: 'q', name: 'dueBefore', label: 'Due before', type: 'date', values, errors: {} })}
            <button type="submit">Filter</button> <a href="/ui/queue">Clear</a>
          </form>
          ${
            tasks.length === 0
              ? html`<p>Nothing is waiting for you${all.length > 0 ? ' with these filters' : ''}.</p>`
              : html`<table>
                  <caption>Open tasks, soonest due first</caption>
                  <thead><tr><th scope="col">NOC</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Entity</th>
                    <th scope="col">Jurisdiction</th><th scope="col">Due</th><th scope="col">Waiting since</th><th scope="col">Claim</th></tr></thead>
                  <tbody>${tasks.map((task) => {
                    const row = rows.get(task.nocId);
                    return html`<tr>
                      <td><a href="/ui/nocs/${encodeURIComponent(task.nocId)}">${task.nocId}</a>${row ? html`<br><span class="muted">${row.description}</span>` : ''}</td>
                      <td>${KIND_LABEL[task.kind]}</td>
                      <td>${row ? label(row.status) : '—'}</td>
                      <td>${row?.pseId ?? task.pseId ?? '—'}</td>
                      <td>${label(task.jurisdiction)}</td>
                      <td>${when(task.dueAt)}</td>
                      <td>${when(task.createdAt)}</td>
                      <td>${claimCell(task)}</td>
                    </tr>`;
                  })}</tbody>
                </table>`
          }`,
      }),
    );
  });

  /** Claims are only taken on tasks that are in the actor's own queue. */
  const taskOf = (request: Parameters<typeof actorOf>[0]): NocTaskRow | undefined => {
    const taskId = formValues(request.body).taskId;
    return nocQueries.queue(actorOf(request)).find((t) => t.taskId === taskId);
  };

  app.post('/queue/claim', async (request, reply) => {
    const actor = actorOf(request);
    const task = taskOf(request);
    if (!task) return seeOther(reply, '/ui/queue?done=gone');
    const outcome = ctx.claims().claim(task.taskId, task.nocId, actor, ctx.now().toISOString());
    return seeOther(reply, `/ui/queue?done=${outcome.ok ? 'claimed' : 'taken'}`);
  });

  app.post('/queue/release', async (request, reply) => {
    const actor = actorOf(request);
    const taskId = formValues(request.body).taskId ?? '';
    ctx.claims().release(taskId, actor);
    return seeOther(reply, '/ui/queue?done=released');
  });
}
