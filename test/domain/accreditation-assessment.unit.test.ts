import { AccreditationCommandPayloads } from '../../domain/accreditation/commands';
import { foldAccreditation } from '../../domain/accreditation/evolve';
import { TINY_FRAMEWORK } from './framework-fixtures';
import { ENHANCED_SCORES, ENHANCED_SUMMARY, SECURITY_SCORES, T, application, as, at, cmd, ev, given, h, who } from './accreditation-fixtures';

describe('scoring criteria', () => {
  it('records the scores with a summary against the pinned framework and the requested baseline', () => {
    const { state } = given(h.assessment).when(cmd.score(), at(T.scored)).then([ev.scored()]);
    expect(state).toMatchObject({ status: 'assessment', scores: ENHANCED_SCORES, scoreSummary: ENHANCED_SUMMARY, technicalReviewers: ['u-rev'] });
  });

  it('may come in rounds; a later round completes the scores, and re-scoring replaces a criterion’s score', () => {
    // Security group alone: (3×4 + 3×4 + 2×4 + 2×4 + 2×3) / (35 × 5) of all weights = 46/175.
    const partial = { total: 26.29, complete: false, highestBaselineMet: null };
    const first = given(h.assessment).when(cmd.score(who.reviewer, SECURITY_SCORES), at(T.scored)).then([ev.scored(SECURITY_SCORES, partial)]);
    expect(first.state).toMatchObject({ status: 'assessment', scores: SECURITY_SCORES });

    const rest = Object.fromEntries(Object.entries(ENHANCED_SCORES).filter(([id]) => !id.startsWith('SEC-')));
    const second = given([...h.assessment, ev.scored(SECURITY_SCORES, partial)])
      .when(cmd.score(who.reviewer2, rest), at(T.scored))
      .then([ev.scored(rest, ENHANCED_SUMMARY, who.reviewer2)]);
    expect(second.state).toMatchObject({ scores: ENHANCED_SCORES, technicalReviewers: ['u-rev', 'u-rev-2'] });

    // Dropping SEC-01 from 4 to 3 loses the enhanced baseline (minimum 4): 3 fewer weighted points of 175.
    given(h.scored)
      .when(cmd.score(who.reviewer, { 'SEC-01': 3 }), at(T.scored))
      .then([ev.scored({ 'SEC-01': 3 }, { total: 64.57, complete: true, highestBaselineMet: 'intermediate' })]);
  });

  it('moves the case to decision once every criterion is scored and a security review is on file', () => {
    const { state } = given(h.securityOnly).when(cmd.score(), at(T.scored)).then([ev.scored()]);
    expect(state.status).toBe('decision');
  });

  it('may still revise scores while the decision is pending', () => {
    const { state } = given(h.decision).when(cmd.score(who.reviewer, { 'CST-01': 5 }), at(T.scored)).then([
      // CST-01 (weight 1) from 2 to 5: 116 + 3 = 119 of 175 weighted points.
      ev.scored({ 'CST-01': 5 }, { total: 68, complete: true, highestBaselineMet: 'enhanced' }),
    ]);
    expect(state).toMatchObject({ status: 'decision', scores: { 'CST-01': 5 } });
  });

  it('is refused for a criterion the pinned framework does not have, naming it', () => {
    given(h.assessment).when(cmd.score(who.reviewer, { 'SEC-01': 4, 'XYZ-99': 3 }), at(T.scored)).thenRefuses('ACCREDITATION_UNKNOWN_CRITERION', 'scores.XYZ-99');
  });

  it('is refused when the framework supplied is not the one pinned on the application', () => {
    given(h.assessment).when(cmd.score(), at(T.scored, { framework: TINY_FRAMEWORK })).thenRefuses('ACCREDITATION_FRAMEWORK_MISMATCH');
  });

  it('is refused before assessment and after the decision', () => {
    given(h.screening).when(cmd.score(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.accredited).when(cmd.score(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is refused to anyone but a reviewer', () => {
    for (const actor of [who.securityReviewer, who.director, who.csp]) {
      given(h.assessment).when(cmd.score(actor), at(T.scored)).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused to the person who recorded the security review', () => {
    given(h.securityOnly).when(cmd.score(as(who.reviewer, 'u-sec')), at(T.scored)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is refused to the person who submitted the application', () => {
    given([ev.submitted(application(), as(who.csp, 'u-rev')), ev.screeningStarted(who.reviewer2), ev.screeningCompleted(who.reviewer2)])
      .when(cmd.score(), at(T.scored))
      .thenRefuses('FOUR_EYES_VIOLATION');
  });
});

describe('recording the security review', () => {
  it('keeps the outcome and the reviewer, and moves a fully scored case to decision', () => {
    const { state } = given(h.scored).when(cmd.securityReview(), at(T.scored)).then([ev.securityReviewed()]);
    expect(state).toMatchObject({ status: 'decision', securityReview: { outcome: 'passed', notes: 'Reviewed the controls', by: 'u-sec' } });
  });

  it('leaves the case in assessment while scores are missing', () => {
    const { state } = given(h.assessment).when(cmd.securityReview(), at(T.scored)).then([ev.securityReviewed()]);
    expect(state.status).toBe('assessment');
  });

  it('records a failure too, which still lets the director decide', () => {
    const { state } = given(h.scored).when(cmd.securityReview(who.securityReviewer, 'failed'), at(T.scored)).then([ev.securityReviewed('failed')]);
    expect(state).toMatchObject({ status: 'decision', securityReview: { outcome: 'failed' } });
  });

  it('is refused to anyone but a security reviewer', () => {
    for (const actor of [who.reviewer, who.director, who.csp]) {
      given(h.scored).when(cmd.securityReview(actor), at(T.scored)).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused to a person who screened or scored the case', () => {
    given(h.scored).when(cmd.securityReview(as(who.securityReviewer, 'u-rev')), at(T.scored)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is refused to the person who submitted the application', () => {
    given([ev.submitted(application(), as(who.csp, 'u-sec')), ev.screeningStarted(), ev.screeningCompleted()])
      .when(cmd.securityReview(), at(T.scored))
      .thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is refused before assessment', () => {
    given(h.screening).when(cmd.securityReview(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });
});

describe('the scoring payload', () => {
  it('needs at least one whole-point score from 0 to 5', () => {
    const score = AccreditationCommandPayloads.ScoreCriteria;
    expect(score.safeParse({ scores: { 'SEC-01': 5 }, rationale: 'ok' }).success).toBe(true);
    expect(score.safeParse({ scores: {}, rationale: 'ok' }).success).toBe(false);
    expect(score.safeParse({ scores: { 'SEC-01': 6 }, rationale: 'ok' }).success).toBe(false);
    expect(score.safeParse({ scores: { 'SEC-01': 2.5 }, rationale: 'ok' }).success).toBe(false);
  });
});

describe('folding the accreditation history', () => {
  it('ignores events before the application is submitted', () => {
    expect(foldAccreditation([ev.screeningStarted()])).toEqual({ status: 'none' });
  });

  it('counts a reviewer who screened and scored once among the technical reviewers', () => {
    expect(foldAccreditation(h.scored)).toMatchObject({ technicalReviewers: ['u-rev'] });
  });
});
