import type { Jurisdiction, Role } from '../../domain/shared/vocabulary';

/**
 * Who a notice is for, as the event that caused it says: an organisation (an entity's officers, a
 * provider's people) or the staff eligible for a task. The people themselves are resolved when the
 * notice is read or sent, so an officer added later still finds the entity's notices in the inbox.
 */
export type Audience =
  | { kind: 'pse'; organisationId: string }
  | { kind: 'csp'; organisationId: string }
  /** jurisdiction null: staff of every jurisdiction with one of the roles (administrators). */
  | { kind: 'staff'; roles: Role[]; jurisdiction: Jurisdiction | null; excludedUserIds: string[] };

/** A person as notices see them: the account's assignment in force, and where mail goes. */
export interface NoticePerson {
  accountId: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdiction: Jurisdiction;
  organisationId: string | null;
  email: string | null;
  /** Can sign in: enabled, with a role in force. */
  active: boolean;
}

/** An organisation's register entry as notices see it: the contact address it registered, if any. */
export interface NoticeOrganisation {
  organisationId: string;
  kind: 'csp' | 'pse';
  contactName: string | null;
  contactEmail: string | null;
}

export interface Recipient {
  name: string;
  email: string;
  /** null for a register contact that is nobody's account. */
  accountId: string | null;
}

/** Whether the notice is addressed to this person. Pure; the inbox and the mail dispatcher share it. */
export function isAddressedTo(audience: Audience, person: Pick<NoticePerson, 'accountId' | 'role' | 'jurisdiction' | 'organisationId'>): boolean {
  switch (audience.kind) {
    case 'pse':
    case 'csp':
      return person.role === audience.kind && person.organisationId === audience.organisationId;
    case 'staff':
      return (
        audience.roles.includes(person.role) &&
        (audience.jurisdiction === null || audience.jurisdiction === person.jurisdiction) &&
        !audience.excludedUserIds.includes(person.accountId)
      );
  }
}

/**
 * Where a notice's mail goes: every active account it is addressed to that has an address, and for a
 * provider also the contact its register entry names. One address receives one copy. Pure.
 */
export function resolveRecipients(audience: Audience, people: readonly NoticePerson[], organisation: NoticeOrganisation | undefined): Recipient[] {
  const byAddress = new Map<string, Recipient>();
  for (const person of people) {
    if (!person.active || person.email === null || !isAddressedTo(audience, person)) continue;
    if (!byAddress.has(person.email)) byAddress.set(person.email, { name: person.displayName, email: person.email, accountId: person.accountId });
  }
  const contact = audience.kind === 'staff' ? null : organisation?.contactEmail;
  if (contact && !byAddress.has(contact)) {
    byAddress.set(contact, { name: organisation?.contactName ?? contact, email: contact, accountId: null });
  }
  return [...byAddress.values()].sort((a, b) => a.email.localeCompare(b.email));
}
