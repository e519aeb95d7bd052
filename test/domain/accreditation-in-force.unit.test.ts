import { addDays, addMonths } from '../../domain/shared/time';
import { DEFAULT_ACCREDITATION_POLICY } from '../../domain/accreditation/policy';
import { ACCREDITATION_CASE_STATUSES } from '../../domain/accreditation/state';
import { RENEWAL_OPENS, T, application, as, at, cmd, ev, given, h, who } from './accreditation-fixtures';

describe('the renewal window', () => {
  it('opens 90 days before the accreditation ends', () => {
    expect(RENEWAL_OPENS).toBe('2027-11-05T10:00:00.000Z');
    const { state } = given(h.accredited).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS)).then([ev.renewalWindowOpened()]);
    expect(state).toMatchObject({ status: 'accredited', renewalWindowOpen: true });
  });

  it('opens for a suspended accreditation too', () => {
    given(h.suspended).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS)).then([ev.renewalWindowOpened()]);
  });

  it('does not open early, nor twice', () => {
    given(h.accredited).when(cmd.openRenewalWindow(), at(addDays(RENEWAL_OPENS, -1))).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.renewalOpen).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('follows the policy’s number of days', () => {
    const policy = { ...DEFAULT_ACCREDITATION_POLICY, renewalWindowDays: 30 };
    given(h.accredited).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS, { policy })).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.accredited).when(cmd.openRenewalWindow(), at(addDays(T.validUntil, -30), { policy })).then([ev.renewalWindowOpened(addDays(T.validUntil, -30))]);
  });

  it('is opened by the engine only, and only on an accreditation held', () => {
    given(h.accredited).when(cmd.openRenewalWindow(who.director), at(RENEWAL_OPENS)).thenRefuses('ROLE_NOT_ALLOWED');
    given(h.decision).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.revoked).when(cmd.openRenewalWindow(), at(RENEWAL_OPENS)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });
});

