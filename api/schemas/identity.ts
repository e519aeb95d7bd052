import { z } from 'zod';
import { Actor } from '../../domain/shared/actor';
import { Role } from '../../domain/shared/vocabulary';
import { AccountFields, EmailAddress, AccountStatus, AccountView, AssignmentInput, LoginInput, organisationRule, Password, PendingGrantView, Username } from '../../identity/schemas';

export const LoginBody = LoginInput;

export const SessionSchema = z.object({
  /** Send as `Authorization: Bearer <token>`. */
  token: z.string(),
  expiresAt: z.iso.datetime(),
  actor: Actor,
  /** Only in the answer to the sign-in that confirmed an enrolment: ten one-time codes, shown this once. */
  recoveryCodes: z.array(z.string()).optional(),
});

/** Without a password the server generates one and returns it once. */
export const NewAccountBody = AccountFields.extend({ password: Password.optional() }).superRefine(organisationRule);

export const AccountCreated = z.object({
  account: AccountView,
  /** Only when the server generated the password: shown this once, never stored in clear. */
  generatedPassword: z.string().optional(),
});

export const AccountList = z.object({ items: z.array(AccountView) });

export const AccountParams = z.object({ username: Username });
export const GrantParams = z.object({ username: Username, grantId: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters') });

/** The role in force changes at once unless the role is privileged: then it waits for a second administrator. */
export const ChangeRoleBody = AssignmentInput;

/** null removes the address: notices then stay in the inbox only. */
export const ChangeEmailBody = z.object({ email: EmailAddress.nullable() });

/** Approving, disabling and enabling take no fields; the body may be empty or absent. */
export const NoFieldsBody = z.object({});

export const RejectGrantBody = z.object({ reason: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters') });

/** Without a password the server generates one and returns it once. */
export const ResetPasswordBody = z.object({ password: Password.optional() });

export const AccountResult = z.object({ account: AccountView });

export const PasswordResetResult = z.object({
  account: AccountView,
  /** Only when the server generated the password: shown this once, never stored in clear. */
  generatedPassword: z.string().optional(),
});

export const PendingGrantList = z.object({
  items: z.array(
    z.object({
      username: z.string(),
      accountId: z.string(),
      displayName: z.string(),
      status: AccountStatus,
      /** The role in force while the grant waits; null for an account created with the privileged role. */
      currentRole: Role.nullable(),
      grant: PendingGrantView,
    }),
  ),
});
