import { addDays } from '../../domain/shared/time';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import { given } from './given-when-then';
import { PUNJAB_REQUEST, T, actors, at, cmd, ev, federal, punjab } from './noc-fixtures';

const EXTENDED_UNTIL = '2025-11-01T00:00:00.000Z';
const extended = [...federal['extension-requested'], ev.extensionApproved(EXTENDED_UNTIL)];
const oneMsBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

describe('requesting an extension', () => {
  it('records the months and justification of the requesting PSE', () => {
    const { state } = given(federal.active)
      .when(cmd.requestExtension(actors.pse, 3), at(T.inForce))
      .then([{ type: 'NocExtensionRequested', data: { months: 3, justification: 'The migration slipped by a quarter', requestedBy: 'u-pse' } }]);
    expect(state).toMatchObject({ status: 'extension-requested', pendingExtensionMonths: 3, validUntil: T.validUntil });
  });

  it('accepts exactly the longest extension the policy allows', () => {
    given(federal.active)
      .when(cmd.requestExtension(actors.pseColleague, DEFAULT_NOC_POLICY.maxExtensionMonths), at(T.inForce))
      .then([{ type: 'NocExtensionRequested', data: { months: 6, justification: 'The migration slipped by a quarter', requestedBy: 'u-pse-2' } }]);
  });

  it('refuses an extension longer than the policy allows', () => {
    given(federal.active).when(cmd.requestExtension(actors.pse, 7), at(T.inForce)).thenRefuses('NOC_EXTENSION_TOO_LONG', 'months');
  });

  it('refuses a second extension once one was granted', () => {
    given(extended).when(cmd.requestExtension(actors.pse, 1), at(T.inForce)).thenRefuses('NOC_EXTENSION_ALREADY_USED');
  });

  it('allows as many extensions as the pinned policy grants', () => {
    given(extended)
      .when(cmd.requestExtension(actors.pse, 1), at(T.inForce, { ...DEFAULT_NOC_POLICY, maxExtensions: 2 }))
      .then([{ type: 'NocExtensionRequested', data: { months: 1, justification: 'The migration slipped by a quarter', requestedBy: 'u-pse' } }]);
  });

  it('allows asking again after an extension was refused, since none was granted', () => {
    given([...federal['extension-requested'], ev.extensionRejected()])
      .when(cmd.requestExtension(actors.pse, 2), at(T.inForce))
      .then([{ type: 'NocExtensionRequested', data: { months: 2, justification: 'The migration slipped by a quarter', requestedBy: 'u-pse' } }]);
  });

  it('refuses a second request while one is pending', () => {
    given(federal['extension-requested']).when(cmd.requestExtension(actors.pse, 1), at(T.inForce)).thenRefuses('NOC_WRONG_STATE');
  });

  it.each(['under-review', 'awaiting-decision', 'expired', 'revoked'] as const)('refuses an extension of a NOC that is %s', (status) => {
    given(federal[status]).when(cmd.requestExtension(actors.pse), at(T.inForce)).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses an extension asked for by anyone but the requesting entity', () => {
    given(federal.active).when(cmd.requestExtension(actors.reviewer), at(T.inForce)).thenRefuses('NOT_CASE_OWNER');
  });
});

