import { addDays, addMonths } from '../../domain/shared/time';
import type { AccreditationApplication, AccreditationEvent } from '../../domain/accreditation/events';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { PUBLIC_SAAS, GOV_CLOUD } from './csp-fixtures';
import { FRAMEWORK_1_0, TINY_FRAMEWORK, scoresAtMinimum } from './framework-fixtures';
import { ENHANCED_SUMMARY, T, application, as, at, cmd, ev, given, h, who } from './accreditation-fixtures';

/** A case ready for decision: screened, fully scored at the enhanced minima, security review passed. */
function readyForDecision(app: AccreditationApplication): AccreditationEvent[] {
  return [ev.submitted(app), ev.screeningStarted(), ev.screeningCompleted(), ev.scored(), ev.securityReviewed()];
}

const granted = (grant: Parameters<typeof ev.granted>[0] = {}) => ev.granted(grant);

describe('approving an application', () => {
  it('grants the baseline and data class for the policy’s three years from now, pinning the framework and the scores', () => {
    const { state } = given(h.decision).when(cmd.approve(), at(T.decision)).then([granted()]);
    expect(state).toMatchObject({
      status: 'accredited',
      decidedBy: 'u-dir',
      grant: { baseline: 'enhanced', highestDataClass: 'confidential', conditions: ['Monthly monitoring reports'], validFrom: T.decision, validUntil: T.validUntil },
    });
    expect(granted().data).toMatchObject({ frameworkVersion: '1.0', summary: ENHANCED_SUMMARY });
  });

  it('follows the policy’s validity when it changes', () => {
    const policy = { ...DEFAULT_ACCREDITATION_POLICY, validityYears: 2 };
    given(h.decision).when(cmd.approve(), at(T.decision, { policy })).then([granted({ validUntil: addMonths(T.decision, 24) })]);
  });

  it('may be granted for less than the full validity', () => {
    const validUntil = addMonths(T.decision, 12);
    given(h.decision).when(cmd.approve(who.director, { validUntil }), at(T.decision)).then([granted({ validUntil })]);
  });

  it('refuses a validity beyond the policy’s years, or one that ends before it starts', () => {
    given(h.decision).when(cmd.approve(who.director, { validUntil: addDays(T.validUntil, 1) }), at(T.decision)).thenRefuses('ACCREDITATION_INVALID_VALIDITY', 'validUntil');
    given(h.decision).when(cmd.approve(who.director, { validUntil: T.decision }), at(T.decision)).thenRefuses('ACCREDITATION_INVALID_VALIDITY', 'validUntil');
  });

  it('may grant a lower baseline and data class than the scores support', () => {
    given(h.decision)
      .when(cmd.approve(who.director, { baseline: 'intermediate', highestDataClass: 'restricted' }), at(T.decision))
      .then([granted({ baseline: 'intermediate', highestDataClass: 'restricted' })]);
  });

  it('refuses a baseline the scores do not meet', () => {
    // SEC-01 at 3 falls below the enhanced minimum of 4: the scores meet intermediate only.
    const history = [...h.decision, ev.scored({ 'SEC-01': 3 }, { total: 64.57, complete: true, highestBaselineMet: 'intermediate' })];
    given(history).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_BASELINE_NOT_MET', 'baseline');
  });

  it('refuses a baseline higher than the one applied for, even when the scores would meet it', () => {
    const highest = scoresAtMinimum(FRAMEWORK_1_0, 'highest');
    const history = [...h.decision, ev.scored(highest, { total: 80, complete: true, highestBaselineMet: 'highest' })];
    given(history).when(cmd.approve(who.director, { baseline: 'highest', highestDataClass: 'secret' }), at(T.decision)).thenRefuses('ACCREDITATION_BASELINE_NOT_MET', 'baseline');
  });

  it('refuses while criteria are unscored', () => {
    given(h.securityOnly).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_SCORES_INCOMPLETE');
  });

  it('refuses without a security review, or after a failed one', () => {
    given(h.scored).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_SECURITY_REVIEW_NOT_PASSED');
    given(h.securityFailed).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_SECURITY_REVIEW_NOT_PASSED');
  });

  it('refuses a data class above what the granted baseline allows', () => {
    given(h.decision).when(cmd.approve(who.director, { baseline: 'enhanced', highestDataClass: 'secret' }), at(T.decision)).thenRefuses('ACCREDITATION_DATA_CLASS_NOT_ALLOWED', 'highestDataClass');
    given(h.decision).when(cmd.approve(who.director, { baseline: 'baseline', highestDataClass: 'restricted' }), at(T.decision)).thenRefuses('ACCREDITATION_DATA_CLASS_NOT_ALLOWED', 'highestDataClass');
  });

  it('refuses restricted data and above on an offering that is not a government cloud', () => {
    const publicOffering = { ...PUBLIC_SAAS, dataCentres: [{ city: 'Lahore', country: 'PK' }] };
    given(readyForDecision(application({}, publicOffering)))
      .when(cmd.approve(who.director, { highestDataClass: 'restricted', baseline: 'intermediate' }), at(T.decision))
      .thenRefuses('ACCREDITATION_DATA_CLASS_NOT_ALLOWED', 'highestDataClass');
  });

  it('refuses restricted data and above when any data centre is outside Pakistan, naming it', () => {
    const abroad = { ...GOV_CLOUD, dataCentres: [...GOV_CLOUD.dataCentres, { city: 'Dubai', country: 'AE' }] };
    const refusal = given(readyForDecision(application({}, abroad)))
      .when(cmd.approve(), at(T.decision))
      .thenRefuses('ACCREDITATION_DATA_CLASS_NOT_ALLOWED', 'highestDataClass');
    expect(refusal.message).toContain('Dubai (AE)');
  });

  it('allows public data on a public cloud with data centres abroad', () => {
    given(readyForDecision(application({}, PUBLIC_SAAS)))
      .when(cmd.approve(who.director, { highestDataClass: 'public' }), at(T.decision))
      .then([granted({ highestDataClass: 'public' })]);
  });
});

