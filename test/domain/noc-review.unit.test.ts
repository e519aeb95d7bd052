import { addDays } from '../../domain/shared/time';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import { given } from './given-when-then';
import { FEDERAL_REQUEST, PUNJAB_REQUEST, T, actors, at, cmd, ev, federal, punjab } from './noc-fixtures';

describe('requesting a NOC', () => {
  it('records the request of a PSE for itself, stamped with who asked and when', () => {
    given([])
      .when(cmd.requestNoc(actors.pse), at(T.requested))
      .then([{ type: 'NocRequested', data: { ...FEDERAL_REQUEST, requestedBy: 'u-pse', requestedAt: T.requested } }]);
  });

  it('lets a provincial PSE request a NOC in its own province', () => {
    given([])
      .when(cmd.requestNoc(actors.punjabPse, PUNJAB_REQUEST), at(T.requested))
      .then([{ type: 'NocRequested', data: { ...PUNJAB_REQUEST, requestedBy: 'u-pb-pse', requestedAt: T.requested } }]);
  });

  it('accepts a duration of exactly the policy maximum', () => {
    const request = { ...FEDERAL_REQUEST, requestedMonths: DEFAULT_NOC_POLICY.maxMonths };
    given([])
      .when(cmd.requestNoc(actors.pse, request), at(T.requested))
      .then([{ type: 'NocRequested', data: { ...request, requestedBy: 'u-pse', requestedAt: T.requested } }]);
  });

  it('refuses a duration longer than the policy allows', () => {
    given([])
      .when(cmd.requestNoc(actors.pse, { ...FEDERAL_REQUEST, requestedMonths: 13 }), at(T.requested))
      .thenRefuses('NOC_DURATION_TOO_LONG', 'requestedMonths');
  });

  it('follows the pinned policy rather than the default one', () => {
    given([])
      .when(cmd.requestNoc(actors.pse, { ...FEDERAL_REQUEST, requestedMonths: 6 }), at(T.requested, { ...DEFAULT_NOC_POLICY, maxMonths: 3 }))
      .thenRefuses('NOC_DURATION_TOO_LONG', 'requestedMonths');
  });

  it('refuses a second request under an id that already exists', () => {
    given(federal.requested).when(cmd.requestNoc(actors.pse), at(T.decision)).thenRefuses('NOC_ALREADY_EXISTS', 'nocId');
  });

  it('refuses a request under the id of a NOC that has ended', () => {
    given(federal.withdrawn).when(cmd.requestNoc(actors.pse), at(T.decision)).thenRefuses('NOC_ALREADY_EXISTS', 'nocId');
  });

  it('refuses a PSE requesting on behalf of another entity', () => {
    given([]).when(cmd.requestNoc(actors.otherPse), at(T.requested)).thenRefuses('NOT_CASE_OWNER');
  });

  it('refuses a PSE requesting in another jurisdiction than its own', () => {
    given([])
      .when(cmd.requestNoc(actors.pse, { ...FEDERAL_REQUEST, jurisdiction: 'sindh' }), at(T.requested))
      .thenRefuses('NOT_CASE_OWNER');
  });

  it.each([
    ['a reviewer', actors.reviewer],
    ['a director', actors.director],
    ['a CSP', actors.csp],
    ['the engine', actors.system],
  ])('refuses %s as the requester: only a PSE requests', (_who, actor) => {
    given([]).when(cmd.requestNoc(actor), at(T.requested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a PSE user who belongs to no organisation', () => {
    const { organisationId: _dropped, ...orphan } = actors.pse;
    given([]).when(cmd.requestNoc(orphan), at(T.requested)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('acting on a NOC that was never requested', () => {
  it.each([
    ['starting a review', cmd.startReview(actors.reviewer)],
    ['deciding', cmd.decide(actors.director)],
    ['withdrawing', cmd.withdraw(actors.pse)],
    ['expiring', cmd.expire()],
  ])('refuses %s with NOC_NOT_REQUESTED', (_what, command) => {
    given([]).when(command, at(T.decision)).thenRefuses('NOC_NOT_REQUESTED');
  });
});

describe('who may see a NOC at all', () => {
  it('refuses a provincial officer of another province', () => {
    given(punjab.requested).when(cmd.startReview(actors.sindhOfficer), at(T.reviewStarted)).thenRefuses('OUTSIDE_JURISDICTION');
  });

  it('refuses a federal reviewer on a provincial NOC', () => {
    given(punjab.requested).when(cmd.startReview(actors.reviewer), at(T.reviewStarted)).thenRefuses('OUTSIDE_JURISDICTION');
  });

  it('refuses a federal director deciding a provincial NOC they oversee: the province decides it', () => {
    given(punjab['awaiting-decision']).when(cmd.decide(actors.director), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses a provincial officer on a federal NOC', () => {
    given(federal.requested).when(cmd.startReview(actors.punjabOfficer), at(T.reviewStarted)).thenRefuses('OUTSIDE_JURISDICTION');
  });

  it('refuses another PSE as forbidden, without telling it where the NOC belongs', () => {
    given(federal.requested).when(cmd.withdraw(actors.otherPse), at(T.decision)).thenRefuses('FORBIDDEN');
  });

  it.each([
    ['a CSP', actors.csp],
    ['an administrator', actors.admin],
  ])('refuses %s, who has no business with NOCs', (_who, actor) => {
    given(federal.requested).when(cmd.startReview(actor), at(T.reviewStarted)).thenRefuses('FORBIDDEN');
  });

  it('lets an auditor see the NOC but not change it', () => {
    given(federal.requested).when(cmd.startReview(actors.auditor), at(T.reviewStarted)).thenRefuses('ROLE_NOT_ALLOWED');
    given(federal.active).when(cmd.withdraw(actors.auditor), at(T.inForce)).thenRefuses('NOT_CASE_OWNER');
  });
});

describe('starting the review', () => {
  it('assigns the federal reviewer who starts it', () => {
    const { state } = given(federal.requested)
      .when(cmd.startReview(actors.reviewer), at(T.reviewStarted))
      .then([{ type: 'NocReviewStarted', data: { reviewerId: 'u-rev', reviewerName: 'Person u-rev' } }]);
    expect(state).toMatchObject({ status: 'under-review', reviewerId: 'u-rev' });
  });

  it("lets an officer of the NOC's own province review a provincial NOC", () => {
    given(punjab.requested)
      .when(cmd.startReview(actors.punjabOfficer), at(T.reviewStarted))
      .then([{ type: 'NocReviewStarted', data: { reviewerId: 'u-pb-1', reviewerName: 'Person u-pb-1' } }]);
  });

  it.each([
    ['a director', actors.director],
    ['a security reviewer', actors.securityReviewer],
    ['the requesting PSE', actors.pse],
  ])('refuses %s as the reviewer of a federal NOC', (_who, actor) => {
    given(federal.requested).when(cmd.startReview(actor), at(T.reviewStarted)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses the person who requested the NOC, even after they became a reviewer', () => {
    const turncoat = { ...actors.reviewer, userId: actors.pse.userId };
    given(federal.requested).when(cmd.startReview(turncoat), at(T.reviewStarted)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses to start a review that has already started', () => {
    given(federal['under-review']).when(cmd.startReview(actors.reviewer2), at(T.reviewStarted)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('asking the PSE for more information', () => {
  it('gives the PSE the policy response time to answer', () => {
    const { state } = given(federal['under-review'])
      .when(cmd.requestInformation(actors.reviewer), at(T.informationRequested))
      .then([
        {
          type: 'NocInformationRequested',
          data: { questions: 'Which systems hold restricted data?', dueBy: T.informationDue, requestedBy: 'u-rev' },
        },
      ]);
    expect(state).toMatchObject({ status: 'awaiting-pse', informationDueBy: T.informationDue });
  });

  it('uses the response time of the pinned policy', () => {
    given(federal['under-review'])
      .when(cmd.requestInformation(actors.reviewer), at(T.informationRequested, { ...DEFAULT_NOC_POLICY, informationResponseDays: 10 }))
      .then([
        {
          type: 'NocInformationRequested',
          data: { questions: 'Which systems hold restricted data?', dueBy: addDays(T.informationRequested, 10), requestedBy: 'u-rev' },
        },
      ]);
  });

  it('refuses to ask before the review has started', () => {
    given(federal.requested).when(cmd.requestInformation(actors.reviewer), at(T.informationRequested)).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses to ask again while an earlier question is open', () => {
    given(federal['awaiting-pse']).when(cmd.requestInformation(actors.reviewer), at(T.informationRequested)).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses a director asking questions on a federal NOC', () => {
    given(federal['under-review']).when(cmd.requestInformation(actors.director), at(T.informationRequested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses the requester asking questions of themself', () => {
    const turncoat = { ...actors.reviewer, userId: actors.pse.userId };
    given(federal['under-review']).when(cmd.requestInformation(turncoat), at(T.informationRequested)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('takes the answer of the requesting PSE and returns the NOC to review', () => {
    const { state } = given(federal['awaiting-pse'])
      .when(cmd.provideInformation(actors.pse), at(T.decision))
      .then([{ type: 'NocInformationProvided', data: { answer: 'Only payroll.', providedBy: 'u-pse' } }]);
    expect(state).toMatchObject({ status: 'under-review', informationDueBy: undefined });
  });

  it('takes the answer of a colleague at the same entity', () => {
    given(federal['awaiting-pse'])
      .when(cmd.provideInformation(actors.pseColleague), at(T.decision))
      .then([{ type: 'NocInformationProvided', data: { answer: 'Only payroll.', providedBy: 'u-pse-2' } }]);
  });

  it('refuses an answer from anyone but the requesting entity', () => {
    given(federal['awaiting-pse']).when(cmd.provideInformation(actors.reviewer), at(T.decision)).thenRefuses('NOT_CASE_OWNER');
  });

  it('refuses an answer nobody asked for', () => {
    given(federal['under-review']).when(cmd.provideInformation(actors.pse), at(T.decision)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('lapsing an unanswered request', () => {
  it('does not lapse before the due date', () => {
    given(federal['awaiting-pse']).when(cmd.lapse(), at(addDays(T.informationDue, -1))).thenRefuses('NOC_WRONG_STATE');
  });

  it('lapses at the due date, recording it', () => {
    const { state } = given(federal['awaiting-pse'])
      .when(cmd.lapse(), at(T.informationDue))
      .then([{ type: 'NocLapsed', data: { reason: 'The requested information was not provided in time', dueBy: T.informationDue } }]);
    expect(state).toMatchObject({ status: 'lapsed', informationDueBy: undefined });
  });

  it('lapses after the due date too (a late timer)', () => {
    given(federal['awaiting-pse'])
      .when(cmd.lapse(), at(addDays(T.informationDue, 3)))
      .then([{ type: 'NocLapsed', data: { reason: 'The requested information was not provided in time', dueBy: T.informationDue } }]);
  });

  it('does not lapse once the PSE has answered', () => {
    given([...federal['awaiting-pse'], ev.informationProvided()]).when(cmd.lapse(), at(T.informationDue)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('recommending', () => {
  it('records the recommendation with its conditions and moves the NOC to the decider', () => {
    const { state } = given(federal['under-review'])
      .when(cmd.recommend(actors.reviewer, 'approve', ['Encrypt backups', 'Quarterly report']), at(T.decision))
      .then([
        {
          type: 'NocRecommended',
          data: {
            recommendation: 'approve',
            reasons: 'Justified and bounded',
            conditions: ['Encrypt backups', 'Quarterly report'],
            recommendedBy: 'u-rev',
            recommendedByName: 'Person u-rev',
          },
        },
      ]);
    expect(state).toMatchObject({ status: 'awaiting-decision', recommendation: { recommendation: 'approve', by: 'u-rev' } });
  });

  it('lets another reviewer than the one who started the review recommend', () => {
    given(federal['under-review'])
      .when(cmd.recommend(actors.reviewer2, 'reject', []), at(T.decision))
      .then([
        {
          type: 'NocRecommended',
          data: { recommendation: 'reject', reasons: 'Justified and bounded', conditions: [], recommendedBy: 'u-rev-2', recommendedByName: 'Person u-rev-2' },
        },
      ]);
  });

  it('refuses a recommendation before the review has started', () => {
    given(federal.requested).when(cmd.recommend(actors.reviewer), at(T.decision)).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses a recommendation while the PSE owes an answer', () => {
    given(federal['awaiting-pse']).when(cmd.recommend(actors.reviewer), at(T.decision)).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses a director recommending on a federal NOC', () => {
    given(federal['under-review']).when(cmd.recommend(actors.director), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses the requester recommending on their own NOC', () => {
    const turncoat = { ...actors.reviewer, userId: actors.pse.userId };
    given(federal['under-review']).when(cmd.recommend(turncoat), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });
});
