import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { Identity } from '../../identity';
import { createTestIdentity, seedAccount } from '../support/identity';

const PASSWORD = 'a long enough secret';
const ADMIN: Actor = { userId: 'u-admin', name: 'Aisha Admin', role: 'admin', jurisdiction: 'federal' };

let identity: Identity;
beforeEach(async () => {
  identity = await createTestIdentity();
});
afterEach(() => identity.close());

const refusal = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => (err instanceof DomainError ? { code: err.code, field: err.field } : err),
  );

describe('an account’s email address', () => {
  it('is kept from creation, lower-cased, and shown with the account', async () => {
    const account = await seedAccount(identity, { username: 'officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', email: 'Officer@MoITT.gov.pk', password: PASSWORD });
    expect(account.email).toBe('officer@moitt.gov.pk');
    expect(identity.findAccount('officer')?.email).toBe('officer@moitt.gov.pk');
  });

  it('is refused when it is not an address, naming the field', async () => {
    expect(await refusal(identity.createAccount(ADMIN, { username: 'officer', role: 'reviewer', jurisdiction: 'federal', email: 'not an address', password: PASSWORD }))).toEqual({
      code: 'VALIDATION_FAILED',
      field: 'email',
    });
  });

  it('is changed by the person themselves or an administrator, and by nobody else, whether the account exists or not', async () => {
    const own = await seedAccount(identity, { username: 'rania', role: 'reviewer', jurisdiction: 'federal', password: PASSWORD });
    const other = await seedAccount(identity, { username: 'bilal', role: 'reviewer', jurisdiction: 'federal', password: PASSWORD });
    const rania: Actor = { userId: own.id, name: 'Rania', role: 'reviewer', jurisdiction: 'federal' };
    expect((await identity.changeEmail(rania, 'rania', 'rania@office.gov.pk')).email).toBe('rania@office.gov.pk');
    expect((await identity.changeEmail(ADMIN, 'rania', null)).email).toBeNull();
    expect(await refusal(identity.changeEmail(rania, other.username, 'x@office.gov.pk'))).toEqual({ code: 'ROLE_NOT_ALLOWED', field: undefined });
    expect(await refusal(identity.changeEmail(rania, 'nobody', 'x@office.gov.pk'))).toEqual({ code: 'ROLE_NOT_ALLOWED', field: undefined });
  });
});
