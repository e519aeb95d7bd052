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

/** Someone holding (having claimed) a task on a case, as the work queue's claims record it. */
export interface TaskHolder {
  /** The case's id (`NOC-1`, an application's or a review's id): its stream's name without the category. */
  caseId: string;
  userId: string;
}

/** The case a notice is about, by the id claims use: `noc-NOC-1` → `NOC-1`. */
export const caseIdOfStream = (stream: string): string => stream.slice(stream.indexOf('-') + 1);

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
 * Whether a notice reaches this person, given the active people holding a task on its case: a staff
 * notice goes to those of them it addresses, when there are any (the work is theirs), and to everyone
 * it addresses otherwise; an organisation's notice is not narrowed. Pure; the inbox's SQL
 * (projections/notices/inbox.ts) states the same rule.
 */
export function reaches(
  audience: Audience,
  person: Pick<NoticePerson, 'accountId' | 'role' | 'jurisdiction' | 'organisationId'>,
  holders: readonly Pick<NoticePerson, 'accountId' | 'role' | 'jurisdiction' | 'organisationId'>[],
): boolean {
  if (!isAddressedTo(audience, person)) return false;
  if (audience.kind !== 'staff') return true;
  const addressed = holders.filter((h) => isAddressedTo(audience, h));
  return addressed.length === 0 || addressed.some((h) => h.accountId === person.accountId);
}

/**
 * Where a notice's mail goes: every active account it reaches that has an address (see reaches: the
 * holders of a task on its case, for a staff notice, when it addresses any), and for a provider also
 * the contact its register entry names. One address receives one copy. Pure.
 */
export function resolveRecipients(
  audience: Audience,
  people: readonly NoticePerson[],
  organisation: NoticeOrganisation | undefined,
  holderIds: readonly string[] = [],
): Recipient[] {
  const holders = people.filter((p) => p.active && holderIds.includes(p.accountId));
  const byAddress = new Map<string, Recipient>();
  for (const person of people) {
    if (!person.active || person.email === null || !reaches(audience, person, holders)) continue;
    if (!byAddress.has(person.email)) byAddress.set(person.email, { name: person.displayName, email: person.email, accountId: person.accountId });
  }
  const contact = audience.kind === 'staff' ? null : organisation?.contactEmail;
  if (contact && !byAddress.has(contact)) {
    byAddress.set(contact, { name: organisation?.contactName ?? contact, email: contact, accountId: null });
  }
  return [...byAddress.values()].sort((a, b) => a.email.localeCompare(b.email));
}
