import { z } from 'zod';
import { Actor } from '../../domain/shared/actor';
import { AccountFields, AccountView, LoginInput, organisationRule, Password } from '../../identity/schemas';

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
