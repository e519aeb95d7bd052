import type { Organisation } from '../csp/events';

export type RegistrationRequest =
  | { status: 'requested'; requestId: string; organisation: Organisation; username: string; requestedAt: string }
  | {
      status: 'approved';
      requestId: string;
      organisation: Organisation;
      username: string;
      requestedAt: string;
      cspId: string;
      decidedBy: string;
      decidedAt: string;
    }
  | {
      status: 'refused';
      requestId: string;
      organisation: Organisation;
      username: string;
      requestedAt: string;
      reasons: string;
      decidedBy: string;
      decidedAt: string;
    };

/** Every request ever made, oldest first (the desk is one short stream, read whole). */
export interface RegistrationDeskState {
  requests: RegistrationRequest[];
}

export const initialRegistrationDesk: RegistrationDeskState = { requests: [] };
