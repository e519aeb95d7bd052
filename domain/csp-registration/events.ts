import { z } from 'zod';
import { IsoDateTime } from '../shared/vocabulary';
import { Organisation } from '../csp/events';

const Text = z.string().trim().min(1);

/** A request id such as REG-2026-7K3QX9TB, made by the office when the request is recorded. */
export const RegistrationRequestId = z.string().regex(/^REG-\d{4}-[0-9A-Z]{8}$/, 'must look like REG-2026-7K3QX9TB');

/**
 * The username the provider's contact asks for, with the identity's own rule (identity/schemas.ts),
 * checked again when the account is created on approval.
 */
export const RequestedUsername = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9._-]{2,31}$/, 'must be 3 to 32 characters: a letter first, then letters, digits, dots, dashes or underscores');

/** The register id a provider gets on approval (the `cspId` of `csp-<cspId>`). */
export const RegisteredCspId = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2 to 63 lower-case letters, digits or dashes, starting with a letter or digit');

/**
 * The registration desk's events (stream `registration-csp`): a provider without an account asks to be
 * registered; an administrator approves (the provider enters the CSP register and its contact gets an
 * account) or refuses with reasons.
 */
export const CspRegistrationEventSchemas = {
  CspRegistrationRequested: z.object({
    requestId: RegistrationRequestId,
    organisation: Organisation,
    username: RequestedUsername,
    requestedAt: IsoDateTime,
  }),
  CspRegistrationApproved: z.object({
    requestId: RegistrationRequestId,
    cspId: RegisteredCspId,
    username: RequestedUsername,
    approvedBy: Text,
    approvedAt: IsoDateTime,
  }),
  CspRegistrationRefused: z.object({ requestId: RegistrationRequestId, reasons: Text.max(2000), refusedBy: Text, refusedAt: IsoDateTime }),
} as const;

type Schemas = typeof CspRegistrationEventSchemas;
export type CspRegistrationEventType = keyof Schemas;
export type CspRegistrationEvent = { [K in CspRegistrationEventType]: { type: K; data: z.infer<Schemas[K]> } }[CspRegistrationEventType];
