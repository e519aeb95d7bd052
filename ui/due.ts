import { isOverdue, taskDueAt, type ServiceLevelTask } from '../domain/shared/service-levels';
import type { UiContext } from './context';
import { html, type SafeHtml } from './html';
import { when } from './layout';

/** "Due …" by the task's service level, and "Overdue" in words once that has passed, for waiting work outside the queue. */
export function dueMark(ctx: UiContext, task: ServiceLevelTask, enteredAt: string): SafeHtml {
  const dueAt = taskDueAt({ task, enteredAt, caseDueAt: null }, ctx.deps.config.serviceLevels);
  const overdue = isOverdue(dueAt, ctx.now().toISOString());
  return html`<span class="due">Due ${when(dueAt)}${overdue ? html` <strong class="overdue-flag">Overdue</strong>` : ''}</span>`;
}