describe('renewing', () => {
  it('extends the accreditation by the policy’s validity from its previous end, and closes the window', () => {
    const { state } = given(h.renewalOpen).when(cmd.renew(), at(addDays(RENEWAL_OPENS, 10))).then([ev.renewed()]);
    expect(state).toMatchObject({ status: 'accredited', renewalWindowOpen: false, grant: { validUntil: addMonths(T.validUntil, 36), validFrom: T.decision } });
  });

  it('is refused before the window opens', () => {
    given(h.accredited).when(cmd.renew(), at(T.inForce)).thenRefuses('ACCREDITATION_RENEWAL_NOT_OPEN');
  });

  it('is refused once the accreditation has ended', () => {
    given(h.renewalOpen).when(cmd.renew(), at(T.validUntil)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is refused while suspended', () => {
    given([...h.renewalOpen, ev.suspended()]).when(cmd.renew(), at(addDays(RENEWAL_OPENS, 10))).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is refused to anyone but a director, and to a director who submitted the application', () => {
    given(h.renewalOpen).when(cmd.renew(who.reviewer), at(addDays(RENEWAL_OPENS, 10))).thenRefuses('ROLE_NOT_ALLOWED');
    const own = [ev.submitted(application(), as(who.csp, 'u-dir-2')), ...h.renewalOpen.slice(1)];
    given(own).when(cmd.renew(as(who.director, 'u-dir-2')), at(addDays(RENEWAL_OPENS, 10))).thenRefuses('FOUR_EYES_VIOLATION');
  });
});

describe('expiry', () => {
  it('happens at the end of the validity, by itself', () => {
    const { state } = given(h.renewalOpen).when(cmd.expire(), at(T.validUntil)).then([ev.expired()]);
    expect(state).toMatchObject({ status: 'expired', renewalWindowOpen: false, transitionUntil: addDays(T.validUntil, 180) });
  });

  it('starts the migration period of the configured length from the end date, however late the engine notices', () => {
    const policy = { ...DEFAULT_ACCREDITATION_POLICY, endTransitionDays: 30 };
    given(h.accredited)
      .when(cmd.expire(), at(addDays(T.validUntil, 2), { policy }))
      .then([{ type: 'AccreditationExpired', data: { validUntil: T.validUntil, transitionUntil: addDays(T.validUntil, 30) } }]);
  });

  it('gives the default migration period under a policy pinned before the period existed', () => {
    const { endTransitionDays: _unset, ...policy } = DEFAULT_ACCREDITATION_POLICY;
    given(h.accredited).when(cmd.expire(), at(T.validUntil, { policy })).then([ev.expired()]);
  });

  it('ends a suspended accreditation too', () => {
    given(h.suspended).when(cmd.expire(), at(T.validUntil)).then([ev.expired()]);
  });

  it('is refused before the end, and after a renewal until the new end', () => {
    given(h.accredited).when(cmd.expire(), at(addDays(T.validUntil, -1))).thenRefuses('ACCREDITATION_WRONG_STATE');
    given([...h.renewalOpen, ev.renewed()]).when(cmd.expire(), at(T.validUntil)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is done by the engine only', () => {
    given(h.accredited).when(cmd.expire(who.director), at(T.validUntil)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('does not apply to a case that was never accredited', () => {
    given(h.rejected).when(cmd.expire(), at(T.validUntil)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });
});

describe('suspending and reinstating', () => {
  it('suspends an accreditation and reinstates it with its validity unchanged', () => {
    const suspended = given(h.accredited).when(cmd.suspend(), at(T.inForce)).then([ev.suspended()]);
    expect(suspended.state.status).toBe('suspended');
    const reinstated = given(h.suspended).when(cmd.reinstate(), at(T.inForce)).then([ev.reinstated()]);
    expect(reinstated.state).toMatchObject({ status: 'accredited', grant: { validUntil: T.validUntil } });
  });

  it('refuses to suspend twice, or to reinstate what is not suspended', () => {
    given(h.suspended).when(cmd.suspend(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.accredited).when(cmd.reinstate(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is for a director only', () => {
    given(h.accredited).when(cmd.suspend(who.securityReviewer), at(T.inForce)).thenRefuses('ROLE_NOT_ALLOWED');
    given(h.suspended).when(cmd.reinstate(who.reviewer), at(T.inForce)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('is refused to a director who submitted the application', () => {
    const own = [ev.submitted(application(), as(who.csp, 'u-dir-2')), ...h.suspended.slice(1)];
    given(own).when(cmd.reinstate(as(who.director, 'u-dir-2')), at(T.inForce)).thenRefuses('FOUR_EYES_VIOLATION');
    given(own.slice(0, -1)).when(cmd.suspend(as(who.director, 'u-dir-2')), at(T.inForce)).thenRefuses('FOUR_EYES_VIOLATION');
  });
});

describe('revoking', () => {
  it('ends the accreditation and gives PSEs the policy’s 180 days to migrate', () => {
    const { state } = given(h.accredited).when(cmd.revoke(), at(T.inForce)).then([ev.revoked()]);
    expect(state).toMatchObject({ status: 'revoked', transitionUntil: addDays(T.inForce, 180) });
  });

  it('may set a different transition period, none included', () => {
    given(h.suspended)
      .when(cmd.revoke(who.director, 0), at(T.inForce))
      .then([{ type: 'AccreditationRevoked', data: { reasons: 'Data found outside Pakistan', transitionUntil: T.inForce, revokedBy: 'u-dir' } }]);
  });

  it('is refused before accreditation and after it ended', () => {
    given(h.decision).when(cmd.revoke(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
    given(h.expired).when(cmd.revoke(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
  });

  it('is for a director who did not submit the application', () => {
    given(h.accredited).when(cmd.revoke(who.admin), at(T.inForce)).thenRefuses('ROLE_NOT_ALLOWED');
    const own = [ev.submitted(application(), as(who.csp, 'u-dir-2')), ...h.accredited.slice(1)];
    given(own).when(cmd.revoke(as(who.director, 'u-dir-2')), at(T.inForce)).thenRefuses('FOUR_EYES_VIOLATION');
  });
});

describe('withdrawing', () => {
  const withdrawable = ['submitted', 'screening', 'awaiting-applicant', 'assessment', 'decision', 'accredited', 'suspended'] as const;

  const held = ['accredited', 'suspended'] as const;
  const pending = withdrawable.filter((s) => !(held as readonly string[]).includes(s));

  it.each(pending)('may be done by the applicant CSP from %s, with no migration period (nothing was granted)', (status) => {
    const { state } = given(h[status]).when(cmd.withdraw(who.cspColleague), at(T.inForce)).then([ev.withdrawn(status, who.cspColleague)]);
    expect(state).toMatchObject({ status: 'withdrawn', informationDueBy: undefined });
    expect(state.status !== 'none' && state.transitionUntil).toBeUndefined();
  });

  it.each(held)('may be done by the applicant CSP from %s, starting the PSEs\' migration period', (status) => {
    const transitionUntil = addDays(T.inForce, 180);
    const { state } = given(h[status])
      .when(cmd.withdraw(who.cspColleague), at(T.inForce))
      .then([{ ...ev.withdrawn(status, who.cspColleague), data: { ...ev.withdrawn(status, who.cspColleague).data, transitionUntil } }]);
    expect(state).toMatchObject({ status: 'withdrawn', transitionUntil });
  });

  it('is refused once the case has ended', () => {
    const ended = ACCREDITATION_CASE_STATUSES.filter((s) => !(withdrawable as readonly string[]).includes(s));
    expect(ended).toEqual(['rejected', 'lapsed', 'revoked', 'withdrawn', 'expired']);
    for (const status of ended) {
      given(h[status]).when(cmd.withdraw(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
    }
  });

  it('is refused to another CSP and to the Cloud Office', () => {
    given(h.accredited).when(cmd.withdraw(who.otherCsp), at(T.inForce)).thenRefuses('NOT_CASE_OWNER');
    given(h.accredited).when(cmd.withdraw(who.director), at(T.inForce)).thenRefuses('NOT_CASE_OWNER');
  });
});

describe('the end of the road', () => {
  it('refuses every working command on a final case', () => {
    for (const status of ['rejected', 'lapsed', 'revoked', 'withdrawn', 'expired'] as const) {
      given(h[status]).when(cmd.suspend(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
      given(h[status]).when(cmd.startScreening(), at(T.inForce)).thenRefuses('ACCREDITATION_WRONG_STATE');
    }
  });
});
