import { z } from 'zod';
import { CspRegistrationCommandPayloads, RegisteredCspId, RegistrationRequestId, RequestedUsername } from '../../domain/csp-registration';
import { Organisation } from '../../domain/csp/events';
import { IsoDateTime } from '../../domain/shared/vocabulary';
import type { RegistrationRequest } from '../../domain/csp-registration';
import { AccountView } from '../../identity/schemas';
import type { Same } from './same-shape';

/** The public form's fields, flat as people type them; the desk's Organisation is built from them. */
export const RegistrationRequestBody = z.object({
  organisationName: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  registrationNumber: z.string().trim().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  contactName: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  contactEmail: z.email('must be an email address').max(254, 'must be at most 254 characters'),
  contactPhone: z.string().trim().max(30, 'must be at most 30 characters').optional(),
  username: RequestedUsername,
});
export type RegistrationRequestBody = z.output<typeof RegistrationRequestBody>;

export function organisationOf(body: RegistrationRequestBody): z.output<typeof Organisation> {
  const phone = body.contactPhone !== undefined && body.contactPhone !== '' ? { phone: body.contactPhone } : {};
  return { name: body.organisationName, registrationNumber: body.registrationNumber, contact: { name: body.contactName, email: body.contactEmail, ...phone } };
}

export const RegistrationParams = z.object({ requestId: RegistrationRequestId });
export const ApproveRegistrationBody = z.object({ cspId: RegisteredCspId.optional() });
export const RefuseRegistrationBody = CspRegistrationCommandPayloads.RefuseRegistration.pick({ reasons: true });

const Common = { requestId: z.string(), organisation: Organisation, username: z.string(), requestedAt: IsoDateTime };
export const RegistrationRequestView = z.discriminatedUnion('status', [
  z.object({ status: z.literal('requested'), ...Common }),
  z.object({ status: z.literal('approved'), ...Common, cspId: z.string(), decidedBy: z.string(), decidedAt: IsoDateTime }),
  z.object({ status: z.literal('refused'), ...Common, reasons: z.string(), decidedBy: z.string(), decidedAt: IsoDateTime }),
]);
/** What the public form answers: the request's id and status, nothing of anyone else's. */
export const RegistrationReceipt = z.object({ requestId: z.string(), status: z.literal('requested'), requestedAt: IsoDateTime });
export const RegistrationRequestList = z.object({ items: z.array(RegistrationRequestView) });
export const RegistrationApproval = z.object({
  request: RegistrationRequestView,
  account: AccountView,
  /** The contact's first password: in this response only, never stored in clear. */
  generatedPassword: z.string(),
});

const sameShape: Same<z.infer<typeof RegistrationRequestView>, RegistrationRequest> = true;
void sameShape;
