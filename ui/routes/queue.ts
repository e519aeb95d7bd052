import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCREDITATION_CASE_STATUSES } from '../../domain/accreditation/state';
import { NOC_STATUSES } from '../../domain/noc/state';
import { JURISDICTIONS } from '../../domain/shared/vocabulary';
import type { NocTaskKind } from '../../projections/noc/read-model';
import type { AccreditationTaskKind } from '../../projections/accreditation/queue';
import { REVIEW_STATUSES } from '../../domain/compliance';
import type { ComplianceTaskKind } from '../../projections/compliance/tasks';
import { AUTOMATIC_REFRESH, actorOf, csrfOf, seeOther, sendPage, type UiContext } from '../context';
import { csrfField, formValues, selectField, textField } from '../forms';
import { html } from '../html';
import { label, page, when } from '../layout';
import { queueTasks, type QueueTask } from '../queue-tasks';
import { heldTasksSection, reassignRoutes, supervisedTasks, type RefusedReassignment } from './queue-reassign';

/** The dashboard's statuses of a significant change, as the queue's status filter offers them. */
const CHANGE_QUEUE_STATUSES = ['requested', 'recommended-approve', 'recommended-reject'] as const;

export const TASK_KINDS: readonly (readonly [NocTaskKind, string])[] = [
  ['review', 'Review'],
  ['decide', 'Decide'],
  ['decide-extension', 'Decide extension'],
  ['answer-information', 'Answer questions'],
];
/** Accreditation tasks; decide and answer-information share their label (and their filter value) with the NOC ones. */
export const ACCREDITATION_TASK_LABELS: Record<AccreditationTaskKind, string> = {
  screen: 'Screen',
  score: 'Score',
  'security-review': 'Security review',
  decide: 'Decide',
  'answer-information': 'Answer questions',
};
/** The staff's work on compliance reviews (projections/compliance/tasks.ts). */
export const REVIEW_TASK_LABELS: Record<ComplianceTaskKind, string> = {
  'request-evidence': 'Request evidence',
  assess: 'Assess review',
  'verify-remediation': 'Verify remediation',
  'decide-escalation': 'Decide escalation',
  'recommend-reinstatement': 'Recommend reinstatement',
};
/** A proposed framework version waits for a director other than its proposer. */
export const FRAMEWORK_TASK: readonly [string, string] = ['decide-framework', 'Decide framework version'];
/** A significant change waits for a reviewer's recommendation, then for a director's decision. */
export const CHANGE_TASK_LABELS = { 'recommend-change': 'Recommend change', 'decide-change': 'Decide change' } as const;
const ALL_KINDS: readonly (readonly [string, string])[] = [
  ...TASK_KINDS,
  ...(['screen', 'score', 'security-review'] as const).map((k) => [k, ACCREDITATION_TASK_LABELS[k]] as const),
  ...Object.entries(REVIEW_TASK_LABELS),
  FRAMEWORK_TASK,
  ...Object.entries(CHANGE_TASK_LABELS),
];
const KIND_LABEL = Object.fromEntries(ALL_KINDS) as Record<string, string>;
const CASE_KINDS = [
  ['noc', 'NOC'],
  ['accreditation', 'Accreditation'],
  ['review', 'Compliance review'],
  ['framework', 'Framework version'],
  ['change', 'Significant change'],
] as const;
const STATUSES = [...new Set<string>([...NOC_STATUSES, ...ACCREDITATION_CASE_STATUSES, ...REVIEW_STATUSES, 'proposed', ...CHANGE_QUEUE_STATUSES])].map((s) => [s, label(s)] as const);


interface QueueFilter {
  case?: string;
  kind?: string;
  status?: string;
  jurisdiction?: string;
  /** A date (YYYY-MM-DD): tasks due before its start. */
  dueBefore?: string;
  /** 'only': the tasks past their due date. */
  overdue?: string;
}

const NOTICES: Record<string, string> = {
  claimed: 'You have claimed the task.',
  released: 'You have released the task.',
  taken: 'Someone else claimed that task first.',
  gone: 'That task is no longer in your queue.',
  reassigned: 'The task has been reassigned.',
  moved: 'That task was released or reassigned meanwhile; nothing was changed.',
};

