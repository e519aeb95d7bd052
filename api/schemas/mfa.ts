import { z } from 'zod';
import { LoginInput, Username } from '../../identity/schemas';

/** Enrolment proves the password; the code then goes to POST /api/auth/login, which confirms it. */
export const MfaEnrolmentBody = LoginInput.omit({ code: true });

export const MfaEnrolmentSchema = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** The same secret as an otpauth:// URI (what a QR code holds). */
  otpauthUri: z.string(),
});

export const AccountUsernameParams = z.object({ username: Username });
