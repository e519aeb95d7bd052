import type { RecordedEvent } from '../eventstore/port';
import { decode } from '../eventstore/registry';
import { html, type SafeHtml } from './html';
import { when } from './layout';

/** An event of a case's stream, decoded when it can be; one that no longer decodes is shown as stored. */
export interface TimelineEntry {
  event: RecordedEvent;
  decodeError?: string;
}

export function decodeStream(events: readonly RecordedEvent[]): TimelineEntry[] {
  return events.map((event) => {
    try {
      return { event: decode(event) };
    } catch (err) {
      return { event, decodeError: err instanceof Error ? err.message : String(err) };
    }
  });
}

const WHAT: Record<string, (d: Record<string, unknown>) => string> = {
  NocRequested: () => 'Requested the NOC',
  NocReviewStarted: () => 'Started the review',
  NocInformationRequested: () => 'Asked the entity for more information',
  NocInformationProvided: () => 'Answered the questions',
  NocLapsed: () => 'The request lapsed: no answer in time',
  NocRecommended: (d) => (d.recommendation === 'approve' ? 'Recommended approval' : 'Recommended rejection'),
  NocApproved: () => 'Approved the NOC',
  NocRejected: () => 'Rejected the NOC',
  NocExpiryReminderDue: (d) => `Expiry reminder, ${String(d.daysBefore)} days before`,
  NocExtensionRequested: (d) => `Requested an extension of ${String(d.months)} months`,
  NocExtensionApproved: () => 'Approved the extension',
  NocExtensionRejected: () => 'Rejected the extension',
  NocExpired: () => 'The NOC expired',
  NocRevoked: () => 'Revoked the NOC',
  NocWithdrawn: () => 'Withdrew the NOC',
  AccreditationSubmitted: (d) => `Applied for accreditation at the ${String(d.requestedBaseline)} baseline`,
  AccreditationScreeningStarted: () => 'Started screening',
  AccreditationInformationRequested: () => 'Asked the CSP for more information',
  AccreditationInformationProvided: () => 'Answered the questions',
  AccreditationLapsed: () => 'The application lapsed: no answer in time',
  AccreditationScreeningCompleted: () => 'Completed screening',
  AccreditationCriteriaScored: (d) => `Scored ${Object.keys((d.scores ?? {}) as object).length} criteria`,
  AccreditationSecurityReviewRecorded: (d) => (d.outcome === 'passed' ? 'Passed the security review' : 'Failed the security review'),
  AccreditationGranted: (d) => `Granted accreditation at the ${String(d.baseline)} baseline, up to ${String(d.highestDataClass)} data`,
  AccreditationRejected: () => 'Rejected the application',
  AccreditationRenewalWindowOpened: () => 'The renewal window opened',
  AccreditationRenewed: () => 'Renewed the accreditation',
  AccreditationExpired: () => 'The accreditation expired',
  AccreditationSuspended: () => 'Suspended the accreditation',
  AccreditationReinstated: () => 'Reinstated the accreditation',
  AccreditationRevoked: () => 'Revoked the accreditation',
  AccreditationWithdrawn: () => 'Withdrew',
  ReviewOpened: (d) => `Opened a compliance review (${String(d.trigger).replace(/-/g, ' ')})`,
  ReviewEvidenceRequested: () => 'Requested evidence from the provider',
  ReviewEvidenceSubmitted: () => 'Submitted the evidence',
  ReviewEvidenceOverdue: () => 'The evidence is overdue',
  ReviewAssessed: (d) => {
    const n = Array.isArray(d.findings) ? d.findings.length : 0;
    return n === 0 ? 'Assessed the review: no findings' : `Assessed the review: ${n} ${n === 1 ? 'finding' : 'findings'}`;
  },
  ReviewClosedCompliant: () => 'The review closed: compliant',
  ReviewRemediationSubmitted: (d) => `Submitted remediation evidence for ${String(d.findingId)}`,
  ReviewFindingVerified: (d) => `Verified the remediation of ${String(d.findingId)}`,
  ReviewFindingRejected: (d) => `Rejected the remediation of ${String(d.findingId)}`,
  ReviewFindingOverdue: (d) => `Finding ${String(d.findingId)} (${String(d.severity)}) is overdue`,
  ReviewEscalated: (d) => `Escalated to the director: ${String(d.reason).replace(/-/g, ' ')}`,
  ReviewClosedRemediated: () => 'The review closed: remediated',
  ReviewDeadlineExtended: (d) => (d.findingId === undefined ? 'Extended the evidence deadline' : `Extended the deadline of ${String(d.findingId)}`),
  ReviewSuspensionDecided: () => 'Decided to suspend the accreditation',
  ReviewRevocationDecided: () => 'Decided to revoke the accreditation',
  ReviewReinstatementRecommended: () => 'Recommended reinstatement',
  AccountCreated: (d) => `Created the account ${String(d.username)}`,
  AccountRoleAssigned: (d) =>
    `Gave the role ${String(d.role)} (${String(d.jurisdiction)})${d.basis === 'bootstrap' ? ': bootstrap of the first administrator' : d.basis === 'existing-account' ? ': recorded as it already was' : ''}`,
  AccountGrantRequested: (d) => `Asked for the privileged role ${String(d.role)} (${String(d.jurisdiction)}); awaits a second administrator`,
  AccountGrantApproved: (d) => `Approved the privileged role ${String(d.role)} (${String(d.jurisdiction)})`,
  AccountGrantRejected: (d) => `Rejected the grant ${String(d.grantId)}`,
  AccountDisabled: () => 'Disabled the account',
  AccountEnabled: () => 'Enabled the account',
  AccountPasswordReset: () => 'Reset the password',
  AccountMfaReset: () => 'Reset the second factor (the person enrols an authenticator again)',
  AccountPasswordChosen: () => 'Chose their own password in place of the one an administrator set',
  PseDetailsCorrected: (d) => `Corrected the entity's entry: ${String(d.name)}, ${String(d.ministry)}`,
  PseJurisdictionChanged: (d) => `Moved the entity from the ${String(d.was)} to the ${String(d.jurisdiction)} jurisdiction`,
  CaseNoteAdded: (d) => `Added an internal note on ${String(d.caseKind)} ${String(d.caseId)}`,
};

