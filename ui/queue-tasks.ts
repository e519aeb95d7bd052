import type { Actor } from '../domain/shared/actor';
import { isOverdue, taskDueAt } from '../domain/shared/service-levels';
import type { UiContext } from './context';
import { label } from './layout';
import { changePath, changeRowsOf } from './routes/changes';
import { frameworkVersionPath } from './routes/framework-versions';

/** A task of either kind of case, as the queue shows it. */
export interface QueueTask {
  taskId: string;
  caseKind: 'noc' | 'accreditation' | 'review' | 'framework' | 'change';
  caseId: string;
  href: string;
  kind: string;
  status: string | undefined;
  /** The entity or CSP the case is about. */
  party: string;
  /** One line about the case. */
  about: string | undefined;
  jurisdiction: string;
  /** The earlier of the case's own deadline and the task's service level (config SERVICE_LEVELS). */
  dueAt: string | null;
  overdue: boolean;
  /** Null when the case does not say when the task arose (a framework proposal). */
  createdAt: string | null;
}

/** A task as its case states it, before the service level sets its due date. */
type CaseTask = Omit<QueueTask, 'overdue'>;

/**
 * Every open task in one person's own queue: NOCs, accreditation applications, compliance reviews,
 * significant changes and framework proposals alike, each due by its service level or its case's
 * deadline, whichever comes first.
 */
export function queueTasks(ctx: UiContext): (actor: Actor) => Promise<QueueTask[]> {
  const { nocQueries, accreditationQueue, complianceQueries } = ctx.deps;

  /** The compliance review tasks of the actor's role that four eyes lets them take. */
  const reviewTasksOf = (actor: Actor): CaseTask[] => {
    if (!complianceQueries) return [];
    return complianceQueries.queue(actor).map((t) => ({
      taskId: t.taskId,
      caseKind: 'review',
      caseId: t.reviewId,
      href: `/ui/reviews/${encodeURIComponent(t.reviewId)}`,
      kind: t.kind,
      status: t.reviewStatus,
      party: t.cspId,
      about: `Review of ${t.offeringId} (${t.applicationId})${t.findingId ? `, finding ${t.findingId}` : ''}`,
      // Compliance of accredited offerings is a federal matter, as accreditation is (SPEC §3.2).
      jurisdiction: 'federal',
      dueAt: t.dueAt,
      createdAt: t.createdAt,
    }));
  };

  const nocAndAccreditationTasksOf = (actor: Actor): CaseTask[] => {
    const nocs: CaseTask[] = nocQueries.queue(actor).map((t) => {
      const row = nocQueries.get(actor, t.nocId);
      return {
        taskId: t.taskId,
        caseKind: 'noc',
        caseId: t.nocId,
        href: `/ui/nocs/${encodeURIComponent(t.nocId)}`,
        kind: t.kind,
        status: row?.status,
        party: row?.pseId ?? t.pseId ?? '—',
        about: row?.description,
        jurisdiction: t.jurisdiction,
        dueAt: t.dueAt,
        createdAt: t.createdAt,
      };
    });
    if (!accreditationQueue) return nocs;
    const applications = new Map(accreditationQueue.applications(actor).map((a) => [a.applicationId, a]));
    const accreditations: CaseTask[] = accreditationQueue.queue(actor).map((t) => {
      const a = applications.get(t.applicationId);
      return {
        taskId: t.taskId,
        caseKind: 'accreditation',
        caseId: t.applicationId,
        href: `/ui/accreditations/${encodeURIComponent(t.applicationId)}`,
        kind: t.kind,
        status: a?.status,
        party: a?.cspId ?? t.cspId ?? '—',
        about: a ? `${a.offeringName}, ${a.requestedBaseline} baseline` : undefined,
        // Accreditation is a federal matter (SPEC §3.1).
        jurisdiction: 'federal',
        dueAt: t.dueAt,
        createdAt: t.createdAt,
      };
    });
    return [...nocs, ...accreditations];
  };

  /**
   * A director's decision on each proposed framework version someone else proposed (four eyes): due
   * before its effectiveFrom, since a version cannot be approved once that has passed.
   */
  const frameworkTasksOf = async (actor: Actor): Promise<CaseTask[]> => {
    if (actor.role !== 'director' || !ctx.deps.frameworkRegister) return [];
    const versions = await ctx.deps.frameworkRegister.versions();
    return versions
      .filter((v) => v.status === 'proposed' && v.proposedBy !== actor.userId)
      .map((v) => ({
        taskId: `framework:${v.version}:decide`,
        caseKind: 'framework',
        caseId: `framework-${v.version}`,
        href: frameworkVersionPath(v.version),
        kind: 'decide-framework',
        status: v.status,
        party: v.proposedBy ?? '—',
        about: `${v.title}: ${v.changes ?? ''}`,
        jurisdiction: 'federal',
        dueAt: v.effectiveFrom,
        createdAt: null,
      }));
  };

  /**
   * Significant changes: a requested one waits for a reviewer's recommendation, a recommended one for a
   * director's decision; due by the date the provider plans it for.
   */
  const changeTasksOf = (actor: Actor): CaseTask[] => {
    if (!complianceQueries || (actor.role !== 'reviewer' && actor.role !== 'director')) return [];
    return changeRowsOf(complianceQueries.dashboard(actor)).flatMap((r): CaseTask[] => {
      const waiting = r.change.status === 'requested' ? 'reviewer' : r.change.status.startsWith('recommended-') ? 'director' : undefined;
      if (waiting !== actor.role) return [];
      const kind = waiting === 'reviewer' ? 'recommend-change' : 'decide-change';
      return [
        {
          taskId: `change:${r.change.changeId}:${kind}`,
          caseKind: 'change',
          caseId: r.change.changeId,
          href: changePath(r.change.changeId),
          kind,
          status: r.change.status,
          party: r.cspId,
          about: `${label(r.change.kind)} change to ${r.offeringName ?? r.offeringId}`,
          jurisdiction: 'federal',
          dueAt: r.change.plannedFor,
          createdAt: r.change.requestedAt,
        },
      ];
    });
  };

  /** Every open task in the actor's own queue: NOCs, accreditation applications, compliance reviews, significant changes and framework proposals alike. */
  const caseTasksOf = async (actor: Actor): Promise<CaseTask[]> => [
    ...nocAndAccreditationTasksOf(actor),
    ...reviewTasksOf(actor),
    ...changeTasksOf(actor),
    ...(await frameworkTasksOf(actor)),
  ];

  return async (actor) => {
    const now = ctx.now().toISOString();
    return (await caseTasksOf(actor)).map((task) => {
      const dueAt = taskDueAt({ task: `${task.caseKind}.${task.kind}`, enteredAt: task.createdAt, caseDueAt: task.dueAt }, ctx.deps.config.serviceLevels);
      return { ...task, dueAt, overdue: isOverdue(dueAt, now) };
    });
  };
}
