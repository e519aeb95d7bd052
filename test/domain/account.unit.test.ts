import {
  AccountEventSchemas,
  OPERATOR_CONSOLE_ACTOR,
  decideAccount,
  foldAccount,
  type AccountCommand,
  type AccountDecideContext,
  type AccountEvent,
  type AccountState,
  type Assignment,
} from '../../domain/account';
import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import { deciderSpec } from './given-when-then';

const given = deciderSpec<AccountState, AccountCommand, AccountEvent, AccountDecideContext>({
  decide: decideAccount,
  fold: foldAccount,
  validate: (event) => expect(AccountEventSchemas[event.type].parse(event.data)).toEqual(event.data),
});

const NOW = '2026-03-01T09:00:00.000Z';
const EXPIRES = '2026-03-04T09:00:00.000Z';
const at = (enabledAdmins = 2): AccountDecideContext => ({ now: NOW, enabledAdmins });
const adminA: Actor = { userId: 'u-admin-a', name: 'Aisha Admin', role: 'admin', jurisdiction: 'federal' };
const adminB: Actor = { userId: 'u-admin-b', name: 'Bilal Admin', role: 'admin', jurisdiction: 'federal' };
const reviewerActor: Actor = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };

const REVIEWER: Assignment = { role: 'reviewer', jurisdiction: 'federal', organisationId: null };
const DIRECTOR: Assignment = { role: 'director', jurisdiction: 'federal', organisationId: null };
const ADMIN: Assignment = { role: 'admin', jurisdiction: 'federal', organisationId: null };

const create = (assignment: Assignment, actor: Actor = adminA): AccountCommand => ({
  type: 'CreateAccount',
  actor,
  data: { accountId: 'acc-1', username: 'dawood', displayName: 'Dawood Director', credentialId: 'cred-1', assignment, grantId: 'grant-1', passwordExpiresAt: EXPIRES },
});
const created = (by = adminA.userId): AccountEvent => ({
  type: 'AccountCreated',
  data: { accountId: 'acc-1', username: 'dawood', displayName: 'Dawood Director', credentialId: 'cred-1', createdBy: by, createdAt: NOW, passwordExpiresAt: EXPIRES },
});
const requested = (assignment: Assignment = DIRECTOR, by = adminA.userId, grantId = 'grant-1'): AccountEvent => ({
  type: 'AccountGrantRequested',
  data: { ...assignment, grantId, requestedBy: by, requestedAt: NOW },
});
const assigned = (assignment: Assignment = REVIEWER, basis: 'not-privileged' | 'bootstrap' = 'not-privileged', by = adminA.userId): AccountEvent => ({
  type: 'AccountRoleAssigned',
  data: { ...assignment, basis, assignedBy: by, assignedAt: NOW },
});
const dawood: Actor = { userId: 'acc-1', name: 'Dawood Director', role: 'reviewer', jurisdiction: 'federal' };
const choose = (actor: Actor = dawood, credentialId = 'cred-own'): AccountCommand => ({ type: 'ChoosePassword', actor, data: { credentialId } });
const chosen: AccountEvent = { type: 'AccountPasswordChosen', data: { credentialId: 'cred-own', chosenAt: NOW } };
const approve = (actor: Actor, grantId = 'grant-1'): AccountCommand => ({ type: 'ApproveGrant', actor, data: { grantId } });
const change = (assignment: Assignment, actor: Actor = adminA, grantId = 'grant-2'): AccountCommand => ({
  type: 'ChangeAssignment',
  actor,
  data: { assignment, grantId },
});

