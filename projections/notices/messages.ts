import type { AccreditationEventOf } from '../../domain/accreditation/events';
import type { MonitoringEvent } from '../../domain/compliance';
import type { ReviewEvent } from '../../domain/compliance';
import { toMillis } from '../../domain/shared/time';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { nocNotificationFor } from '../noc/notifications';
import type { NocRecordedEvent } from '../noc/noc-events';
import type { NocTaskSpec } from '../noc/queue';
import type { Audience } from './recipients';

export const NOTICE_KINDS = [
  'information-requested',
  'decision',
  'expiry-reminder',
  'expired',
  'revoked',
  'evidence-requested',
  'deadline-missed',
  'findings',
  'report-due',
  'report-missed',
  'renewal-window',
  'suspended',
  'reinstated',
  'migration-notice',
  'non-compliant',
  'task-waiting',
  'grant-waiting',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** One notice an event gives rise to. `key` tells apart several notices of one event ('' for the only one). */
export interface NoticeDraft {
  key: string;
  kind: NoticeKind;
  subject: string;
  body: string;
  audience: Audience;
}

/** Dates in notices are calendar days in UTC, the way people read a deadline. */
export const day = (iso: string): string => new Date(toMillis(iso)).toISOString().slice(0, 10);

const pse = (organisationId: string): Audience => ({ kind: 'pse', organisationId });
const csp = (organisationId: string): Audience => ({ kind: 'csp', organisationId });

const NOC_SUBJECTS: Record<string, string> = {
  'information-requested': 'information requested',
  decision: 'decision',
  'expiry-reminder': 'expiry reminder',
  expired: 'expired',
  revoked: 'revoked',
};

/** What the requesting entity is told about its NOC (the wording the NOC outbox has always used). Pure. */
export function nocNotice(event: NocRecordedEvent, nocId: string, pseId: string): NoticeDraft | null {
  const n = nocNotificationFor(event, nocId);
  if (!n) return null;
  const kind = n.kind as NoticeKind;
  return { key: '', kind, subject: `NOC ${nocId}: ${NOC_SUBJECTS[n.kind] ?? n.kind}`, body: n.message, audience: pse(pseId) };
}

const NOC_TASKS: Record<string, string> = {
  review: 'a NOC request to review',
  decide: 'a NOC recommendation to decide',
  'decide-extension': 'a NOC extension request to decide',
};

/** A NOC entering a staff queue: the people who may take the task are told. Pure. */
export function nocTaskNotice(nocId: string, jurisdiction: Jurisdiction, task: NocTaskSpec): NoticeDraft | null {
  if (task.pseId !== null) return null;
  const what = NOC_TASKS[task.kind] ?? `a NOC task (${task.kind})`;
  return {
    key: `task:${task.kind}`,
    kind: 'task-waiting',
    subject: `Task waiting: NOC ${nocId}`,
    body: `NOC ${nocId} (${jurisdiction}) waits in the queue: ${what}. Open the work queue to take it.`,
    audience: { kind: 'staff', roles: [task.role as never], jurisdiction, excludedUserIds: task.excludedUserIds },
  };
}

export interface AccreditationFacts {
  applicationId: string;
  cspId: string;
  offeringId: string;
  submittedBy: string;
}

const staffTask = (key: string, roles: Audience & { kind: 'staff' }, subject: string, body: string): NoticeDraft => ({
  key,
  kind: 'task-waiting',
  subject,
  body,
  audience: roles,
});

/** What an accreditation's events tell its provider, and the staff whose queue it enters. Pure. */
export function accreditationNotices(event: { type: string; data: unknown }, f: AccreditationFacts): NoticeDraft[] {
  const subject = (what: string): string => `Accreditation ${f.applicationId} (${f.offeringId}): ${what}`;
  const tell = (kind: NoticeKind, what: string, body: string): NoticeDraft[] => [{ key: '', kind, subject: subject(what), body, audience: csp(f.cspId) }];
  const federal = (roles: ('reviewer' | 'security-reviewer' | 'director')[], excluded: string[]): Audience & { kind: 'staff' } => ({
    kind: 'staff',
    roles,
    jurisdiction: 'federal',
    excludedUserIds: excluded,
  });
  switch (event.type) {
    case 'AccreditationSubmitted':
    case 'AccreditationInformationProvided':
      return [
        staffTask(
          'task:screen',
          federal(['reviewer'], [f.submittedBy]),
          `Task waiting: accreditation ${f.applicationId}`,
          `The application ${f.applicationId} of ${f.cspId} for offering ${f.offeringId} waits to be screened.`,
        ),
      ];
    case 'AccreditationScreeningCompleted':
      return [
        staffTask(
          'task:assess',
          federal(['reviewer', 'security-reviewer'], [f.submittedBy]),
          `Task waiting: accreditation ${f.applicationId}`,
          `The application ${f.applicationId} of ${f.cspId} for offering ${f.offeringId} is screened and waits for its scores and security review.`,
        ),
      ];
    case 'AccreditationInformationRequested': {
      const d = event.data as AccreditationEventOf<'AccreditationInformationRequested'>['data'];
      return tell('information-requested', 'information requested', `The Cloud Office needs more information on your application ${f.applicationId}: ${d.questions} Please answer by ${day(d.dueBy)}; without an answer the application lapses.`);
    }
    case 'AccreditationLapsed': {
      const d = event.data as AccreditationEventOf<'AccreditationLapsed'>['data'];
      return tell('deadline-missed', 'lapsed', `Your application ${f.applicationId} lapsed: ${d.reason}`);
    }
    case 'AccreditationGranted': {
      const d = event.data as AccreditationEventOf<'AccreditationGranted'>['data'];
      const conditions = d.conditions.length > 0 ? ` Conditions: ${d.conditions.join('; ')}.` : '';
      return tell('decision', 'accredited', `Offering ${f.offeringId} is accredited at the ${d.baseline} baseline for data up to ${d.highestDataClass}, valid from ${day(d.validFrom)} until ${day(d.validUntil)}.${conditions} Reasons: ${d.reasons}`);
    }
    case 'AccreditationRejected': {
      const d = event.data as AccreditationEventOf<'AccreditationRejected'>['data'];
      return tell('decision', 'rejected', `Your application ${f.applicationId} for offering ${f.offeringId} is rejected: ${d.reasons} The offering may apply again from ${day(d.reapplyAfter)}.`);
    }
    case 'AccreditationRenewalWindowOpened': {
      const d = event.data as AccreditationEventOf<'AccreditationRenewalWindowOpened'>['data'];
      return tell('renewal-window', 'renewal window open', `The accreditation of offering ${f.offeringId} ends on ${day(d.validUntil)}. Its renewal window is open: apply for renewal before then.`);
    }
    case 'AccreditationRenewed': {
      const d = event.data as AccreditationEventOf<'AccreditationRenewed'>['data'];
      return tell('decision', 'renewed', `The accreditation of offering ${f.offeringId} is renewed until ${day(d.validUntil)}.`);
    }
    case 'AccreditationSuspended': {
      const d = event.data as AccreditationEventOf<'AccreditationSuspended'>['data'];
      return tell('suspended', 'suspended', `The accreditation of offering ${f.offeringId} is suspended: ${d.reasons} No new procurement may be recorded on it until it is reinstated.`);
    }
    case 'AccreditationReinstated': {
      const d = event.data as AccreditationEventOf<'AccreditationReinstated'>['data'];
      return tell('reinstated', 'reinstated', `The accreditation of offering ${f.offeringId} is reinstated: ${d.reasons}`);
    }
    case 'AccreditationRevoked': {
      const d = event.data as AccreditationEventOf<'AccreditationRevoked'>['data'];
      return tell('revoked', 'revoked', `The accreditation of offering ${f.offeringId} is revoked: ${d.reasons} The entities using it must migrate by ${day(d.transitionUntil)}.`);
    }
    case 'AccreditationExpired': {
      const d = event.data as AccreditationEventOf<'AccreditationExpired'>['data'];
      return tell('expired', 'expired', `The accreditation of offering ${f.offeringId} expired on ${day(d.validUntil)}.`);
    }
    default:
      return [];
  }
}

export interface ProviderCaseFacts {
  /** The review's or the monitoring's id, as people see it. */
  caseId: string;
  cspId: string;
  offeringId: string;
}

/** What a compliance review tells its provider, and the staff whose queue it enters. Pure. */
export function reviewNotices(event: ReviewEvent, f: ProviderCaseFacts): NoticeDraft[] {
  const subject = (what: string): string => `Compliance review ${f.caseId} (${f.offeringId}): ${what}`;
  const tell = (kind: NoticeKind, what: string, body: string): NoticeDraft[] => [{ key: '', kind, subject: subject(what), body, audience: csp(f.cspId) }];
  const staff = (key: string, role: 'reviewer' | 'director', body: string, excluded: string[] = []): NoticeDraft[] => [
    staffTask(key, { kind: 'staff', roles: [role], jurisdiction: 'federal', excludedUserIds: excluded }, `Task waiting: review ${f.caseId}`, body),
  ];
  switch (event.type) {
    case 'ReviewOpened':
      return staff('task:request-evidence', 'reviewer', `Compliance review ${f.caseId} of offering ${f.offeringId} is open and waits for its evidence request.`, [event.data.openedBy]);
    case 'ReviewEvidenceRequested':
      return tell('evidence-requested', 'evidence requested', `The Cloud Office reviews offering ${f.offeringId} and asks for evidence: ${event.data.request} Deliver it by ${day(event.data.dueBy)}; without it the review escalates.`);
    case 'ReviewEvidenceOverdue':
      return tell('deadline-missed', 'evidence overdue', `The evidence for compliance review ${f.caseId} was due on ${day(event.data.dueBy)} and has not arrived: the review escalates.`);
    case 'ReviewEvidenceSubmitted':
      return staff('task:assess', 'reviewer', `The evidence for compliance review ${f.caseId} of offering ${f.offeringId} arrived and waits to be assessed.`, [event.data.submittedBy]);
    case 'ReviewAssessed': {
      if (event.data.findings.length === 0) return tell('findings', 'assessed', `Compliance review ${f.caseId}: ${event.data.summary} No findings.`);
      const list = event.data.findings.map((x) => `${x.title} (${x.severity}, remediate by ${day(x.deadline)})`).join('; ');
      return tell('findings', 'findings to remediate', `Compliance review ${f.caseId}: ${event.data.summary} Findings: ${list}.`);
    }
    case 'ReviewFindingOverdue':
      return tell('deadline-missed', 'finding overdue', `Finding ${event.data.findingId} (${event.data.severity}) of compliance review ${f.caseId} was due for remediation on ${day(event.data.deadline)}.`);
    case 'ReviewEscalated':
      return staff('task:decide-escalation', 'director', `Compliance review ${f.caseId} of offering ${f.offeringId} escalated (${event.data.reason}) and waits for a director's decision.`);
    default:
      return [];
  }
}

/** What the monthly monitoring tells its provider: a report due before its deadline, and a report missed. Pure. */
export function monitoringNotices(event: MonitoringEvent, f: ProviderCaseFacts): NoticeDraft[] {
  if (event.type === 'MonthlyReportDue') {
    const { period, dueAt } = event.data;
    return [
      {
        key: '',
        kind: 'report-due',
        subject: `Monthly report due: ${f.offeringId}, ${period}`,
        body: `The continuous-monitoring report of offering ${f.offeringId} for ${period} is due by the end of ${day(new Date(toMillis(dueAt) - 1).toISOString())}. Submit it from the provider home before then: a report not submitted by then is recorded as missed, and missed reports in a row open a compliance review.`,
        audience: csp(f.cspId),
      },
    ];
  }
  if (event.type !== 'MonthlyReportMissed') return [];
  const { period, dueAt, consecutiveMisses } = event.data;
  const inARow = consecutiveMisses > 1 ? ` This is ${consecutiveMisses} missed reports in a row: a compliance review opens.` : '';
  return [
    {
      key: '',
      kind: 'report-missed',
      subject: `Monthly report missed: ${f.offeringId}, ${period}`,
      body: `The continuous-monitoring report of offering ${f.offeringId} for ${period} was due by ${day(dueAt)} and was not submitted.${inARow}`,
      audience: csp(f.cspId),
    },
  ];
}
