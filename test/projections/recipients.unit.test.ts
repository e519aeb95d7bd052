import { isAddressedTo, resolveRecipients, type NoticePerson } from '../../projections/notices/recipients';

const person = (over: Partial<NoticePerson> & Pick<NoticePerson, 'accountId'>): NoticePerson => ({
  username: over.accountId,
  displayName: `Name ${over.accountId}`,
  role: 'pse',
  jurisdiction: 'federal',
  organisationId: 'pse-moitt',
  email: `${over.accountId}@example.gov.pk`,
  active: true,
  ...over,
});

describe('the recipients of a notice', () => {
  it('are the active officers of the entity that have an address, each address once', () => {
    const people = [
      person({ accountId: 'a' }),
      person({ accountId: 'b', email: 'a@example.gov.pk' }),
      person({ accountId: 'c', email: null }),
      person({ accountId: 'd', active: false }),
      person({ accountId: 'e', organisationId: 'pse-other' }),
      person({ accountId: 'f', role: 'csp' }),
    ];
    expect(resolveRecipients({ kind: 'pse', organisationId: 'pse-moitt' }, people, undefined)).toEqual([
      { name: 'Name a', email: 'a@example.gov.pk', accountId: 'a' },
    ]);
  });

  it("of a provider include the contact its register entry names, once when it is also an account's address", () => {
    const people = [person({ accountId: 'p', role: 'csp', organisationId: 'csp-nimbus', email: 'ops@nimbus.pk' })];
    const org = { organisationId: 'csp-nimbus', kind: 'csp' as const, contactName: 'Nadia', contactEmail: 'compliance@nimbus.pk' };
    expect(resolveRecipients({ kind: 'csp', organisationId: 'csp-nimbus' }, people, org).map((r) => r.email)).toEqual(['compliance@nimbus.pk', 'ops@nimbus.pk']);
    expect(resolveRecipients({ kind: 'csp', organisationId: 'csp-nimbus' }, people, { ...org, contactEmail: 'ops@nimbus.pk' })).toHaveLength(1);
  });

  it('of a task are the staff of its role and jurisdiction, without the people four eyes keep off it', () => {
    const audience = { kind: 'staff' as const, roles: ['provincial-officer' as const], jurisdiction: 'punjab' as const, excludedUserIds: ['o2'] };
    const people = [
      person({ accountId: 'o1', role: 'provincial-officer', jurisdiction: 'punjab', organisationId: null }),
      person({ accountId: 'o2', role: 'provincial-officer', jurisdiction: 'punjab', organisationId: null }),
      person({ accountId: 'o3', role: 'provincial-officer', jurisdiction: 'sindh', organisationId: null }),
      person({ accountId: 'r1', role: 'reviewer', jurisdiction: 'punjab', organisationId: null }),
    ];
    expect(resolveRecipients(audience, people, undefined).map((r) => r.accountId)).toEqual(['o1']);
  });

  it('of a staff notice without a jurisdiction are that role everywhere', () => {
    const audience = { kind: 'staff' as const, roles: ['admin' as const], jurisdiction: null, excludedUserIds: [] };
    expect(isAddressedTo(audience, { accountId: 'x', role: 'admin', jurisdiction: 'sindh', organisationId: null })).toBe(true);
    expect(isAddressedTo(audience, { accountId: 'y', role: 'auditor', jurisdiction: 'federal', organisationId: null })).toBe(false);
  });
});
