import { addDays } from '../../domain/shared/time';
import { AccreditationCommandPayloads } from '../../domain/accreditation/commands';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { checkCoolingOff } from '../../domain/accreditation/rules';
import { DomainError } from '../../domain/shared/errors';
import { EVIDENCE, T, application, as, at, cmd, ev, given, h, who } from './accreditation-fixtures';
import { TINY_FRAMEWORK } from './framework-fixtures';

describe('submitting an application', () => {
  it('opens the case with the application, the submitter and the policy version pinned', () => {
    const { state } = given([]).when(cmd.submit(), at(T.submitted)).then([ev.submitted()]);
    expect(state).toMatchObject({
      status: 'submitted',
      application: application(),
      submittedBy: 'u-csp',
      submittedAt: T.submitted,
      policyVersion: DEFAULT_ACCREDITATION_POLICY.version,
      evidence: EVIDENCE,
      technicalReviewers: [],
      scores: {},
      renewalWindowOpen: false,
    });
  });

  it('is refused when the application id is taken', () => {
    given(h.submitted).when(cmd.submit(), at(T.submitted)).thenRefuses('ACCREDITATION_ALREADY_EXISTS', 'applicationId');
  });

  it('is refused to anyone but a CSP representative', () => {
    for (const actor of [who.reviewer, who.director, who.admin, who.pse]) {
      given([]).when(cmd.submit(actor), at(T.submitted)).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it("is refused to a representative applying for another CSP's offering", () => {
    given([]).when(cmd.submit(who.otherCsp), at(T.submitted)).thenRefuses('NOT_CASE_OWNER', 'cspId');
  });

  it('is refused when the framework supplied is not the version the application names', () => {
    given([]).when(cmd.submit(), at(T.submitted, { framework: TINY_FRAMEWORK })).thenRefuses('ACCREDITATION_FRAMEWORK_MISMATCH', 'frameworkVersion');
  });

  it('is refused within 90 days of a rejection of the same offering, and accepted from the 90th day', () => {
    const rejectedAt = addDays(T.submitted, -89);
    given([]).when(cmd.submit(), at(T.submitted, { lastRejectedAt: rejectedAt })).thenRefuses('ACCREDITATION_COOLING_OFF', 'offeringId');
    given([]).when(cmd.submit(), at(T.submitted, { lastRejectedAt: addDays(T.submitted, -90) })).then([ev.submitted()]);
  });

  it('is refused when a piece of evidence has already expired, naming it', () => {
    const stale = { kind: 'soc2' as const, reference: 'SOC 2 Type II 2022', expiresAt: T.submitted };
    given([]).when(cmd.submit(who.csp, application({ evidence: [...EVIDENCE, stale] })), at(T.submitted)).thenRefuses('ACCREDITATION_EVIDENCE_EXPIRED', 'evidence[2].expiresAt');
  });
});

describe('the cooling-off check', () => {
  it('passes when the offering was never rejected', () => {
    expect(() => checkCoolingOff(undefined, T.submitted, DEFAULT_ACCREDITATION_POLICY)).not.toThrow();
  });

  it('names the first day the offering may apply again', () => {
    const rejectedAt = '2025-01-01T00:00:00.000Z';
    let refusal: DomainError | undefined;
    try {
      checkCoolingOff(rejectedAt, '2025-03-01T00:00:00.000Z', DEFAULT_ACCREDITATION_POLICY);
    } catch (error) {
      refusal = error as DomainError;
    }
    expect(refusal?.code).toBe('ACCREDITATION_COOLING_OFF');
    expect(refusal?.message).toContain('2025-04-01T00:00:00.000Z');
  });

  it('follows the policy, not a constant', () => {
    const policy = { ...DEFAULT_ACCREDITATION_POLICY, coolingOffDays: 10 };
    expect(() => checkCoolingOff('2025-01-01T00:00:00.000Z', '2025-01-11T00:00:00.000Z', policy)).not.toThrow();
  });
});

describe('the submission payload', () => {
  const submit = AccreditationCommandPayloads.Submit;

  it('needs at least one piece of evidence of a known kind', () => {
    expect(submit.safeParse(application()).success).toBe(true);
    expect(submit.safeParse(application({ evidence: [] })).success).toBe(false);
    expect(submit.safeParse({ ...application(), evidence: [{ kind: 'pci-dss', reference: 'x' }] }).success).toBe(false);
  });

  it('refuses evidence that expires before it was issued, naming expiresAt', () => {
    const parsed = submit.safeParse(application({ evidence: [{ kind: 'dc-tier', reference: 'Tier III', issuedAt: '2025-01-01T00:00:00.000Z', expiresAt: '2024-01-01T00:00:00.000Z' }] }));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['evidence', 0, 'expiresAt']);
  });

  it('needs a requested baseline from the policy vocabulary', () => {
    expect(submit.safeParse({ ...application(), requestedBaseline: 'maximum' }).success).toBe(false);
  });
});

describe('screening', () => {
  it('is started by a reviewer, who becomes a technical reviewer of the case', () => {
    const { state } = given(h.submitted).when(cmd.startScreening(), at(T.screeningStarted)).then([ev.screeningStarted()]);
    expect(state).toMatchObject({ status: 'screening', screeningReviewerId: 'u-rev', technicalReviewers: ['u-rev'] });
  });

  it('is refused to anyone but a reviewer', () => {
    for (const actor of [who.securityReviewer, who.director, who.csp]) {
      given(h.submitted).when(cmd.startScreening(actor), at(T.screeningStarted)).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused to a reviewer who submitted the application', () => {
    given([ev.submitted(application(), as(who.csp, 'u-rev'))]).when(cmd.startScreening(), at(T.screeningStarted)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('is refused once started', () => {
    given(h.screening).when(cmd.startScreening(who.reviewer2), at(T.screeningStarted)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is completed by a reviewer, moving the case to assessment', () => {
    const { state } = given(h.screening).when(cmd.completeScreening(who.reviewer2), at(T.scored)).then([ev.screeningCompleted(who.reviewer2)]);
    expect(state.status).toBe('assessment');
  });

  it('cannot be completed while the applicant owes information, nor before it starts', () => {
    given(h['awaiting-applicant']).when(cmd.completeScreening(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.submitted).when(cmd.completeScreening(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('cannot be completed by a security reviewer', () => {
    given(h.screening).when(cmd.completeScreening(who.securityReviewer), at(T.scored)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('cannot be completed by a reviewer who submitted the application', () => {
    given([ev.submitted(application(), as(who.csp, 'u-rev-2')), ev.screeningStarted()])
      .when(cmd.completeScreening(who.reviewer2), at(T.scored))
      .thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses any other command before an application is submitted', () => {
    given([]).when(cmd.startScreening(), at(T.screeningStarted)).thenRefuses('ACCREDITATION_NOT_SUBMITTED');
  });
});

describe('requesting information', () => {
  it('gives the applicant the policy’s 30 days to answer', () => {
    const { state } = given(h.screening).when(cmd.requestInformation(), at(T.informationRequested)).then([ev.informationRequested()]);
    expect(state).toMatchObject({ status: 'awaiting-applicant', informationDueBy: T.informationDue });
  });

  it('follows the policy when it changes the number of days', () => {
    const policy = { ...DEFAULT_ACCREDITATION_POLICY, informationResponseDays: 10 };
    given(h.screening)
      .when(cmd.requestInformation(), at(T.informationRequested, { policy }))
      .then([{ ...ev.informationRequested(), data: { ...ev.informationRequested().data, dueBy: addDays(T.informationRequested, 10) } }]);
  });

  it('is refused outside screening and to non-reviewers', () => {
    given(h.submitted).when(cmd.requestInformation(), at(T.informationRequested)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.screening).when(cmd.requestInformation(who.director), at(T.informationRequested)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('is refused to a reviewer who submitted the application', () => {
    given([ev.submitted(application(), as(who.csp, 'u-rev-2')), ev.screeningStarted()])
      .when(cmd.requestInformation(who.reviewer2), at(T.informationRequested))
      .thenRefuses('FOUR_EYES_VIOLATION');
  });
});

describe('providing information', () => {
  it('returns the case to screening and adds any new evidence', () => {
    const soc2 = { kind: 'soc2' as const, reference: 'SOC 2 Type II 2024', expiresAt: '2026-01-01T00:00:00.000Z' };
    const { state } = given(h['awaiting-applicant'])
      .when(cmd.provideInformation(who.cspColleague, [soc2]), at(T.scored))
      .then([ev.informationProvided([soc2], who.cspColleague)]);
    expect(state).toMatchObject({ status: 'screening', informationDueBy: undefined, evidence: [...EVIDENCE, soc2] });
  });

  it('is refused to another CSP and to Cloud Office staff', () => {
    given(h['awaiting-applicant']).when(cmd.provideInformation(who.otherCsp), at(T.scored)).thenRefuses('NOT_CASE_OWNER');
    given(h['awaiting-applicant']).when(cmd.provideInformation(who.reviewer), at(T.scored)).thenRefuses('NOT_CASE_OWNER');
  });

  it('is refused when nothing was asked', () => {
    given(h.screening).when(cmd.provideInformation(), at(T.scored)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is refused with evidence that has already expired', () => {
    const stale = { kind: 'soc2' as const, reference: 'SOC 2 Type II 2022', expiresAt: '2024-12-31T00:00:00.000Z' };
    given(h['awaiting-applicant']).when(cmd.provideInformation(who.csp, [stale]), at(T.scored)).thenRefuses('ACCREDITATION_EVIDENCE_EXPIRED', 'evidence[0].expiresAt');
  });
});

describe('lapsing', () => {
  it('happens when the information is still owed at its due date', () => {
    const { state } = given(h['awaiting-applicant']).when(cmd.lapse(), at(T.informationDue)).then([ev.lapsed()]);
    expect(state).toMatchObject({ status: 'lapsed', informationDueBy: undefined });
  });

  it('is refused before the due date', () => {
    given(h['awaiting-applicant']).when(cmd.lapse(), at(addDays(T.informationDue, -1))).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is refused once the information was provided', () => {
    given([...h['awaiting-applicant'], ev.informationProvided()]).when(cmd.lapse(), at(T.informationDue)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is done by the engine, never a person', () => {
    given(h['awaiting-applicant']).when(cmd.lapse(who.director), at(T.informationDue)).thenRefuses('ROLE_NOT_ALLOWED');
    given(h['awaiting-applicant']).when(cmd.lapse(who.admin), at(T.informationDue)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});
