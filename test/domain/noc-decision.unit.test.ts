import { addMonths } from '../../domain/shared/time';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import { given } from './given-when-then';
import { T, actors, at, cmd, ev, federal, punjab } from './noc-fixtures';

const approval = (validFrom: string, validUntil: string, conditions = ['Encrypt backups'], by = actors.director) => ({
  type: 'NocApproved' as const,
  data: { validFrom, validUntil, conditions, reasons: 'Decided on the file', decidedBy: by.userId, decidedByName: by.name },
});

describe('approving a NOC', () => {
  it('by default is valid from now for the requested number of months, with the recommended conditions', () => {
    const { state } = given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director), at(T.decision))
      .then([approval(T.decision, '2025-07-20T10:00:00.000Z')]);
    expect(state).toMatchObject({
      status: 'active',
      decidedBy: 'u-dir',
      validFrom: T.decision,
      validUntil: '2025-07-20T10:00:00.000Z',
      conditions: ['Encrypt backups'],
    });
  });

  it('takes an explicit validity window', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validFrom, validUntil: T.validUntil }), at(T.decision))
      .then([approval(T.validFrom, T.validUntil)]);
  });

  it('counts the requested months from an explicit start when no end is given', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validFrom }), at(T.decision))
      .then([approval(T.validFrom, addMonths(T.validFrom, 6))]);
  });

  it('starts now when only an end is given', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validUntil: T.validUntil }), at(T.decision))
      .then([approval(T.decision, T.validUntil)]);
  });

  it('may be valid from exactly now', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.decision, validUntil: T.validUntil }), at(T.decision))
      .then([approval(T.decision, T.validUntil)]);
  });

  it('may last longer than requested, up to the policy maximum', () => {
    const end = addMonths(T.decision, DEFAULT_NOC_POLICY.maxMonths);
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validUntil: end }), at(T.decision))
      .then([approval(T.decision, end)]);
  });

  it("replaces the recommendation's conditions with the decider's own, even with none", () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { conditions: ['Monthly access review'] }), at(T.decision))
      .then([approval(T.decision, '2025-07-20T10:00:00.000Z', ['Monthly access review'])]);
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { conditions: [] }), at(T.decision))
      .then([approval(T.decision, '2025-07-20T10:00:00.000Z', [])]);
  });

  it('may overrule a recommendation to reject', () => {
    given([...federal['under-review'], ev.recommended(actors.reviewer, 'reject', [])])
      .when(cmd.decide(actors.director), at(T.decision))
      .then([approval(T.decision, '2025-07-20T10:00:00.000Z', [])]);
  });

  it("is decided for a provincial NOC by a second officer of the province", () => {
    given(punjab['awaiting-decision'])
      .when(cmd.decide(actors.punjabOfficer2), at(T.decision))
      .then([approval(T.decision, '2025-07-20T10:00:00.000Z', ['Encrypt backups'], actors.punjabOfficer2)]);
  });
});

describe('the validity of an approval', () => {
  it('may not start in the past', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: '2025-01-20T09:59:59.999Z', validUntil: T.validUntil }), at(T.decision))
      .thenRefuses('NOC_INVALID_VALIDITY', 'validFrom');
  });

  it('must end after it starts', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validFrom, validUntil: T.validFrom }), at(T.decision))
      .thenRefuses('NOC_INVALID_VALIDITY', 'validUntil');
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validUntil, validUntil: T.validFrom }), at(T.decision))
      .thenRefuses('NOC_INVALID_VALIDITY', 'validUntil');
  });

  it('may not last longer than the policy maximum', () => {
    const tooLate = new Date(Date.parse(addMonths(T.validFrom, DEFAULT_NOC_POLICY.maxMonths)) + 1).toISOString();
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validFrom, validUntil: tooLate }), at(T.decision))
      .thenRefuses('NOC_DURATION_TOO_LONG', 'validUntil');
  });

  it('follows the maximum of the pinned policy', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'approve', { validFrom: T.validFrom, validUntil: T.validUntil }), at(T.decision, { ...DEFAULT_NOC_POLICY, maxMonths: 3 }))
      .thenRefuses('NOC_DURATION_TOO_LONG', 'validUntil');
  });
});

describe('rejecting a NOC', () => {
  it('records who rejected it and why', () => {
    const { state } = given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'reject'), at(T.decision))
      .then([{ type: 'NocRejected', data: { reasons: 'Decided on the file', decidedBy: 'u-dir', decidedByName: 'Person u-dir' } }]);
    expect(state).toMatchObject({ status: 'rejected', decidedBy: 'u-dir' });
  });

  it('ignores a validity window, which only an approval has', () => {
    given(federal['awaiting-decision'])
      .when(cmd.decide(actors.director, 'reject', { validFrom: '2020-01-01T00:00:00.000Z' }), at(T.decision))
      .then([{ type: 'NocRejected', data: { reasons: 'Decided on the file', decidedBy: 'u-dir', decidedByName: 'Person u-dir' } }]);
  });
});

describe('who may decide, and when', () => {
  it('refuses the officer who recommended deciding as well (four eyes inside a province)', () => {
    given(punjab['awaiting-decision']).when(cmd.decide(actors.punjabOfficer), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses the requester deciding their own NOC, even after they became a director', () => {
    const turncoat = { ...actors.director, userId: actors.pse.userId };
    given(federal['awaiting-decision']).when(cmd.decide(turncoat), at(T.decision)).thenRefuses('FOUR_EYES_VIOLATION');
  });

  it('refuses a reviewer deciding a federal NOC', () => {
    given(federal['awaiting-decision']).when(cmd.decide(actors.reviewer), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('refuses the PSE deciding its own NOC', () => {
    given(federal['awaiting-decision']).when(cmd.decide(actors.pse), at(T.decision)).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it.each(['requested', 'under-review'] as const)('refuses a decision without a recommendation (%s)', (status) => {
    given(federal[status]).when(cmd.decide(actors.director), at(T.decision)).thenRefuses('NOC_NO_RECOMMENDATION');
  });

  it.each(['active', 'extension-requested', 'rejected', 'expired', 'revoked'] as const)(
    'refuses to decide a NOC that was already decided (%s)',
    (status) => {
      given(federal[status]).when(cmd.decide(actors.director, 'reject'), at(T.inForce)).thenRefuses('NOC_ALREADY_DECIDED');
    },
  );

  it.each(['awaiting-pse', 'lapsed', 'withdrawn'] as const)('refuses to decide a NOC that is %s', (status) => {
    given(federal[status]).when(cmd.decide(actors.director), at(T.decision)).thenRefuses('NOC_WRONG_STATE');
  });
});
