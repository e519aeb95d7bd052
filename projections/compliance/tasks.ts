import type { ReviewCase } from '../../domain/compliance/review-state';
import { REVIEW_REMEDIATING } from '../../domain/compliance/review-state';
import type { Role } from '../../domain/shared/vocabulary';

/** The work a compliance review waits on from the Cloud Office's staff. */
export const COMPLIANCE_TASK_KINDS = ['request-evidence', 'assess', 'verify-remediation', 'decide-escalation', 'recommend-reinstatement'] as const;
export type ComplianceTaskKind = (typeof COMPLIANCE_TASK_KINDS)[number];

export interface ComplianceTaskSpec {
  /** Unique within the review: the kind, and for a verification the finding it is about. */
  key: string;
  kind: ComplianceTaskKind;
  role: Role;
  findingId: string | null;
  /** Nobody decides a case they opened, submitted evidence on or assessed (four eyes, domain/compliance/rules.ts). */
  excludedUserIds: string[];
  dueAt: string | null;
}

const unique = (ids: (string | undefined)[]): string[] => [...new Set(ids.filter((id): id is string => id !== undefined))];

/**
 * The staff tasks a review waits on, as domain/compliance/review-decide.ts allows them. The provider's
 * own work (evidence, remediation evidence) is not here: this is the reviewers' and directors' queue.
 */
export function reviewTasksFor(review: ReviewCase): ComplianceTaskSpec[] {
  const tasks: ComplianceTaskSpec[] = [];
  const staff = (kind: ComplianceTaskKind, role: Role, dueAt: string | null, excluded: (string | undefined)[] = []): ComplianceTaskSpec => ({
    key: kind,
    kind,
    role,
    findingId: null,
    excludedUserIds: unique(excluded),
    dueAt,
  });
  if (review.status === 'opened') tasks.push(staff('request-evidence', 'reviewer', null));
  const assessable =
    review.status === 'evidence-submitted' || (review.status === 'suspended' && review.evidenceSubmittedBy !== undefined && review.assessedBy === undefined);
  if (assessable) tasks.push(staff('assess', 'reviewer', null));
  if (REVIEW_REMEDIATING.includes(review.status)) {
    for (const finding of review.findings) {
      if (finding.status !== 'evidence-submitted') continue;
      // Due by the finding's remediation deadline: verifying late leaves the provider's clock stopped longer than planned.
      tasks.push({ key: `verify-remediation:${finding.id}`, kind: 'verify-remediation', role: 'reviewer', findingId: finding.id, excludedUserIds: [], dueAt: finding.deadline });
    }
  }
  if (review.status === 'escalated') {
    tasks.push(staff('decide-escalation', 'director', null, [review.openedBy, review.evidenceSubmittedBy, review.assessedBy]));
  }
  if (review.status === 'suspended' && review.assessedBy !== undefined && review.findings.every((f) => f.status === 'verified')) {
    tasks.push(staff('recommend-reinstatement', 'reviewer', null));
  }
  return tasks;
}
