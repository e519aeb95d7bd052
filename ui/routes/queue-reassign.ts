import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf } from '../../api/errors';
import { z } from 'zod';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { Role } from '../../domain/shared/vocabulary';
import type { Claim, Reassignment } from '../claims';
import { actorOf, seeOther, type UiContext } from '../context';
import { csrfField, errorSummary, formValues, type FormErrors, type FormValues } from '../forms';
import { html, type SafeHtml } from '../html';
import { when } from '../layout';
import type { QueueTask } from '../queue-tasks';

/** The roles whose queues hold the office's own work; a task is only ever handed to one of them. */
const QUEUE_ROLES: readonly Role[] = ['reviewer', 'security-reviewer', 'director', 'provincial-officer'];

/** A task someone holds, and the people it could go to instead. */
export interface SupervisedTask {
  task: QueueTask;
  claim: Claim;
  eligible: Actor[];
  /** How the holder came by the task when a director handed it to them: by whom, when and why. */
  handedOver?: Reassignment;
}

type TasksOf = (actor: Actor) => Promise<QueueTask[]>;

/** A reassignment refused for what the form said: the row's form is shown again with what was chosen and typed. */
export interface RefusedReassignment {
  taskId: string;
  from: string;
  values: FormValues;
  errors: FormErrors;
}
type QueueRenderer = (request: FastifyRequest, reply: FastifyReply, refused: RefusedReassignment, status: number) => Promise<FastifyReply>;

/** The active staff who work queues, as the actors their own queues are computed for. */
function queueStaff(ctx: UiContext): Actor[] {
  return ctx.deps.identity
    .listAccounts()
    .filter((a) => a.status === 'active' && !a.disabled && QUEUE_ROLES.includes(a.role))
    .map((a) => ({ userId: a.id, name: a.displayName, role: a.role, jurisdiction: a.jurisdiction }));
}

/**
 * Directors supervise the queues (SPEC: directors decide, and federal directors see every province's
 * cases): every held task, with whoever else has it in their own queue. A person's own queue already
 * applies role, jurisdiction and four eyes, so eligibility is exactly "the task is in their queue".
 */
export async function supervisedTasks(ctx: UiContext, actor: Actor, tasksOf: TasksOf): Promise<SupervisedTask[]> {
  if (actor.role !== 'director') return [];
  const staff = queueStaff(ctx);
  const byTask = new Map<string, { task: QueueTask; holders: Actor[] }>();
  for (const person of staff) {
    for (const task of await tasksOf(person)) {
      const entry = byTask.get(task.taskId) ?? { task, holders: [] };
      entry.holders.push(person);
      byTask.set(task.taskId, entry);
    }
  }
  const claims = ctx.claims().forTasks([...byTask.keys()]);
  return [...byTask.values()]
    .flatMap(({ task, holders }) => {
      const claim = claims.get(task.taskId);
      if (!claim) return [];
      const handedOver = ctx.claims().reassignments(task.taskId).filter((r) => r.toUserId === claim.claimedBy && r.at >= claim.claimedAt).at(-1);
      return [{ task, claim, eligible: holders.filter((p) => p.userId !== claim.claimedBy), ...(handedOver ? { handedOver } : {}) }];
    })
    .sort((a, b) => Number(b.task.overdue) - Number(a.task.overdue) || (a.task.dueAt ?? '\uffff').localeCompare(b.task.dueAt ?? '\uffff'));
}

/** The director's table of held tasks, each with a form to hand it to someone eligible, and why. */
export function heldTasksSection(csrf: string, supervised: readonly SupervisedTask[], kindLabel: Record<string, string>, refused?: RefusedReassignment): SafeHtml {
  const formId = (taskId: string): string => `reassign-${taskId.replace(/[^A-Za-z0-9-]/g, '-')}`;
  return html`<h2 id="held">Tasks held by staff</h2>
    ${refused ? errorSummary(formId(refused.taskId), refused.errors) : ''}
    <table aria-labelledby="held">
      <thead><tr><th scope="col">Case</th><th scope="col">Task</th><th scope="col">Held by</th><th scope="col">Due</th><th scope="col">Reassign</th></tr></thead>
      <tbody>${supervised.map(({ task, claim, eligible, handedOver }) => {
        const id = formId(task.taskId);
        const mine = refused?.taskId === task.taskId && refused.from === claim.claimedBy ? refused : undefined;
        const values = mine?.values ?? {};
        const errors = mine?.errors ?? {};
        const field = (name: string): { error: SafeHtml; attributes: SafeHtml } =>
          errors[name]
            ? { error: html`<p class="field-error" id="${id}-${name}-error">${errors[name]}</p>`, attributes: html` aria-describedby="${id}-${name}-error" aria-invalid="true"` }
            : { error: html``, attributes: html`` };
        const to = field('to');
        const reason = field('reason');
        return html`<tr${task.overdue ? html` class="overdue"` : ''}>
          <td><a href="${task.href}">${task.caseId}</a></td>
          <td>${kindLabel[task.kind] ?? task.kind}</td>
          <td>${claim.claimedByName}<br><span class="muted">since ${when(claim.claimedAt)}</span>${
            handedOver ? html`<br><span class="reassigned">Reassigned by ${handedOver.actorName}: ${handedOver.reason}</span>` : ''
          }</td>
          <td>${when(task.dueAt)}${task.overdue ? html` <strong class="overdue-flag">Overdue</strong>` : ''}</td>
          <td>${
            eligible.length === 0
              ? html`<span>Nobody else may take this task.</span>`
              : html`<form method="post" action="/ui/queue/reassign">${csrfField(csrf)}
                  <input type="hidden" name="taskId" value="${task.taskId}">
                  <input type="hidden" name="from" value="${claim.claimedBy}">
                  <label for="${id}-to">Give to</label>${to.error}
                  <select id="${id}-to" name="to" required${to.attributes}>${eligible.map(
                    (p) => html`<option value="${p.userId}"${values.to === p.userId ? html` selected` : ''}>${p.name}</option>`,
                  )}</select>
                  <label for="${id}-reason">Reason</label>${reason.error}
                  <input id="${id}-reason" name="reason" type="text" value="${values.reason ?? ''}" required maxlength="500"${reason.attributes}>
                  <button type="submit">Reassign</button></form>`
          }</td>
        </tr>`;
      })}</tbody>
    </table>`;
}

