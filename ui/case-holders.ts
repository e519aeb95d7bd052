import { NOTE_READERS } from '../domain/notes';
import type { Actor } from '../domain/shared/actor';
import type { UiContext } from './context';
import { html, type SafeHtml } from './html';
import { label, when } from './layout';

/**
 * The kind of task a claim is on, from its task id: queue task ids are `<caseId>:<kind>:<revision>`,
 * a significant change's `change:<changeId>:<kind>`.
 */
export function taskKindOf(taskId: string, caseId: string): string {
  const rest = taskId.startsWith(`${caseId}:`) ? taskId.slice(caseId.length + 1) : taskId.startsWith(`change:${caseId}:`) ? taskId.slice(caseId.length + 8) : taskId;
  return rest.split(':')[0] ?? rest;
}

/**
 * Who holds the case's tasks now and every reassignment of them (the claim log): who held a task, who
 * took it over, which director moved it and why. For the office's staff and auditors, as the internal
 * notes are; claims are operational state, so this reads the tasklist, not the event log.
 */
export function holdersSection(ctx: UiContext, actor: Actor, caseId: string): SafeHtml {
  if (!NOTE_READERS.includes(actor.role)) return html``;
  const claims = ctx.claims();
  const held = claims.forCase(caseId);
  const moves = claims.reassignmentsOfCase(caseId);
  const names = new Map(ctx.deps.identity.listAccounts().map((a) => [a.id, a.displayName]));
  const nameOf = (userId: string): string => names.get(userId) ?? userId;
  return html`<h2 id="holders">Who holds its tasks</h2>
    ${
      held.length === 0
        ? html`<p>Nobody holds a task on this case now: it waits in the queue of everyone who may take it.</p>`
        : html`<ul>${held.map((c) => html`<li>${label(taskKindOf(c.taskId, caseId))}: held by ${c.claimedByName} since ${when(c.claimedAt)}</li>`)}</ul>`
    }
    <h3 id="reassignments">Reassignments</h3>
    ${
      moves.length === 0
        ? html`<p>No task on this case has been reassigned.</p>`
        : html`<table aria-labelledby="reassignments">
            <thead><tr><th scope="col">When</th><th scope="col">Task</th><th scope="col">Held by</th><th scope="col">Given to</th><th scope="col">Reassigned by</th><th scope="col">Reason</th></tr></thead>
            <tbody>${moves.map(
              (m) => html`<tr><td>${when(m.at)}</td><td>${label(taskKindOf(m.taskId, caseId))}</td><td>${nameOf(m.fromUserId)}</td><td>${nameOf(m.toUserId)}</td><td>${m.actorName}</td><td>${m.reason}</td></tr>`,
            )}</tbody>
          </table>`
    }`;
}
