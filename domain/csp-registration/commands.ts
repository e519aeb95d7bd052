import { z } from 'zod';
import type { Actor } from '../shared/actor';
import { Organisation } from '../csp/events';
import { RegisteredCspId, RegistrationRequestId, RequestedUsername } from './events';

/** Payloads of the registration desk's commands; the actor is added by the edge. */
export const CspRegistrationCommandPayloads = {
  /** From the public form: the request id is the office's, made before the command is decided. */
  RequestRegistration: z.object({ requestId: RegistrationRequestId, organisation: Organisation, username: RequestedUsername }),
  ApproveRegistration: z.object({ requestId: RegistrationRequestId, cspId: RegisteredCspId }),
  RefuseRegistration: z.object({ requestId: RegistrationRequestId, reasons: z.string().trim().min(1, 'must not be empty').max(2000, 'must be at most 2000 characters') }),
} as const;

type Payloads = typeof CspRegistrationCommandPayloads;
export type CspRegistrationCommandType = keyof Payloads;
export type CspRegistrationCommand = {
  [K in CspRegistrationCommandType]: { type: K; actor: Actor; data: z.output<Payloads[K]> };
}[CspRegistrationCommandType];