describe('creating an account', () => {
  it('gives a role that is not privileged at once', () => {
    const { state } = given([]).when(create(REVIEWER), at()).then([created(), assigned(REVIEWER)]);
    expect(state).toMatchObject({ status: 'active', assignment: REVIEWER, pendingGrant: null });
  });

  it('asks for a second administrator when the role is privileged, and the account has no role meanwhile', () => {
    const { state } = given([]).when(create(DIRECTOR), at()).then([created(), requested(DIRECTOR)]);
    expect(state).toMatchObject({ assignment: null, pendingGrant: { grantId: 'grant-1', role: 'director', requestedBy: adminA.userId } });
  });

  it('lets the engine or the operator console bootstrap an administrator only while no enabled administrator exists', () => {
    for (const machine of [SYSTEM_ACTOR, OPERATOR_CONSOLE_ACTOR]) {
      given([]).when(create(ADMIN, machine), at(0)).then([created(machine.userId), assigned(ADMIN, 'bootstrap', machine.userId)]);
      given([]).when(create(ADMIN, machine), at(1)).then([created(machine.userId), requested(ADMIN, machine.userId)]);
      given([]).when(create(DIRECTOR, machine), at(0)).then([created(machine.userId), requested(DIRECTOR, machine.userId)]);
    }
  });

  it('never lets a signed-in administrator skip the second approval, even as the only one', () => {
    given([]).when(create(ADMIN, adminA), at(0)).then([created(), requested(ADMIN)]);
  });

  it('is refused to anyone but an administrator', () => {
    given([]).when(create(REVIEWER, reviewerActor), at()).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('is refused when the username is taken', () => {
    given([created(), assigned()]).when(create(REVIEWER), at()).thenRefuses('ACCOUNT_EXISTS', 'username');
  });
});

describe('approving a grant', () => {
  it('by a second administrator puts the privileged role in force', () => {
    const { state } = given([created(), requested()])
      .when(approve(adminB), at())
      .then([{ type: 'AccountGrantApproved', data: { ...DIRECTOR, grantId: 'grant-1', approvedBy: adminB.userId, approvedAt: NOW } }]);
    expect(state).toMatchObject({ assignment: DIRECTOR, pendingGrant: null });
  });

  it('is refused to the administrator who asked for it', () => {
    given([created(), requested()]).when(approve(adminA), at()).thenRefuses('GRANT_SELF_APPROVAL');
  });

  it('is refused to the account the grant is for', () => {
    const self: Actor = { ...adminB, userId: 'acc-1' };
    given([created(), assigned(ADMIN, 'bootstrap', 'system'), requested(DIRECTOR, adminA.userId, 'grant-2')])
      .when(approve(self, 'grant-2'), at())
      .thenRefuses('GRANT_SELF_APPROVAL');
  });

  it('is refused to the engine and the operator console, who are nobody’s second pair of eyes', () => {
    for (const machine of [SYSTEM_ACTOR, OPERATOR_CONSOLE_ACTOR]) {
      given([created(), requested()]).when(approve(machine), at()).thenRefuses('ROLE_NOT_ALLOWED');
    }
  });

  it('is refused for a grant that is not pending: unknown, approved or rejected', () => {
    given([created(), requested()]).when(approve(adminB, 'grant-9'), at()).thenRefuses('GRANT_NOT_PENDING', 'grantId');
    const approvedEvent: AccountEvent = { type: 'AccountGrantApproved', data: { ...DIRECTOR, grantId: 'grant-1', approvedBy: adminB.userId, approvedAt: NOW } };
    given([created(), requested(), approvedEvent]).when(approve(adminB), at()).thenRefuses('GRANT_NOT_PENDING');
    const rejectedEvent: AccountEvent = { type: 'AccountGrantRejected', data: { grantId: 'grant-1', reason: 'Not needed', rejectedBy: adminB.userId, rejectedAt: NOW } };
    given([created(), requested(), rejectedEvent]).when(approve(adminB), at()).thenRefuses('GRANT_NOT_PENDING');
  });
});

describe('rejecting a grant', () => {
  it('drops the pending grant and leaves the role in force as it was', () => {
    const { state } = given([created(), assigned(REVIEWER), requested(DIRECTOR, adminA.userId, 'grant-2')])
      .when({ type: 'RejectGrant', actor: adminB, data: { grantId: 'grant-2', reason: 'Not a director' } }, at())
      .then([{ type: 'AccountGrantRejected', data: { grantId: 'grant-2', reason: 'Not a director', rejectedBy: adminB.userId, rejectedAt: NOW } }]);
    expect(state).toMatchObject({ assignment: REVIEWER, pendingGrant: null });
  });
});

describe('changing the role or jurisdiction', () => {
  it('to a role that is not privileged takes effect at once, also when it takes a privileged role away', () => {
    const punjab: Assignment = { role: 'provincial-officer', jurisdiction: 'punjab', organisationId: null };
    const approvedEvent: AccountEvent = { type: 'AccountGrantApproved', data: { ...DIRECTOR, grantId: 'grant-1', approvedBy: adminB.userId, approvedAt: NOW } };
    const { state } = given([created(), requested(), approvedEvent]).when(change(punjab), at()).then([assigned(punjab)]);
    expect(state).toMatchObject({ assignment: punjab });
  });

  it('to a privileged role keeps the previous role until a second administrator approves', () => {
    const { state } = given([created(), assigned(REVIEWER)]).when(change(DIRECTOR), at()).then([requested(DIRECTOR, adminA.userId, 'grant-2')]);
    expect(state).toMatchObject({ assignment: REVIEWER, pendingGrant: { grantId: 'grant-2', role: 'director' } });
  });

  it('of a privileged role to another jurisdiction also needs a second administrator', () => {
    const approvedEvent: AccountEvent = { type: 'AccountGrantApproved', data: { ...DIRECTOR, grantId: 'grant-1', approvedBy: adminB.userId, approvedAt: NOW } };
    const sindh: Assignment = { ...DIRECTOR, jurisdiction: 'sindh' };
    given([created(), requested(), approvedEvent]).when(change(sindh), at()).then([requested(sindh, adminA.userId, 'grant-2')]);
  });

  it('is refused while a grant awaits approval, and when nothing would change', () => {
    given([created(), requested()]).when(change(REVIEWER), at()).thenRefuses('GRANT_PENDING');
    given([created(), assigned(REVIEWER)]).when(change(REVIEWER), at()).thenRefuses('ACCOUNT_ROLE_UNCHANGED', 'role');
  });

  it('is refused for an account that does not exist', () => {
    given([]).when(change(REVIEWER), at()).thenRefuses('NOT_FOUND', 'username');
  });
});

describe('disabling, enabling and resetting', () => {
  it('records who disabled and enabled the account, and nothing when it is already so', () => {
    const disabled: AccountEvent = { type: 'AccountDisabled', data: { disabledBy: adminA.userId, disabledAt: NOW } };
    const { state } = given([created(), assigned()]).when({ type: 'DisableAccount', actor: adminA, data: {} }, at()).then([disabled]);
    expect(state.status).toBe('disabled');
    given([created(), assigned(), disabled]).when({ type: 'DisableAccount', actor: adminA, data: {} }, at()).then([]);
    given([created(), assigned(), disabled])
      .when({ type: 'EnableAccount', actor: adminB, data: {} }, at())
      .then([{ type: 'AccountEnabled', data: { enabledBy: adminB.userId, enabledAt: NOW } }]);
    given([created(), assigned()]).when({ type: 'EnableAccount', actor: adminB, data: {} }, at()).then([]);
  });

  it('records a password reset as who reset it and the new credential id, never the password', () => {
    const { state } = given([created(), assigned()])
      .when({ type: 'ResetPassword', actor: adminB, data: { credentialId: 'cred-2', passwordExpiresAt: EXPIRES } }, at())
      .then([{ type: 'AccountPasswordReset', data: { credentialId: 'cred-2', resetBy: adminB.userId, resetAt: NOW, passwordExpiresAt: EXPIRES } }]);
    expect(state).toMatchObject({ credentialId: 'cred-2', oneTimePassword: { expiresAt: EXPIRES } });
  });

  it('records a second factor reset as who reset it, and makes the password the account has serve once more, until it expires', () => {
    const before = given([created(), assigned(), chosen]);
    const { state } = before
      .when({ type: 'ResetMfa', actor: adminB, data: { passwordExpiresAt: EXPIRES } }, at())
      .then([{ type: 'AccountMfaReset', data: { resetBy: adminB.userId, resetAt: NOW, passwordExpiresAt: EXPIRES } }]);
    expect(state).toEqual({ ...foldAccount([created(), assigned(), chosen]), oneTimePassword: { expiresAt: EXPIRES } });
    given([created(), assigned()]).when({ type: 'ResetMfa', actor: reviewerActor, data: { passwordExpiresAt: EXPIRES } }, at()).thenRefuses('ROLE_NOT_ALLOWED');
    given([]).when({ type: 'ResetMfa', actor: adminA, data: { passwordExpiresAt: EXPIRES } }, at()).thenRefuses('NOT_FOUND');
  });

  it('is refused to anyone but an administrator', () => {
    given([created(), assigned()]).when({ type: 'DisableAccount', actor: reviewerActor, data: {} }, at()).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('passwords an administrator sets serve once', () => {
  it('given an account just created, its first password is one-time until the expiry the command carries', () => {
    expect(foldAccount([created(), assigned()])).toMatchObject({ credentialId: 'cred-1', oneTimePassword: { expiresAt: EXPIRES } });
  });

  it('given a one-time password, when its holder chooses their own, then it is recorded as theirs and is one-time no more', () => {
    const { state } = given([created(), assigned()]).when(choose(), at()).then([chosen]);
    expect(state).toMatchObject({ credentialId: 'cred-own', oneTimePassword: null });
  });

  it('given a one-time password past its expiry, when its holder chooses their own, then it is refused with a pointer to an administrator', () => {
    const late: AccountDecideContext = { now: EXPIRES, enabledAdmins: 2 };
    given([created(), assigned()]).when(choose(), late).thenRefuses('PASSWORD_EXPIRED');
  });

  it('given a one-time password, when anyone else (an administrator included) chooses it, then it is refused', () => {
    given([created(), assigned()]).when(choose(adminA), at()).thenRefuses('ROLE_NOT_ALLOWED');
    given([created(), assigned()]).when(choose(reviewerActor), at()).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('given a password the holder chose, when they choose again, then it is refused: there is no one-time password to replace', () => {
    given([created(), assigned(), chosen]).when(choose(), at()).thenRefuses('PASSWORD_NOT_ONE_TIME');
  });

  it('given histories recorded before one-time passwords, the passwords in them read as the accounts\' own', () => {
    const { passwordExpiresAt: _, ...legacy } = (created() as Extract<AccountEvent, { type: 'AccountCreated' }>).data;
    const reset: AccountEvent = { type: 'AccountPasswordReset', data: { credentialId: 'cred-2', resetBy: adminB.userId, resetAt: NOW } };
    const mfaReset: AccountEvent = { type: 'AccountMfaReset', data: { resetBy: adminB.userId, resetAt: NOW } };
    expect(AccountEventSchemas.AccountCreated.parse(legacy)).toEqual(legacy);
    expect(foldAccount([{ type: 'AccountCreated', data: legacy }, assigned()])).toMatchObject({ oneTimePassword: null });
    expect(foldAccount([created(), assigned(), chosen, reset, mfaReset])).toMatchObject({ credentialId: 'cred-2', oneTimePassword: null });
  });
});

describe("the account's email address", () => {
  const person: Actor = { userId: 'acc-1', name: 'Dawood Director', role: 'reviewer', jurisdiction: 'federal' };
  const changeEmail = (email: string | null, actor: Actor): AccountCommand => ({ type: 'ChangeEmail', actor, data: { email } });

  it('is recorded when the account is created with one, and an old AccountCreated without it reads as none', () => {
    given([])
      .when({ ...create(REVIEWER), data: { ...create(REVIEWER).data, email: 'dawood@office.gov.pk' } } as AccountCommand, at())
      .then([{ ...created(), data: { ...created().data, email: 'dawood@office.gov.pk' } } as AccountEvent, assigned(REVIEWER)]);
    expect(foldAccount([created(), assigned()])).toMatchObject({ email: null });
  });

  it('is changed by an administrator or by the person, and removed with null', () => {
    const { state } = given([created(), assigned()])
      .when(changeEmail('new@office.gov.pk', person), at())
      .then([{ type: 'AccountEmailChanged', data: { email: 'new@office.gov.pk', changedBy: 'acc-1', changedAt: NOW } }]);
    expect(state).toMatchObject({ email: 'new@office.gov.pk' });
    given([created(), assigned()])
      .when(changeEmail(null, adminB), at())
      .then([]);
    const withAddress: AccountEvent = { type: 'AccountEmailChanged', data: { email: 'a@office.gov.pk', changedBy: adminB.userId, changedAt: NOW } };
    given([created(), assigned(), withAddress])
      .when(changeEmail(null, adminB), at())
      .then([{ type: 'AccountEmailChanged', data: { email: null, changedBy: adminB.userId, changedAt: NOW } }]);
  });

  it('is refused to anyone else, and for an account that does not exist', () => {
    given([created(), assigned()]).when(changeEmail('x@office.gov.pk', reviewerActor), at()).thenRefuses('ROLE_NOT_ALLOWED');
    given([]).when(changeEmail('x@office.gov.pk', adminA), at()).thenRefuses('NOT_FOUND');
  });
});