export function describeEvent(type: string, data: unknown): string {
  const describe = WHAT[type];
  return describe ? describe((data ?? {}) as Record<string, unknown>) : type;
}

/** The free-text parts of an event that people wrote, and the dates it set. */
const DETAILS: readonly (readonly [string, string])[] = [
  ['questions', 'Questions'],
  ['answer', 'Answer'],
  ['justification', 'Justification'],
  ['reasons', 'Reasons'],
  ['reason', 'Reason'],
  ['notes', 'Notes'],
  ['text', 'Note'],
  ['rationale', 'Rationale'],
  ['validFrom', 'Valid from'],
  ['validUntil', 'Valid until'],
  ['dueBy', 'Due by'],
  ['description', 'Description'],
  ['request', 'Evidence requested'],
  ['summary', 'Summary'],
  ['newDeadline', 'New deadline'],
];

function details(data: Record<string, unknown>): SafeHtml {
  const parts = DETAILS.filter(([key]) => typeof data[key] === 'string').map(([key, text]) => {
    const value = data[key] as string;
    return html`<dt>${text}</dt><dd>${/^\d{4}-\d\d-\d\dT/.test(value) ? when(value) : value}</dd>`;
  });
  const conditions = Array.isArray(data.conditions) && data.conditions.length > 0 ? data.conditions.map(String) : [];
  return html`${parts.length > 0 || conditions.length > 0 ? html`<dl class="facts">${parts}${
    conditions.length > 0 ? html`<dt>Conditions</dt><dd><ul>${conditions.map((c) => html`<li>${c}</li>`)}</ul></dd>` : ''
  }</dl>` : ''}`;
}

/** Who did what and when, oldest first. Auditors also see each event exactly as stored. */
export function timeline(entries: readonly TimelineEntry[], full: boolean): SafeHtml {
  return html`<ol class="timeline">${entries.map(({ event, decodeError }) => {
    const actor = event.metadata?.actor;
    const data = (event.data ?? {}) as Record<string, unknown>;
    return html`<li>
      <p><strong>${describeEvent(event.type, data)}</strong> — ${actor ? html`${actor.name ?? actor.userId} <span class="muted">(${actor.role})</span>` : 'unknown'},
        ${when(event.metadata?.occurredAt ?? event.recordedAt)}</p>
      ${decodeError ? html`<p class="field-error">This event no longer decodes: ${decodeError}</p>` : details(data)}
      ${
        full
          ? html`<details><summary>Event #${event.revision}: ${event.type}, as stored</summary>
              <pre>${JSON.stringify({ id: event.id, stream: event.stream, revision: event.revision, recordedAt: event.recordedAt, data: event.data, metadata: event.metadata }, null, 2)}</pre></details>`
          : ''
      }
    </li>`;
  })}</ol>`;
}
