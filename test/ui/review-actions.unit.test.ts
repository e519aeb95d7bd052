import { DEFAULT_COMPLIANCE_POLICY, foldReview, type ReviewEvent } from '../../domain/compliance';
import type { Actor } from '../../domain/shared/actor';
import { availableReviewActions, parseReviewAction, reviewFormByPath, type ReviewActionForm } from '../../ui/review-actions';

const reviewer: Actor = { userId: 'u-rania', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const director: Actor = { userId: 'u-dawood', name: 'Dawood Director', role: 'director', jurisdiction: 'federal' };
const csp: Actor = { userId: 'u-nimbus', name: 'Nimbus Rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus' };
const ctx = { now: '2026-11-15T00:00:00.000Z', policy: DEFAULT_COMPLIANCE_POLICY };

const history: ReviewEvent[] = [
  {
    type: 'ReviewOpened',
    data: {
      reviewId: 'R1',
      applicationId: 'ACC-1',
      offeringId: 'off-gov',
      cspId: 'csp-nimbus',
      trigger: 'complaint',
      description: 'Complaint about data residency',
      openedBy: 'u-other',
      openedAt: '2026-09-01T00:00:00.000Z',
    },
  },
  { type: 'ReviewEvidenceRequested', data: { request: 'Residency proof', dueBy: '2026-10-01T00:00:00.000Z', requestedBy: 'u-other' } },
  { type: 'ReviewEvidenceSubmitted', data: { summary: 'Proof', documents: [], submittedBy: 'u-nimbus' } },
  {
    type: 'ReviewAssessed',
    data: {
      summary: 'Two findings',
      findings: [
        { id: 'F1', title: 'Backups abroad', severity: 'high', deadline: '2026-11-01T00:00:00.000Z' },
        { id: 'F2', title: 'Stale inventory', severity: 'low', deadline: '2027-03-01T00:00:00.000Z' },
      ],
      assessedBy: 'u-other',
      assessedByName: 'Other Reviewer',
      assessedAt: '2026-10-02T00:00:00.000Z',
    },
  },
  { type: 'ReviewRemediationSubmitted', data: { findingId: 'F2', description: 'Inventory updated', submittedBy: 'u-nimbus' } },
];
const form = (path: string): ReviewActionForm => reviewFormByPath(path) as ReviewActionForm;
const offered = (events: ReviewEvent[], actor: Actor) =>
  availableReviewActions(foldReview(events), actor, ctx).map((a) => `${a.form.path}${a.findingIds.some((id) => id !== 'evidence') || a.findingIds.length > 1 ? `:${a.findingIds.join(',')}` : ''}`);

describe('the review actions offered, as the decider allows them', () => {
  it('offers a reviewer the verification of only the finding whose remediation evidence is in, and the provider remediation of only the open one', () => {
    expect(offered(history, reviewer)).toEqual(['verify:F2']);
    expect(offered(history, csp)).toEqual(['submit-remediation:F1']);
    expect(offered(history, director)).toEqual([]);
  });

  it('offers a director the extension of the overdue finding that was never extended, besides suspension and revocation', () => {
    const escalated: ReviewEvent[] = [
      ...history,
      { type: 'ReviewFindingOverdue', data: { findingId: 'F1', severity: 'high', deadline: '2026-11-01T00:00:00.000Z' } },
      { type: 'ReviewEscalated', data: { reason: 'high-finding-overdue', findingIds: ['F1'], escalatedAt: '2026-11-01T00:00:00.000Z' } },
    ];
    expect(offered(escalated, director)).toEqual(['extend-deadline:F1,F2', 'suspend', 'revoke']);
    const extendedOnce: ReviewEvent[] = [
      ...escalated,
      {
        type: 'ReviewDeadlineExtended',
        data: {
          findingId: 'F2',
          previousDeadline: '2027-03-01T00:00:00.000Z',
          newDeadline: '2027-04-01T00:00:00.000Z',
          escalationResolved: false,
          reasons: 'Supplier delay',
          decidedBy: 'u-dina',
          decidedByName: 'Dina Director',
        },
      },
    ];
    expect(offered(extendedOnce, director)).toEqual(['extend-deadline:F1', 'suspend', 'revoke']);
  });
});

describe('reading a review form', () => {
  it('reads an extension of the evidence deadline as one without a finding, to the end of the chosen day', () => {
    expect(parseReviewAction(form('extend-deadline'), { findingId: 'evidence', newDeadline: '2026-12-31', reasons: 'Holidays' })).toEqual({
      ok: true,
      data: { newDeadline: '2026-12-31T23:59:59.000Z', reasons: 'Holidays' },
    });
  });

  it('refuses a deadline that is not a date and a decision without reasons, by field', () => {
    expect(parseReviewAction(form('extend-deadline'), { findingId: 'F1', newDeadline: 'soon', reasons: ' ' })).toEqual({
      ok: false,
      errors: { newDeadline: 'New deadline: enter a date', reasons: 'Enter the reasons for extending' },
    });
    expect(parseReviewAction(form('revoke'), {})).toEqual({ ok: false, errors: { reasons: 'Enter the reasons for revoking' } });
  });

  it('reads the filled finding rows only, and puts a rule of the schema on the row that broke it', () => {
    const parsed = parseReviewAction(form('assess'), {
      summary: 'Findings',
      'finding-2-id': 'X'.repeat(101),
      'finding-2-title': 'Too long an id',
      'finding-2-severity': 'moderate',
      'finding-5-title': 'Fine',
      'finding-5-severity': 'low',
    });
    expect(parsed.ok).toBe(false);
    expect(Object.keys((parsed as { errors: Record<string, string> }).errors)).toEqual(['finding-2-id']);
    expect((parsed as { errors: Record<string, string> }).errors['finding-2-id']).toMatch(/^Finding 2: /);
    expect(parseReviewAction(form('assess'), { summary: 'Nothing found' })).toEqual({ ok: true, data: { summary: 'Nothing found', findings: [] } });
  });
});
