import {
  CspRegistrationEventSchemas,
  decideRegistrationDesk,
  foldRegistrationDesk,
  suggestedCspId,
  type CspRegistrationCommand,
  type CspRegistrationEvent,
  type RegistrationDeskContext,
  type RegistrationDeskState,
} from '../../domain/csp-registration';
import type { Actor } from '../../domain/shared/actor';
import { ORGANISATION } from './csp-fixtures';
import { deciderSpec } from './given-when-then';

const given = deciderSpec<RegistrationDeskState, CspRegistrationCommand, CspRegistrationEvent, RegistrationDeskContext>({
  decide: decideRegistrationDesk,
  fold: foldRegistrationDesk,
  validate: (event) => expect(CspRegistrationEventSchemas[event.type].parse(event.data)).toEqual(event.data),
});

const NOW = '2026-03-01T10:00:00.000Z';
const ctx = { now: NOW };
const admin: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
const director: Actor = { userId: 'u-dir', name: 'Director', role: 'director', jurisdiction: 'federal' };
const applicant: Actor = { userId: 'applicant:REG-2026-AAAAAAAA', name: 'Contact', role: 'csp', jurisdiction: 'federal' };
const A = 'REG-2026-AAAAAAAA';
const B = 'REG-2026-BBBBBBBB';

const requested = (requestId = A, registrationNumber = ORGANISATION.registrationNumber): CspRegistrationEvent => ({
  type: 'CspRegistrationRequested',
  data: { requestId, organisation: { ...ORGANISATION, registrationNumber }, username: 'nimbus', requestedAt: NOW },
});
const approved = (requestId = A, cspId = 'csp-nimbus'): CspRegistrationEvent => ({
  type: 'CspRegistrationApproved',
  data: { requestId, cspId, username: 'nimbus', approvedBy: admin.userId, approvedAt: NOW },
});
const request = (requestId = A, registrationNumber = ORGANISATION.registrationNumber): CspRegistrationCommand => ({
  type: 'RequestRegistration',
  actor: applicant,
  data: { requestId, organisation: { ...ORGANISATION, registrationNumber }, username: 'nimbus' },
});

describe('asking to be registered as a provider', () => {
  it('records the organisation, its contact and the username it wants, awaiting the office', () => {
    const { state } = given([]).when(request(), ctx).then([requested()]);
    expect(state.requests).toEqual([expect.objectContaining({ requestId: A, status: 'requested' })]);
  });

  it('refuses a second request for a company whose request still waits, naming the registration number', () => {
    given([requested()]).when(request(B, ` ${ORGANISATION.registrationNumber.toLowerCase()} `), ctx).thenRefuses('REGISTRATION_REQUEST_PENDING', 'registrationNumber');
  });

  it('refuses a company already registered through an approved request', () => {
    given([requested(), approved()]).when(request(B), ctx).thenRefuses('CSP_ALREADY_REGISTERED', 'registrationNumber');
  });

  it('takes a new request from a company whose earlier request was refused', () => {
    const refused: CspRegistrationEvent = { type: 'CspRegistrationRefused', data: { requestId: A, reasons: 'No SECP record', refusedBy: admin.userId, refusedAt: NOW } };
    given([requested(), refused]).when(request(B), ctx).then([requested(B)]);
  });
});

describe('deciding a registration request', () => {
  it('approves a waiting request under a register id, by an administrator', () => {
    const { state } = given([requested()])
      .when({ type: 'ApproveRegistration', actor: admin, data: { requestId: A, cspId: 'csp-nimbus' } }, ctx)
      .then([approved()]);
    expect(state.requests[0]).toMatchObject({ status: 'approved', cspId: 'csp-nimbus', decidedBy: admin.userId });
  });

  it('refuses with the reasons recorded', () => {
    const { state } = given([requested()])
      .when({ type: 'RefuseRegistration', actor: admin, data: { requestId: A, reasons: 'No SECP record' } }, ctx)
      .then([{ type: 'CspRegistrationRefused', data: { requestId: A, reasons: 'No SECP record', refusedBy: admin.userId, refusedAt: NOW } }]);
    expect(state.requests[0]).toMatchObject({ status: 'refused', reasons: 'No SECP record' });
  });

  it('is an administrator’s decision only', () => {
    given([requested()]).when({ type: 'ApproveRegistration', actor: director, data: { requestId: A, cspId: 'csp-nimbus' } }, ctx).thenRefuses('ROLE_NOT_ALLOWED');
    given([requested()]).when({ type: 'RefuseRegistration', actor: applicant, data: { requestId: A, reasons: 'x' } }, ctx).thenRefuses('ROLE_NOT_ALLOWED');
  });

  it('decides a request once, and only one that exists', () => {
    given([requested(), approved()])
      .when({ type: 'RefuseRegistration', actor: admin, data: { requestId: A, reasons: 'Too late' } }, ctx)
      .thenRefuses('REGISTRATION_REQUEST_DECIDED', 'requestId');
    given([]).when({ type: 'ApproveRegistration', actor: admin, data: { requestId: A, cspId: 'csp-nimbus' } }, ctx).thenRefuses('REGISTRATION_REQUEST_NOT_FOUND', 'requestId');
  });

  it('refuses a register id an approved request already took', () => {
    given([requested(), approved(), requested(B, 'OTHER-1')])
      .when({ type: 'ApproveRegistration', actor: admin, data: { requestId: B, cspId: 'csp-nimbus' } }, ctx)
      .thenRefuses('CSP_ALREADY_REGISTERED', 'cspId');
  });
});

describe('the register id a request suggests', () => {
  it('is csp- and the organisation name in lower case, words joined by dashes', () => {
    expect(suggestedCspId('Nimbus Cloud (Pvt.) Ltd.')).toBe('csp-nimbus-cloud-pvt-ltd');
    expect(suggestedCspId('***')).toBe('csp-provider');
  });
});