describe('rejecting an application', () => {
  it('records the reasons and the date from which the offering may apply again', () => {
    const { state } = given(h.decision).when(cmd.reject(), at(T.decision)).then([ev.rejected()]);
    expect(state).toMatchObject({ status: 'rejected', decidedBy: 'u-dir', reapplyAfter: addDays(T.decision, 90) });
  });

  it('may happen during assessment, before every score is in', () => {
    given(h.securityOnly).when(cmd.reject(), at(T.decision)).then([ev.rejected()]);
  });

  it('follows a failed security review', () => {
    given(h.securityFailed).when(cmd.reject(), at(T.decision)).then([ev.rejected()]);
  });
});

describe('who may decide, and when', () => {
  it('is a director only', () => {
    for (const actor of [who.reviewer, who.securityReviewer, who.admin, who.csp]) {
      given(h.decision).when(cmd.approve(actor), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is nobody who reviewed the case technically, screening included', () => {
    given(h.decision).when(cmd.approve(as(who.director, 'u-rev')), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
    const screenedByAnother = [ev.submitted(), ev.screeningStarted(who.reviewer2), ev.screeningCompleted(who.reviewer2), ev.scored(), ev.securityReviewed()];
    given(screenedByAnother).when(cmd.reject(as(who.director, 'u-rev-2')), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is not the security reviewer', () => {
    given(h.decision).when(cmd.reject(as(who.director, 'u-sec')), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is not the person who submitted the application', () => {
    const history = readyForDecision(application()).map((e, i) => (i === 0 ? ev.submitted(application(), as(who.csp, 'u-dir')) : e));
    given(history).when(cmd.approve(), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is not before assessment, and only once', () => {
    given(h.screening).when(cmd.reject(), at(T.decision)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.accredited).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.rejected).when(cmd.approve(), at(T.decision)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is against the framework pinned on the application', () => {
    given(h.decision).when(cmd.approve(), at(T.decision, { framework: TINY_FRAMEWORK })).thenRefuses('ACCREDITATION_FRAMEWORK_MISMATCH');
  });
});