/** The same queue, flagged as a reload nobody asked for (see ui/queue-refresh.js). */
function automaticRefreshUrl(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  params.set(AUTOMATIC_REFRESH.name, AUTOMATIC_REFRESH.value);
  return `/ui/queue?${params.toString()}`;
}

function matches(task: QueueTask, f: QueueFilter): boolean {
  if (f.case && task.caseKind !== f.case) return false;
  if (f.kind && task.kind !== f.kind) return false;
  if (f.status && task.status !== f.status) return false;
  if (f.jurisdiction && task.jurisdiction !== f.jurisdiction) return false;
  if (f.overdue === 'only' && !task.overdue) return false;
  if (f.dueBefore && /^\d{4}-\d{2}-\d{2}$/.test(f.dueBefore)) {
    if (task.dueAt === null || task.dueAt >= `${f.dueBefore}T00:00:00.000Z`) return false;
  }
  return true;
}

export function queueRoutes(app: FastifyInstance, ctx: UiContext): void {
  const tasksOf = queueTasks(ctx);

  /** The queue; a refused reassignment is shown in its row with what was typed, and the page then does not refresh itself. */
  const renderQueue = async (request: FastifyRequest, reply: FastifyReply, refused?: RefusedReassignment, status = 200): Promise<FastifyReply> => {
    const actor = actorOf(request);
    const query = request.query as Record<string, string | undefined>;
    const filter: QueueFilter = { case: query.case, kind: query.kind, status: query.status, jurisdiction: query.jurisdiction, dueBefore: query.dueBefore, overdue: query.overdue };
    const all = await tasksOf(actor);
    // Overdue first, then soonest due; tasks without a due date after, oldest first.
    const tasks = all
      .filter((t) => matches(t, filter))
      .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff') || (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
    const claims = ctx.claims().forTasks(tasks.map((t) => t.taskId));
    const csrf = csrfOf(ctx, request);
    const mine = tasks.filter((t) => claims.get(t.taskId)?.claimedBy === actor.userId).length;
    const overdue = tasks.filter((t) => t.overdue).length;
    // A director supervises the queue: the tasks others hold, with a form to hand each to someone else.
    const supervised = await supervisedTasks(ctx, actor, tasksOf);
    const values = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)) as Record<string, string>;

    const claimCell = (task: QueueTask) => {
      const claim = claims.get(task.taskId);
      if (!claim) {
        return html`<form class="inline" method="post" action="/ui/queue/claim">${csrfField(csrf)}
          <input type="hidden" name="taskId" value="${task.taskId}">
          <button type="submit" aria-label="Claim the ${KIND_LABEL[task.kind]} task of ${task.caseId}">Claim</button></form>`;
      }
      if (claim.claimedBy === actor.userId) {
        return html`<span>Claimed by you</span>
          <form class="inline" method="post" action="/ui/queue/release">${csrfField(csrf)}
          <input type="hidden" name="taskId" value="${task.taskId}">
          <button type="submit" class="secondary" aria-label="Release the ${KIND_LABEL[task.kind]} task of ${task.caseId}">Release</button></form>`;
      }
      // No disabled Claim button: it could not be reached by keyboard, and its name would not match its text.
      return html`<span>Claimed by ${claim.claimedByName}</span>`;
    };

    return sendPage(
      reply,
      page({
        title: 'My queue',
        actor,
        csrf,
        current: 'queue',
        notice: NOTICES[query.done ?? ''],
        head: refused
          ? html``
          : html`<script src="/ui/static/queue-refresh.js" defer></script><noscript><meta http-equiv="refresh" content="15; url=${automaticRefreshUrl(query)}"></noscript>`,
        main: html`<h1>My queue</h1>
          <ul class="counts" aria-label="Counts">
            <li><strong>${tasks.length}</strong> ${tasks.length === 1 ? 'task' : 'tasks'}${tasks.length !== all.length ? html` (of ${all.length})` : ''}</li>
            ${ALL_KINDS.map(([kind, text]) => {
              const n = tasks.filter((t) => t.kind === kind).length;
              return n > 0 ? html`<li>${text}: <strong>${n}</strong></li>` : '';
            })}
            <li>Claimed by you: <strong>${mine}</strong></li>
            ${overdue > 0 ? html`<li class="overdue">Overdue: <strong>${overdue}</strong></li>` : ''}
          </ul>
          <form class="filters" method="get" action="/ui/queue" aria-label="Filter the queue">
            ${selectField({ form: 'q', name: 'case', label: 'Case', values, errors: {}, options: CASE_KINDS, empty: 'Any' })}
            ${selectField({ form: 'q', name: 'kind', label: 'Task', values, errors: {}, options: ALL_KINDS, empty: 'Any' })}
            ${selectField({ form: 'q', name: 'status', label: 'Status', values, errors: {}, options: STATUSES, empty: 'Any' })}
            ${selectField({ form: 'q', name: 'jurisdiction', label: 'Jurisdiction', values, errors: {}, options: JURISDICTIONS.map((j) => [j, label(j)] as const), empty: 'Any' })}
            ${textField({ form: 'q', name: 'dueBefore', label: 'Due before', type: 'date', values, errors: {} })}
            ${selectField({ form: 'q', name: 'overdue', label: 'Overdue', values, errors: {}, options: [['only', 'Overdue only']], empty: 'Any' })}
            <button type="submit">Filter</button> <a href="/ui/queue">Clear</a>
          </form>
          ${
            tasks.length === 0
              ? html`<p>Nothing is waiting for you${all.length > 0 ? ' with these filters' : ''}.</p>`
              : html`<table>
                  <caption>Open tasks, overdue first, then soonest due</caption>
                  <thead><tr><th scope="col">Case</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Entity or CSP</th>
                    <th scope="col">Jurisdiction</th><th scope="col">Due</th><th scope="col">Waiting since</th><th scope="col">Claim</th></tr></thead>
                  <tbody>${tasks.map(
                    (task) => html`<tr${task.overdue ? html` class="overdue"` : ''}>
                      <td><a href="${task.href}">${task.caseId}</a>${task.about ? html`<br><span class="muted">${task.about}</span>` : ''}</td>
                      <td>${KIND_LABEL[task.kind]}</td>
                      <td>${task.status ? label(task.status) : '—'}</td>
                      <td>${task.party}</td>
                      <td>${label(task.jurisdiction)}</td>
                      <td>${when(task.dueAt)}${task.overdue ? html` <strong class="overdue-flag">Overdue</strong>` : ''}</td>
                      <td>${when(task.createdAt)}</td>
                      <td>${claimCell(task)}</td>
                    </tr>`,
                  )}</tbody>
                </table>`
          }
          ${supervised.length === 0 ? '' : heldTasksSection(csrf, supervised, KIND_LABEL, refused)}`,
      }),
      status,
    );
  };

  app.get('/queue', async (request, reply) => renderQueue(request, reply));

  reassignRoutes(app, ctx, tasksOf, renderQueue);

  /** Claims are only taken on tasks that are in the actor's own queue; the claim is keyed by the case's id. */
  const taskOf = async (request: Parameters<typeof actorOf>[0]): Promise<QueueTask | undefined> => {
    const taskId = formValues(request.body).taskId;
    return (await tasksOf(actorOf(request))).find((t) => t.taskId === taskId);
  };

  app.post('/queue/claim', async (request, reply) => {
    const actor = actorOf(request);
    const task = await taskOf(request);
    if (!task) return seeOther(reply, '/ui/queue?done=gone');
    const outcome = ctx.claims().claim(task.taskId, task.caseId, actor, ctx.now().toISOString());
    return seeOther(reply, `/ui/queue?done=${outcome.ok ? 'claimed' : 'taken'}`);
  });

  app.post('/queue/release', async (request, reply) => {
    const actor = actorOf(request);
    const taskId = formValues(request.body).taskId ?? '';
    ctx.claims().release(taskId, actor);
    return seeOther(reply, '/ui/queue?done=released');
  });
}