describe('deciding an extension', () => {
  it('on approval moves validUntil by the requested months and earns fresh reminders', () => {
    const history = [...federal.active, ev.reminderDue(30), ev.extensionRequested(3)];
    const { state } = given(history)
      .when(cmd.decideExtension(actors.director), at(addDays(T.validUntil, -20)))
      .then([
        {
          type: 'NocExtensionApproved',
          data: { previousValidUntil: T.validUntil, validUntil: EXTENDED_UNTIL, reasons: 'On the file', decidedBy: 'u-dir' },
        },
      ]);
    expect(state).toMatchObject({
      status: 'active',
      validFrom: T.validFrom,
      validUntil: EXTENDED_UNTIL,
      extensionsGranted: 1,
      pendingExtensionMonths: undefined,
      remindersSent: [],
    });
  });

  it('extends in calendar months, landing on the last day of a shorter month', () => {
    const endOfAugust = '2025-08-31T00:00:00.000Z';
    const history = [
      ...federal['awaiting-decision'],
      ev.approved(actors.director, T.validFrom, endOfAugust),
      ev.extensionRequested(6),
    ];
    given(history)
      .when(cmd.decideExtension(actors.director), at(T.inForce))
      .then([
        {
          type: 'NocExtensionApproved',
          data: { previousValidUntil: endOfAugust, validUntil: '2026-02-28T00:00:00.000Z', reasons: 'On the file', decidedBy: 'u-dir' },
        },
      ]);
  });

  it('on rejection keeps the NOC active until its original end', () => {
    const { state } = given(federal['extension-requested'])
      .when(cmd.decideExtension(actors.director, 'reject'), at(T.inForce))
      .then([{ type: 'NocExtensionRejected', data: { reasons: 'On the file', decidedBy: 'u-dir' } }]);
    expect(state).toMatchObject({ status: 'active', validUntil: T.validUntil, extensionsGranted: 0, pendingExtensionMonths: undefined });
  });

  it('is decided for a provincial NOC by an officer of the province', () => {
    given(punjab['extension-requested'])
      .when(cmd.decideExtension(actors.punjabOfficer), at(T.inForce))
      .then([
        {
          type: 'NocExtensionApproved',
          data: { previousValidUntil: T.validUntil, validUntil: EXTENDED_UNTIL, reasons: 'On the file', decidedBy: 'u-pb-1' },
        },
      ]);
  });

  it('refuses a reviewer deciding an extension of a federal NOC', () => {
    given(federal['extension-requested']).when(cmd.decideExtension(actors.reviewer), at(T.inForce)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses the requester deciding their own extension, even after they became a director', () => {
    const turncoat = { ...actors.director, userId: actors.pse.userId };
    given(federal['extension-requested']).when(cmd.decideExtension(turncoat), at(T.inForce)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses a decision when no extension is pending', () => {
    given(federal.active).when(cmd.decideExtension(actors.director), at(T.inForce)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('expiry reminders', () => {
  const thirtyDaysBefore = addDays(T.validUntil, -30);
  const sevenDaysBefore = addDays(T.validUntil, -7);

  it('records the 30-day reminder once it is due, for the PSE', () => {
    const { state } = given(federal.active)
      .when(cmd.remind(30), at(thirtyDaysBefore))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 30, validUntil: T.validUntil, pseId: 'pse-moitt' } }]);
    expect(state).toMatchObject({ remindersSent: [30] });
  });

  it('records the 7-day reminder after the 30-day one', () => {
    const { state } = given([...federal.active, ev.reminderDue(30)])
      .when(cmd.remind(7), at(sevenDaysBefore))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 7, validUntil: T.validUntil, pseId: 'pse-moitt' } }]);
    expect(state).toMatchObject({ remindersSent: [30, 7] });
  });

  it('addresses the reminder of a provincial NOC to its PSE', () => {
    given(punjab.active)
      .when(cmd.remind(30), at(thirtyDaysBefore))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 30, validUntil: T.validUntil, pseId: PUNJAB_REQUEST.pseId } }]);
  });

  it('refuses a reminder that is not due yet', () => {
    given(federal.active).when(cmd.remind(30), at(oneMsBefore(thirtyDaysBefore))).thenRefuses('NOC_WRONG_STATE');
    given(federal.active).when(cmd.remind(7), at(oneMsBefore(sevenDaysBefore))).thenRefuses('NOC_WRONG_STATE');
  });

  it('refuses a reminder the policy does not set', () => {
    given(federal.active).when(cmd.remind(14), at(thirtyDaysBefore)).thenRefuses('VALIDATION_FAILED', 'daysBefore');
  });

  it('uses the reminder days of the pinned policy', () => {
    given(federal.active)
      .when(cmd.remind(14), at(addDays(T.validUntil, -14), { ...DEFAULT_NOC_POLICY, reminderDaysBeforeExpiry: [14] }))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 14, validUntil: T.validUntil, pseId: 'pse-moitt' } }]);
  });

  it('records nothing for a reminder already sent (a replayed timer)', () => {
    given([...federal.active, ev.reminderDue(30)]).when(cmd.remind(30), at(sevenDaysBefore)).then([]);
  });

  it('still reminds while an extension is pending', () => {
    given(federal['extension-requested'])
      .when(cmd.remind(30), at(thirtyDaysBefore))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 30, validUntil: T.validUntil, pseId: 'pse-moitt' } }]);
  });

  it('after an extension, reminds again for the new end date and not before', () => {
    const history = [...federal.active, ev.reminderDue(30), ev.extensionRequested(3), ev.extensionApproved(EXTENDED_UNTIL)];
    given(history).when(cmd.remind(30), at(thirtyDaysBefore)).thenRefuses('NOC_WRONG_STATE');
    given(history)
      .when(cmd.remind(30), at(addDays(EXTENDED_UNTIL, -30)))
      .then([{ type: 'NocExpiryReminderDue', data: { daysBefore: 30, validUntil: EXTENDED_UNTIL, pseId: 'pse-moitt' } }]);
  });

  it.each(['awaiting-decision', 'expired', 'revoked', 'withdrawn'] as const)('refuses a reminder for a NOC that is %s', (status) => {
    given(federal[status]).when(cmd.remind(30), at(thirtyDaysBefore)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('expiry', () => {
  it('does not expire before validUntil', () => {
    given(federal.active).when(cmd.expire(), at(oneMsBefore(T.validUntil))).thenRefuses('NOC_WRONG_STATE');
  });

  it('expires at validUntil', () => {
    const { state } = given(federal.active).when(cmd.expire(), at(T.validUntil)).then([{ type: 'NocExpired', data: { validUntil: T.validUntil } }]);
    expect(state.status).toBe('expired');
  });

  it('expires after validUntil too (a late timer)', () => {
    given(federal.active).when(cmd.expire(), at(addDays(T.validUntil, 2))).then([{ type: 'NocExpired', data: { validUntil: T.validUntil } }]);
  });

  it('expires with an extension still pending, dropping the pending request', () => {
    const { state } = given(federal['extension-requested'])
      .when(cmd.expire(), at(T.validUntil))
      .then([{ type: 'NocExpired', data: { validUntil: T.validUntil } }]);
    expect(state).toMatchObject({ status: 'expired', pendingExtensionMonths: undefined });
  });

  it('after an extension, expires at the new end and not the old one', () => {
    given(extended).when(cmd.expire(), at(T.validUntil)).thenRefuses('NOC_WRONG_STATE');
    given(extended).when(cmd.expire(), at(EXTENDED_UNTIL)).then([{ type: 'NocExpired', data: { validUntil: EXTENDED_UNTIL } }]);
  });

  it.each(['awaiting-decision', 'rejected', 'revoked', 'expired'] as const)('refuses to expire a NOC that is %s', (status) => {
    given(federal[status]).when(cmd.expire(), at(T.validUntil)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('revocation', () => {
  it('ends an active NOC at once', () => {
    const { state } = given(federal.active)
      .when(cmd.revoke(actors.director), at(T.inForce))
      .then([{ type: 'NocRevoked', data: { reasons: 'Conditions breached', revokedBy: 'u-dir' } }]);
    expect(state.status).toBe('revoked');
  });

  it('ends a NOC with a pending extension, dropping the request', () => {
    const { state } = given(federal['extension-requested'])
      .when(cmd.revoke(actors.director), at(T.inForce))
      .then([{ type: 'NocRevoked', data: { reasons: 'Conditions breached', revokedBy: 'u-dir' } }]);
    expect(state).toMatchObject({ status: 'revoked', pendingExtensionMonths: undefined });
  });

  it('is done for a provincial NOC by an officer of the province', () => {
    given(punjab.active)
      .when(cmd.revoke(actors.punjabOfficer), at(T.inForce))
      .then([{ type: 'NocRevoked', data: { reasons: 'Conditions breached', revokedBy: 'u-pb-1' } }]);
  });

  it('refuses a reviewer revoking a federal NOC', () => {
    given(federal.active).when(cmd.revoke(actors.reviewer), at(T.inForce)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it.each(['under-review', 'awaiting-decision', 'rejected', 'expired', 'revoked'] as const)('refuses to revoke a NOC that is %s', (status) => {
    given(federal[status]).when(cmd.revoke(actors.director), at(T.inForce)).thenRefuses('NOC_WRONG_STATE');
  });
});

describe('withdrawal by the PSE', () => {
  it.each(['requested', 'under-review', 'awaiting-pse', 'awaiting-decision', 'active', 'extension-requested'] as const)(
    'ends a NOC that is %s, remembering where it was',
    (status) => {
      const { state } = given(federal[status])
        .when(cmd.withdraw(actors.pse), at(T.decision))
        .then([{ type: 'NocWithdrawn', data: { reason: 'No longer needed', withdrawnBy: 'u-pse', previousStatus: status } }]);
      expect(state).toMatchObject({ status: 'withdrawn', pendingExtensionMonths: undefined, informationDueBy: undefined });
    },
  );

  it('may be done by a colleague at the same entity', () => {
    given(federal.requested)
      .when(cmd.withdraw(actors.pseColleague), at(T.decision))
      .then([{ type: 'NocWithdrawn', data: { reason: 'No longer needed', withdrawnBy: 'u-pse-2', previousStatus: 'requested' } }]);
  });

  it.each(['rejected', 'lapsed', 'expired', 'revoked', 'withdrawn'] as const)('is refused once the NOC is %s', (status) => {
    given(federal[status]).when(cmd.withdraw(actors.pse), at(T.decision)).thenRefuses('NOC_WRONG_STATE');
  });

  it('is refused to staff, who revoke rather than withdraw', () => {
    given(federal.active).when(cmd.withdraw(actors.director), at(T.inForce)).thenRefuses('NOT_CASE_OWNER');
  });
});

describe('commands only the engine issues', () => {
  it.each([
    ['lapse', cmd.lapse(actors.reviewer), federal['awaiting-pse'], T.informationDue],
    ['remind', cmd.remind(30, actors.director), federal.active, addDays(T.validUntil, -30)],
    ['expire', cmd.expire(actors.director), federal.active, T.validUntil],
    ['expire', cmd.expire(actors.pse), federal.active, T.validUntil],
  ] as const)('refuses a person issuing %s, even when it is due', (_what, command, history, now) => {
    given(history).when(command, at(now)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it("refuses the engine doing a person's work", () => {
    given(federal.requested).when(cmd.startReview(actors.system), at(T.reviewStarted)).thenRefuses('ROLE_NOT_ALLOWED');
    given(federal['awaiting-decision']).when(cmd.decide(actors.system), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});
