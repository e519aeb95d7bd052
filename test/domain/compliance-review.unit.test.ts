import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import type { ReviewCase } from '../../domain/compliance/review-state';
import { HIGH, LOW, MODERATE, R, SUBJECT, actors, at, givenReview as given, rcmd, rev, review } from './compliance-fixtures';

describe('opening a compliance review', () => {
  it('lets the engine open one on the anniversary', () => {
    const { state } = given([]).when(rcmd.open(), at(R.opened)).then([rev.opened('anniversary')]);
    expect(state).toMatchObject({ status: 'opened', subject: SUBJECT, trigger: 'anniversary', openedBy: 'system' });
  });

  it('lets a reviewer open one on a complaint', () => {
    given([]).when(rcmd.open(actors.reviewer, 'complaint'), at(R.opened)).then([rev.opened('complaint', actors.reviewer)]);
  });

  it.each([
    ['a director', actors.director],
    ['the provider', actors.csp],
    ['a PSE', actors.pse],
  ])('refuses %s opening a review', (_who, actor) => {
    given([]).when(rcmd.open(actor), at(R.opened)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a second review under the same id', () => {
    given(review.opened).when(rcmd.open(), at(R.opened)).thenRefuses('REVIEW_ALREADY_EXISTS', 'reviewId');
  });

  it('refuses acting on a review that was never opened', () => {
    given([]).when(rcmd.requestEvidence(), at(R.opened)).thenRefuses('REVIEW_NOT_OPENED');
  });
});

describe('evidence', () => {
  it('is requested by a reviewer with the policy deadline', () => {
    given(review.opened).when(rcmd.requestEvidence(), at(R.evidenceRequested)).then([rev.evidenceRequested(R.evidenceDue)]);
  });

  it('follows the pinned evidence deadline', () => {
    given(review.opened)
      .when(rcmd.requestEvidence(), at(R.evidenceRequested, { ...DEFAULT_COMPLIANCE_POLICY, evidenceResponseDays: 10 }))
      .then([rev.evidenceRequested('2026-01-22T09:00:00.000Z')]);
  });

  it('refuses anyone but a reviewer requesting evidence', () => {
    given(review.opened).when(rcmd.requestEvidence(actors.director), at(R.evidenceRequested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses requesting evidence twice', () => {
    given(review['evidence-requested']).when(rcmd.requestEvidence(), at(R.evidenceRequested)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('is submitted by the provider', () => {
    const { state } = given(review['evidence-requested']).when(rcmd.submitEvidence(), at(R.evidenceSubmitted)).then([rev.evidenceSubmitted()]);
    expect(state.status).toBe('evidence-submitted');
  });

  it('records the files the provider names by their hashes, and no files entry when it names none', () => {
    const files = [{ sha256: 'a'.repeat(64), filename: 'sar-2026.pdf', size: 2048, contentType: 'application/pdf' }];
    const withFiles = rcmd.submitEvidence();
    given(review['evidence-requested'])
      .when({ ...withFiles, data: { ...withFiles.data, files } }, at(R.evidenceSubmitted))
      .then([{ ...rev.evidenceSubmitted(), data: { ...rev.evidenceSubmitted().data, files } }]);
    given(review['evidence-requested'])
      .when({ ...withFiles, data: { ...withFiles.data, files: [] } }, at(R.evidenceSubmitted))
      .then([rev.evidenceSubmitted()]);
  });

  it('refuses evidence from another provider', () => {
    given(review['evidence-requested']).when(rcmd.submitEvidence(actors.otherCsp), at(R.evidenceSubmitted)).thenRefuses('NOT_CASE_OWNER');
  });

  it('refuses evidence nobody asked for', () => {
    given(review.opened).when(rcmd.submitEvidence(), at(R.evidenceSubmitted)).thenRefuses('REVIEW_WRONG_STATE');
  });
});

describe('assessing a review', () => {
  it('closes the review as compliant when there are no findings', () => {
    const { state } = given(review['evidence-submitted'])
      .when(rcmd.assess([]), at(R.assessed))
      .then([rev.assessed([]), rev.closedCompliant(R.assessed)]);
    expect(state.status).toBe('closed-compliant');
  });

  it('opens remediation with a deadline per finding by severity: 30, 90 and 180 days', () => {
    const { events, state } = given(review['evidence-submitted']).when(rcmd.assess([HIGH, MODERATE, LOW]), at(R.assessed)).then([rev.assessed([HIGH, MODERATE, LOW])]);
    expect(events[0]?.type === 'ReviewAssessed' && events[0].data.findings.map((f) => f.deadline)).toEqual([R.highDue, R.moderateDue, R.lowDue]);
    expect(state.status).toBe('remediation');
    expect((state as ReviewCase).findings.every((f) => f.status === 'open' && !f.overdue && !f.extended)).toBe(true);
  });

  it('follows the pinned remediation deadlines', () => {
    const policy = { ...DEFAULT_COMPLIANCE_POLICY, remediationDays: { high: 7, moderate: 60, low: 120 } };
    const assessed = rev.assessed([]);
    given(review['evidence-submitted'])
      .when(rcmd.assess([HIGH]), at(R.assessed, policy))
      .then([{ type: 'ReviewAssessed', data: { ...assessed.data, findings: [{ ...HIGH, deadline: '2026-02-17T09:00:00.000Z' }] } }]);
  });

  it('refuses to close clean a review opened by a late significant change: the lateness is a finding', () => {
    const lateChange = [rev.opened('significant-change'), ...review['evidence-submitted'].slice(1)];
    given(lateChange).when(rcmd.assess([]), at(R.assessed)).thenRefuses('REVIEW_LATE_CHANGE_IS_A_FINDING', 'findings');
    const { state } = given(lateChange).when(rcmd.assess([LOW]), at(R.assessed)).then([rev.assessed([LOW])]);
    expect(state.status).toBe('remediation');
  });

  it('refuses two findings with the same id', () => {
    given(review['evidence-submitted']).when(rcmd.assess([HIGH, HIGH]), at(R.assessed)).thenRefuses('VALIDATION_FAILED', 'findings');
  });

  it('refuses an assessment before the evidence is in', () => {
    given(review['evidence-requested']).when(rcmd.assess([]), at(R.assessed)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('refuses anyone but a reviewer assessing', () => {
    given(review['evidence-submitted']).when(rcmd.assess([], actors.director), at(R.assessed)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a second assessment', () => {
    given(review.remediation).when(rcmd.assess([]), at(R.assessed)).thenRefuses('REVIEW_WRONG_STATE');
  });
});

describe('remediating findings', () => {
  it('takes the provider evidence per finding', () => {
    const { state } = given(review.remediation).when(rcmd.remediate(HIGH.id, actors.cspColleague), at(R.decision)).then([rev.remediationSubmitted(HIGH.id, actors.cspColleague)]);
    expect((state as ReviewCase).findings.find((f) => f.id === HIGH.id)?.status).toBe('evidence-submitted');
  });

  it('refuses evidence for an unknown finding', () => {
    given(review.remediation).when(rcmd.remediate('F-404'), at(R.decision)).thenRefuses('REVIEW_FINDING_NOT_FOUND', 'findingId');
  });

  it('refuses evidence twice for a finding awaiting verification', () => {
    given([...review.remediation, rev.remediationSubmitted(HIGH.id)])
      .when(rcmd.remediate(HIGH.id), at(R.decision))
      .thenRefuses('REVIEW_FINDING_WRONG_STATE', 'findingId');
  });

  it('refuses remediation evidence from another provider', () => {
    given(review.remediation).when(rcmd.remediate(HIGH.id, actors.otherCsp), at(R.decision)).thenRefuses('NOT_CASE_OWNER');
  });

  it('refuses remediation evidence before the assessment', () => {
    given(review['evidence-submitted']).when(rcmd.remediate(HIGH.id), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });

  it('verifies a finding without closing the review while others stay open', () => {
    given([...review.remediation, rev.remediationSubmitted(HIGH.id)]).when(rcmd.verify(HIGH.id), at(R.decision)).then([rev.verified(HIGH.id)]);
  });

  it('sends a rejected finding back to the provider', () => {
    const { state } = given([...review.remediation, rev.remediationSubmitted(HIGH.id)])
      .when(rcmd.verify(HIGH.id, 'rejected'), at(R.decision))
      .then([rev.rejected(HIGH.id)]);
    expect((state as ReviewCase).findings.find((f) => f.id === HIGH.id)?.status).toBe('open');
  });

  it('closes the review as remediated when the last finding is verified', () => {
    const history = [
      ...review.remediation,
      rev.remediationSubmitted(HIGH.id),
      rev.verified(HIGH.id),
      rev.remediationSubmitted(MODERATE.id),
      rev.verified(MODERATE.id),
      rev.remediationSubmitted(LOW.id),
    ];
    const { state } = given(history).when(rcmd.verify(LOW.id), at(R.decision)).then([rev.verified(LOW.id), rev.closedRemediated(R.decision)]);
    expect(state.status).toBe('closed-remediated');
  });

  it('refuses verifying a finding with no evidence', () => {
    given(review.remediation).when(rcmd.verify(HIGH.id), at(R.decision)).thenRefuses('REVIEW_FINDING_WRONG_STATE', 'findingId');
  });

  it('refuses anyone but a reviewer verifying', () => {
    given([...review.remediation, rev.remediationSubmitted(HIGH.id)]).when(rcmd.verify(HIGH.id, 'verified', actors.csp), at(R.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses remediation on a closed review', () => {
    given(review['closed-compliant']).when(rcmd.remediate(HIGH.id), at(R.decision)).thenRefuses('REVIEW_WRONG_STATE');
  });
});
