import { z } from 'zod';
import { Jurisdiction, ORGANISATION_ROLES, Role } from '../domain/shared/vocabulary';

export const EmailAddress = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address such as name@example.gov.pk'))
  .transform((e) => e.toLowerCase());

/**
 * What an account is made of, as an administrator enters it. Messages name the rule, and the issue
 * path names the field, so the CLI and the API can both say "password: must be at least 12 characters".
 */
export const PASSWORD_MIN_LENGTH = 12;
/** Argon2 takes any length; the cap only stops someone hashing megabytes on our CPU. */
export const PASSWORD_MAX_LENGTH = 256;

export const Username = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z][a-z0-9._-]{2,31}$/,
    'must be 3 to 32 characters: a letter first, then letters, digits, dots, dashes or underscores',
  );

export const Password = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => p.trim().length > 0, 'must not be only spaces');

export const DisplayName = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');

const OrganisationId = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/, 'must be 2 to 64 letters, digits, dots, dashes or underscores');

/** The account's fields without the cross-field rule, for building variants (the API's password is optional). */
export const AccountFields = z.object({
  username: Username,
  /** Defaults to the username. */
  displayName: DisplayName.optional(),
  role: Role,
  jurisdiction: Jurisdiction,
  organisationId: OrganisationId.optional(),
  /** Where the account's notices are mailed; optional. */
  email: EmailAddress.optional(),
  password: Password,
});

/** CSP and PSE accounts act for an organisation; staff accounts act for the office and have none. */
export function organisationRule(value: { role: Role; organisationId?: string | undefined }, ctx: z.RefinementCtx): void {
  const needsOrganisation = ORGANISATION_ROLES.includes(value.role);
  if (needsOrganisation && value.organisationId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['organisationId'], message: `is required for the ${value.role} role` });
  }
  if (!needsOrganisation && value.organisationId !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['organisationId'],
      message: `is only for ${ORGANISATION_ROLES.join(' and ')} accounts, not ${value.role}`,
    });
  }
}

export const AccountInput = AccountFields.superRefine(organisationRule);
export type AccountInput = z.input<typeof AccountInput>;
export type ValidAccountInput = z.output<typeof AccountInput>;

export const AccountRef = z.object({ username: Username });

/** A new address for notices, or null to stop mailing them (the inbox keeps them). */
export const EmailChange = z.object({ username: Username, email: EmailAddress.nullable() });
export type EmailChange = z.input<typeof EmailChange>;

/** A change of role, jurisdiction or organisation, with the same organisation rule as a new account. */
export const AssignmentInput = z
  .object({ role: Role, jurisdiction: Jurisdiction, organisationId: OrganisationId.optional() })
  .superRefine(organisationRule);
export type AssignmentInput = z.input<typeof AssignmentInput>;

export const GrantRef = z.object({ username: Username, grantId: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters') });
export const GrantRejection = GrantRef.extend({ reason: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters') });
export const PasswordChange = z.object({ username: Username, password: Password });

/** The password a person chooses in place of a one-time one. */
export const NewPasswordInput = z.object({ newPassword: Password });

/** Login takes any string: a wrong-shaped username is just a failed login, not a hint about the rules. */
export const LoginInput = z.object({
  username: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  password: z.string().min(1, 'must not be empty').max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
  /** The authenticator's current 6-digit code, or one of the account's unused recovery codes. */
  code: z.string().max(32, 'must be at most 32 characters').optional(),
  /**
   * The person's own password, given with a password an administrator set (which serves once): the
   * rules of Password apply, checked only once the password was right.
   */
  newPassword: z.string().max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`).optional(),
});
export type LoginInput = z.infer<typeof LoginInput>;

/**
 * - active: signs in with its role;
 * - disabled: cannot sign in;
 * - awaiting-approval: created with a privileged role that a second administrator has not approved yet;
 * - no-role: its only grant was rejected; a role change gives it one.
 */
export const AccountStatus = z.enum(['active', 'disabled', 'awaiting-approval', 'no-role']);
export type AccountStatus = z.infer<typeof AccountStatus>;

/** A privileged role, jurisdiction or organisation waiting for a second administrator. */
export const PendingGrantView = z.object({
  grantId: z.string(),
  role: Role,
  jurisdiction: Jurisdiction,
  organisationId: z.string().nullable(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
});
export type PendingGrantView = z.infer<typeof PendingGrantView>;

/** An account as everyone but the password store sees it. */
export const AccountView = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  /** The role in force; for an account awaiting approval or without a role, the one it asked for. */
  role: Role,
  jurisdiction: Jurisdiction,
  organisationId: z.string().nullable(),
  /** Where notices are mailed; null when none was given. */
  email: z.string().nullable(),
  disabled: z.boolean(),
  status: AccountStatus,
  /** While set, the account keeps its role in force and cannot act with this one. */
  pendingGrant: PendingGrantView.nullable(),
  createdAt: z.iso.datetime(),
});
export type AccountView = z.infer<typeof AccountView>;
