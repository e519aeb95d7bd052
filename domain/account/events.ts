import { z } from 'zod';
import { IsoDateTime, Jurisdiction, Role } from '../shared/vocabulary';

const Text = z.string().trim().min(1);

/** Where the account's notices are mailed; lower-cased so one address is one person. */
export const EmailAddress = z.email().max(254).transform((e) => e.toLowerCase());

/** What an account may do: its role, where, and for which organisation (CSP and PSE accounts only). */
export const Assignment = z.object({
  role: Role,
  jurisdiction: Jurisdiction,
  organisationId: Text.max(64).nullable(),
});
export type Assignment = z.infer<typeof Assignment>;

/**
 * The account's events (stream `account-<username>`), version 1 (later fields optional, so older
 * histories read as they were). No password, hash or token ever appears here: a password set or reset is recorded as a credential id, which the identity database
 * alone links to the hash.
 */
export const AccountEventSchemas = {
  AccountCreated: z.object({
    accountId: Text,
    username: Text,
    displayName: Text.max(100),
    /** The identity database's handle on the first password; not the password. */
    credentialId: Text,
    /** Optional: accounts created before addresses were recorded have none. */
    email: EmailAddress.optional(),
    createdBy: Text,
    createdAt: IsoDateTime,
    /**
     * The first password is the administrator's, for one sign-in: the person chooses their own with it
     * before this instant. Absent in histories recorded before passwords set by administrators expired.
     */
    passwordExpiresAt: IsoDateTime.optional(),
  }),
  /**
   * The assignment took effect at once: a role that is not privileged, the bootstrap of the first
   * administrator by the machine when no enabled administrator exists, or an account that existed
   * before accounts were recorded as events (recorded as it was, by the engine).
   */
  AccountRoleAssigned: Assignment.extend({
    basis: z.enum(['not-privileged', 'bootstrap', 'existing-account']),
    assignedBy: Text,
    assignedAt: IsoDateTime,
  }),
  /** A privileged assignment waits for a second administrator. */
  AccountGrantRequested: Assignment.extend({ grantId: Text, requestedBy: Text, requestedAt: IsoDateTime }),
  AccountGrantApproved: Assignment.extend({ grantId: Text, approvedBy: Text, approvedAt: IsoDateTime }),
  AccountGrantRejected: z.object({ grantId: Text, reason: Text.max(2000), rejectedBy: Text, rejectedAt: IsoDateTime }),
  AccountDisabled: z.object({ disabledBy: Text, disabledAt: IsoDateTime }),
  AccountEnabled: z.object({ enabledBy: Text, enabledAt: IsoDateTime }),
  /** Who reset whose password, and when; the new password's hash stays in the identity database. */
  AccountPasswordReset: z.object({ credentialId: Text, resetBy: Text, resetAt: IsoDateTime, passwordExpiresAt: IsoDateTime.optional() }),
  /**
   * Who reset whose second factor, and when; the authenticator's secret never leaves the identity
   * database. With passwordExpiresAt, the password the account had serves once more, to enrol and
   * choose a new one, until then.
   */
  AccountMfaReset: z.object({ resetBy: Text, resetAt: IsoDateTime, passwordExpiresAt: IsoDateTime.optional() }),
  /** The person replaced a password an administrator set with one of their own (recorded as their act). */
  AccountPasswordChosen: z.object({ credentialId: Text, chosenAt: IsoDateTime }),
  /** The address notices are mailed to, set or removed (null) by an administrator or the person. */
  AccountEmailChanged: z.object({ email: EmailAddress.nullable(), changedBy: Text, changedAt: IsoDateTime }),
} as const;

type Schemas = typeof AccountEventSchemas;
export type AccountEventType = keyof Schemas;
export type AccountEvent = { [K in AccountEventType]: { type: K; data: z.infer<Schemas[K]> } }[AccountEventType];
export type AccountEventOf<K extends AccountEventType> = Extract<AccountEvent, { type: K }>;

export const ACCOUNT_EVENT_TYPES = Object.keys(AccountEventSchemas) as AccountEventType[];