const ReassignForm = z.object({
  taskId: z.string().min(1, 'name the task'),
  from: z.string().min(1, 'name who holds the task'),
  to: z.string().min(1, 'choose who takes the task'),
  reason: z.string().trim().min(1, 'say why the task moves').max(500, 'at most 500 characters'),
});
const FIELD_LABELS: Record<string, string> = { to: 'Give to', reason: 'Reason' };

/**
 * A refusal for what the person chose or typed comes back on the queue, in the task's row, with what
 * was chosen and typed; a form that names no task or holder was not sent from the page, and is refused
 * outright. A task released or reassigned meanwhile is not an error: the queue says so.
 */
export function reassignRoutes(app: FastifyInstance, ctx: UiContext, tasksOf: TasksOf, render: QueueRenderer): void {
  app.post('/queue/reassign', async (request, reply) => {
    const actor = actorOf(request);
    if (actor.role !== 'director') throw new DomainError('ROLE_NOT_ALLOWED', 'Tasks are reassigned by a director');
    const values = formValues(request.body);
    const parsed = ReassignForm.safeParse(values);
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'form');
    if (issue && !(field in FIELD_LABELS)) throw new DomainError('VALIDATION_FAILED', `${field}: ${issue.message}`);
    const taskId = values.taskId ?? '';
    const from = values.from ?? '';
    const held = (await supervisedTasks(ctx, actor, tasksOf)).find((s) => s.task.taskId === taskId && s.claim.claimedBy === from);
    if (!held) return seeOther(reply, '/ui/queue?done=moved');
    const refuse = (errors: FormErrors, status: number) => render(request, reply, { taskId, from, values, errors }, status);
    if (!parsed.success) return refuse({ [field]: `${FIELD_LABELS[field]}: ${issue?.message ?? 'invalid'}` }, 400);
    const form = parsed.data;
    const target = held.eligible.find((p) => p.userId === form.to);
    if (!target) {
      const staff = queueStaff(ctx);
      const refused = refusal(staff.find((p) => p.userId === form.to), staff.find((p) => p.userId === form.from), held.task);
      request.uiRefusal = refused.code;
      return refuse({ to: refused.message }, statusOf(refused));
    }
    const at = ctx.now().toISOString();
    const moved = ctx.claims().reassign(
      { taskId: held.task.taskId, caseId: held.task.caseId, fromUserId: form.from, toUserId: target.userId, actorId: actor.userId, actorName: actor.name, reason: form.reason, at },
      target,
    );
    if (!moved) return seeOther(reply, '/ui/queue?done=moved');
    request.log.info({ taskId: held.task.taskId, caseId: held.task.caseId, from: form.from, to: target.userId, by: actor.userId, reason: form.reason }, 'task reassigned');
    return seeOther(reply, '/ui/queue?done=reassigned');
  });
}

/**
 * Why the chosen person may not take the task: of the right role and jurisdiction (as the holder, who
 * had it in their queue), the only thing left that keeps it from their queue is four eyes.
 */
function refusal(person: Actor | undefined, holder: Actor | undefined, task: QueueTask): DomainError {
  if (!person || person.role !== holder?.role) return new DomainError('ROLE_NOT_ALLOWED', 'That person may not take this task: it is not work of their role');
  if (person.jurisdiction !== task.jurisdiction && person.jurisdiction !== holder.jurisdiction) return new DomainError('OUTSIDE_JURISDICTION', 'That person may not take this task: the case is outside their jurisdiction');
  return new DomainError('FOUR_EYES_VIOLATION', 'That person may not take this task: they already acted on this case (four eyes)');
}
