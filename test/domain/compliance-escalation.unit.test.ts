import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { ReviewCase } from '../../domain/compliance/review-state';
import type { ReviewEvent } from '../../domain/compliance/review-events';
import { HIGH, LOW, MODERATE, R, actors, at, deadlineOf, givenReview as given, moderates, rcmd, rev, review } from './compliance-fixtures';

const late = (deadline: string): string => new Date(Date.parse(deadline) + 60_000).toISOString();
const FIVE = moderates(5);
const withModerates = [...review['evidence-submitted'], rev.assessed(FIVE)];
const fourOverdue = [...withModerates, ...FIVE.slice(0, 4).map((f) => rev.findingOverdue(f))];

describe('evidence falling overdue', () => {
  it('escalates the review once the evidence deadline passes', () => {
    const { state } = given(review['evidence-requested'])
      .when(rcmd.evidenceOverdue(), at(R.evidenceDue))
      .then([rev.evidenceOverdue(R.evidenceDue), rev.escalated('evidence-overdue', [], R.evidenceDue)]);
    expect(state.status).toBe('escalated');
  });

  it('is refused before the deadline', () => {
    given(review['evidence-requested']).when(rcmd.evidenceOverdue(), at(R.evidenceSubmitted)).thenRefuses('COMPLIANCE_NOT_YET_DUE');
  });

  it('is refused once the evidence is in', () => {
    given(review['evidence-submitted']).when(rcmd.evidenceOverdue(), at(R.evidenceDue)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('is refused from a person', () => {
    given(review['evidence-requested']).when(rcmd.evidenceOverdue(actors.reviewer), at(R.evidenceDue)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('findings falling overdue', () => {
  it('escalates on an overdue high finding', () => {
    const { state } = given(review.remediation)
      .when(rcmd.findingOverdue(HIGH.id), at(R.highDue))
      .then([rev.findingOverdue(HIGH), rev.escalated('high-finding-overdue', [HIGH.id], R.highDue)]);
    expect((state as ReviewCase).escalation).toEqual({ reason: 'high-finding-overdue', findingIds: [HIGH.id], at: R.highDue });
  });

  it('records an overdue low finding without escalating', () => {
    const { state } = given(review.remediation).when(rcmd.findingOverdue(LOW.id), at(R.lowDue)).then([rev.findingOverdue(LOW)]);
    expect(state.status).toBe('remediation');
  });

  it('does not escalate on four overdue moderate findings', () => {
    given([...withModerates, ...FIVE.slice(0, 3).map((f) => rev.findingOverdue(f))])
      .when(rcmd.findingOverdue('M-4'), at(deadlineOf(FIVE[3]!)))
      .then([rev.findingOverdue(FIVE[3]!)]);
  });

  it('escalates on the fifth overdue moderate finding', () => {
    given(fourOverdue)
      .when(rcmd.findingOverdue('M-5'), at(deadlineOf(FIVE[4]!)))
      .then([rev.findingOverdue(FIVE[4]!), rev.escalated('moderate-findings-overdue', FIVE.map((f) => f.id), deadlineOf(FIVE[4]!))]);
  });

  it('no longer counts moderate findings that were verified since', () => {
    const history = [...fourOverdue, rev.remediationSubmitted('M-1'), rev.verified('M-1')];
    given(history).when(rcmd.findingOverdue('M-5'), at(deadlineOf(FIVE[4]!))).then([rev.findingOverdue(FIVE[4]!)]);
  });

  it('follows the pinned count of moderate findings that escalates', () => {
    const policy = { ...DEFAULT_COMPLIANCE_POLICY, overdueModerateFindingsToEscalate: 1 };
    given(review.remediation)
      .when(rcmd.findingOverdue(MODERATE.id), at(R.moderateDue, policy))
      .then([rev.findingOverdue(MODERATE), rev.escalated('moderate-findings-overdue', [MODERATE.id], R.moderateDue)]);
  });

  it('records further overdue findings on an escalated review without escalating again', () => {
    given(review.escalated).when(rcmd.findingOverdue(MODERATE.id), at(R.moderateDue)).then([rev.findingOverdue(MODERATE)]);
  });

  it('records nothing twice when the timer is retried', () => {
    given([...review.remediation, rev.findingOverdue(LOW)]).when(rcmd.findingOverdue(LOW.id), at(R.lowDue)).then([]);
  });

  it('is refused before the deadline', () => {
    given(review.remediation).when(rcmd.findingOverdue(HIGH.id), at('2026-03-12T08:59:59.999Z')).thenRefuses('COMPLIANCE_NOT_YET_DUE');
  });

  it('is refused while the finding evidence awaits verification', () => {
    given([...review.remediation, rev.remediationSubmitted(HIGH.id)])
      .when(rcmd.findingOverdue(HIGH.id), at(R.highDue))
      .thenRefuses('REVIEW_FINDING_WRONG_STATE', 'findingId');
  });

  it('applies again once the evidence is rejected after the deadline', () => {
    given([...review.remediation, rev.remediationSubmitted(HIGH.id), rev.rejected(HIGH.id)])
      .when(rcmd.findingOverdue(HIGH.id), at(late(R.highDue)))
      .then([rev.findingOverdue(HIGH), rev.escalated('high-finding-overdue', [HIGH.id], late(R.highDue))]);
  });

  it('is refused for an unknown finding', () => {
    given(review.remediation).when(rcmd.findingOverdue('F-404'), at(R.highDue)).thenRefuses('REVIEW_FINDING_NOT_FOUND', 'findingId');
  });

  it('is refused from a person', () => {
    given(review.remediation).when(rcmd.findingOverdue(HIGH.id, actors.reviewer), at(R.highDue)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('is refused on a closed review', () => {
    given(review['closed-compliant']).when(rcmd.findingOverdue(HIGH.id), at(R.highDue)).thenRefuses('REVIEW_WRONG_STATE');
  });
});

describe('the director extending a deadline', () => {
  const newDeadline = '2026-04-15T09:00:00.000Z';

  it('extends an overdue finding once and returns the review to remediation', () => {
    const { state } = given(review.escalated)
      .when(rcmd.extend(newDeadline, HIGH.id), at(R.decision))
      .then([rev.extended(R.highDue, newDeadline, HIGH.id, true)]);
    expect(state.status).toBe('remediation');
    expect((state as ReviewCase).findings.find((f) => f.id === HIGH.id)).toMatchObject({ deadline: newDeadline, overdue: false, extended: true });
  });

  it('keeps the review escalated while other findings still escalate it', () => {
    const history: ReviewEvent[] = [
      ...review['evidence-submitted'],
      rev.assessed([HIGH, { ...HIGH, id: 'F-9' }]),
      rev.findingOverdue(HIGH),
      rev.escalated('high-finding-overdue', [HIGH.id], R.highDue),
      rev.findingOverdue({ ...HIGH, id: 'F-9' }),
    ];
    const { state } = given(history).when(rcmd.extend(newDeadline, HIGH.id), at(R.decision)).then([rev.extended(R.highDue, newDeadline, HIGH.id, false)]);
    expect(state.status).toBe('escalated');
  });

  it('refuses a second extension of the same finding', () => {
    const history = [...review.escalated, rev.extended(R.highDue, newDeadline, HIGH.id), rev.findingOverdue(HIGH), rev.escalated('high-finding-overdue', [HIGH.id], newDeadline)];
    given(history).when(rcmd.extend('2026-05-15T09:00:00.000Z', HIGH.id), at(late(newDeadline))).thenRefuses('REVIEW_EXTENSION_ALREADY_USED', 'findingId');
  });

  it('extends the evidence deadline once, back to waiting for evidence', () => {
    const { state } = given(review['evidence-escalated'])
      .when(rcmd.extend('2026-03-01T09:00:00.000Z'), at(late(R.evidenceDue)))
      .then([rev.extended(R.evidenceDue, '2026-03-01T09:00:00.000Z')]);
    expect(state).toMatchObject({ status: 'evidence-requested', evidenceDueBy: '2026-03-01T09:00:00.000Z', evidenceExtended: true });
  });

  it('refuses a second extension of the evidence deadline', () => {
    const history = [
      ...review['evidence-escalated'],
      rev.extended(R.evidenceDue, '2026-03-01T09:00:00.000Z'),
      rev.evidenceOverdue('2026-03-01T09:00:00.000Z'),
      rev.escalated('evidence-overdue', [], '2026-03-01T09:00:00.000Z'),
    ];
    given(history).when(rcmd.extend('2026-04-01T09:00:00.000Z'), at('2026-03-02T09:00:00.000Z')).thenRefuses('REVIEW_EXTENSION_ALREADY_USED');
  });

  it('refuses an evidence extension on a review escalated for findings', () => {
    given(review.escalated).when(rcmd.extend(newDeadline), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE', 'findingId');
  });

  it('refuses a new deadline in the past', () => {
    given(review.escalated).when(rcmd.extend('2026-03-15T09:00:00.000Z', HIGH.id), at(R.decision)).thenRefuses('REVIEW_INVALID_DEADLINE', 'newDeadline');
  });

  it('refuses a new deadline that is already reached', () => {
    given(review.escalated).when(rcmd.extend(R.decision, HIGH.id), at(R.decision)).thenRefuses('REVIEW_INVALID_DEADLINE', 'newDeadline');
  });

  it('refuses a new evidence deadline no later than the old one', () => {
    given(review['evidence-escalated']).when(rcmd.extend(R.evidenceDue), at('2026-01-20T09:00:00.000Z')).thenRefuses('REVIEW_INVALID_DEADLINE', 'newDeadline');
  });

  it("refuses an overdue finding's new deadline further past the decision than the policy's maximum extension", () => {
    // The high finding was due on 12 March; 90 days from the decision on 20 March is 18 June.
    given(review.escalated).when(rcmd.extend('2026-06-18T09:00:00.001Z', HIGH.id), at(R.decision)).thenRefuses('REVIEW_EXTENSION_TOO_LONG', 'newDeadline');
  });

  it("extends an overdue finding to exactly the policy's maximum past the decision", () => {
    given(review.escalated)
      .when(rcmd.extend('2026-06-18T09:00:00.000Z', HIGH.id), at(R.decision))
      .then([rev.extended(R.highDue, '2026-06-18T09:00:00.000Z', HIGH.id, true)]);
  });

  it('bounds a finding not yet due by its own deadline: at most the maximum past it', () => {
    // The moderate finding is due on 11 May; 90 days past it is 9 August.
    given(review.escalated).when(rcmd.extend('2026-08-10T09:00:00.000Z', MODERATE.id), at(R.decision)).thenRefuses('REVIEW_EXTENSION_TOO_LONG', 'newDeadline');
    given(review.escalated)
      .when(rcmd.extend('2026-08-09T09:00:00.000Z', MODERATE.id), at(R.decision))
      .then([rev.extended(R.moderateDue, '2026-08-09T09:00:00.000Z', MODERATE.id, false)]);
  });

  it('refuses an evidence deadline past the maximum the policy in force sets', () => {
    const policy = { ...DEFAULT_COMPLIANCE_POLICY, maxDeadlineExtensionDays: 10 };
    given(review['evidence-escalated']).when(rcmd.extend('2026-03-01T09:00:00.000Z'), at(late(R.evidenceDue), policy)).thenRefuses('REVIEW_EXTENSION_TOO_LONG', 'newDeadline');
  });

  it('takes any later deadline under a policy pinned before extensions were bounded', () => {
    const { maxDeadlineExtensionDays: _unbounded, ...pinnedBefore } = DEFAULT_COMPLIANCE_POLICY;
    given(review.escalated)
      .when(rcmd.extend('2027-12-31T09:00:00.000Z', HIGH.id), at(R.decision, pinnedBefore))
      .then([rev.extended(R.highDue, '2027-12-31T09:00:00.000Z', HIGH.id, true)]);
  });

  it('refuses extending a verified finding', () => {
    const history = [...review.escalated, rev.remediationSubmitted(MODERATE.id), rev.verified(MODERATE.id)];
    given(history).when(rcmd.extend(newDeadline, MODERATE.id), at(R.decision)).thenRefuses('REVIEW_FINDING_WRONG_STATE', 'findingId');
  });

  it('refuses an extension on a review that is not escalated', () => {
    given(review.remediation).when(rcmd.extend(newDeadline, HIGH.id), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('refuses anyone but a director extending', () => {
    given(review.escalated).when(rcmd.extend(newDeadline, HIGH.id, actors.reviewer), at(R.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('the director deciding an escalation', () => {
  it('decides a suspension, leaving the accreditation to its own process', () => {
    const { state } = given(review.escalated).when(rcmd.suspend(), at(R.decision)).then([rev.suspended()]);
    expect(state.status).toBe('suspended');
  });

  it('decides a revocation of an escalated review', () => {
    const { state } = given(review.escalated).when(rcmd.revoke(), at(R.decision)).then([rev.revoked()]);
    expect(state.status).toBe('revoked');
  });

  it('decides a revocation after a suspension', () => {
    given(review.suspended).when(rcmd.revoke(), at(R.decision)).then([rev.revoked()]);
  });

  it('refuses a suspension of a review that is not escalated', () => {
    given(review.remediation).when(rcmd.suspend(), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('refuses a revocation of a review in remediation', () => {
    given(review.remediation).when(rcmd.revoke(), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it.each([
    ['a reviewer', actors.reviewer],
    ['the engine', actors.system],
    ['the provider', actors.csp],
  ])('refuses %s deciding', (_who, actor) => {
    given(review.escalated).when(rcmd.suspend(actor), at(R.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a director deciding a review they assessed', () => {
    const history = [...review['evidence-submitted'], rev.assessed([HIGH], R.assessed, actors.director), rev.findingOverdue(HIGH), rev.escalated('high-finding-overdue', [HIGH.id], R.highDue)];
    given(history).when(rcmd.suspend(), at(R.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses a director deciding a review they opened', () => {
    const history = [rev.opened('complaint', actors.director), ...review.escalated.slice(1)];
    given(history).when(rcmd.revoke(), at(R.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('closes an escalated review as remediated when its findings are all verified before the decision', () => {
    const history = [
      ...review.escalated,
      ...[HIGH, MODERATE, LOW].flatMap((f) => [rev.remediationSubmitted(f.id), rev.verified(f.id)]).slice(0, -1),
    ];
    given(history).when(rcmd.verify(LOW.id), at(R.decision)).then([rev.verified(LOW.id), rev.closedRemediated(R.decision)]);
  });
});

describe('after a suspension', () => {
  const remediated = [...review.suspended, ...[HIGH, MODERATE, LOW].flatMap((f) => [rev.remediationSubmitted(f.id), rev.verified(f.id)])];

  it('keeps the review suspended when its last finding is verified', () => {
    const history = remediated.slice(0, -1);
    const { state } = given(history).when(rcmd.verify(LOW.id), at(R.decision)).then([rev.verified(LOW.id)]);
    expect(state.status).toBe('suspended');
  });

  it('lets a reviewer recommend reinstatement once every finding is verified', () => {
    const { state } = given(remediated)
      .when(rcmd.recommendReinstatement(), at(R.decision))
      .then([
        {
          type: 'ReviewReinstatementRecommended',
          data: { applicationId: 'APP-1', reasons: 'Every finding remediated and verified', recommendedBy: 'u-rev-2', recommendedByName: 'Person u-rev-2' },
        },
      ]);
    expect(state.status).toBe('reinstatement-recommended');
  });

  it('refuses the recommendation while a finding is unverified', () => {
    given(review.suspended).when(rcmd.recommendReinstatement(), at(R.decision)).thenRefuses('REVIEW_REMEDIATION_INCOMPLETE');
  });

  it('refuses the recommendation on a review that is not suspended', () => {
    given(review.escalated).when(rcmd.recommendReinstatement(), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('refuses anyone but a reviewer recommending', () => {
    given(remediated).when(rcmd.recommendReinstatement(actors.director), at(R.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('still receives the evidence of a review suspended for overdue evidence, then its assessment', () => {
    const suspendedForEvidence = [...review['evidence-escalated'], rev.suspended()];
    const { state } = given(suspendedForEvidence).when(rcmd.submitEvidence(), at(R.decision)).then([rev.evidenceSubmitted()]);
    expect(state.status).toBe('suspended');
    const assessed = given([...suspendedForEvidence, rev.evidenceSubmitted()]).when(rcmd.assess([]), at(R.decision)).then([rev.assessed([], R.decision)]);
    expect(assessed.state.status).toBe('suspended');
    given([...suspendedForEvidence, rev.evidenceSubmitted(), rev.assessed([], R.decision)])
      .when(rcmd.recommendReinstatement(), at(R.decision))
      .then([
        {
          type: 'ReviewReinstatementRecommended',
          data: { applicationId: 'APP-1', reasons: 'Every finding remediated and verified', recommendedBy: 'u-rev-2', recommendedByName: 'Person u-rev-2' },
        },
      ]);
  });

  it('refuses reinstatement of a review suspended before any assessment', () => {
    given([...review['evidence-escalated'], rev.suspended()]).when(rcmd.recommendReinstatement(), at(R.decision)).thenRefuses('REVIEW_REMEDIATION_INCOMPLETE');
  });

  it('refuses new evidence or a new assessment on a review suspended after its assessment', () => {
    given(review.suspended).when(rcmd.submitEvidence(), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
    given(review.suspended).when(rcmd.assess([]), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('refuses a second suspension', () => {
    given(review.suspended).when(rcmd.suspend(), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('ends with a revocation: nothing more happens to the review', () => {
    given(review.revoked).when(rcmd.remediate(HIGH.id), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });
});
