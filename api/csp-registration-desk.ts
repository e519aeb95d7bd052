import { randomBytes, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  CspRegistrationEventSchemas,
  decideRegistrationDesk,
  foldRegistrationDesk,
  type CspRegistrationCommand,
  type CspRegistrationEvent,
  type RegistrationDeskState,
  type RegistrationRequest,
} from '../domain/csp-registration';
import type { Organisation } from '../domain/csp/events';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { eventId, streamName } from '../eventstore/envelope';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../eventstore/port';
import { currentVersion, decode, validateForWrite } from '../eventstore/registry';
import type { Identity } from '../identity/identity';
import type { AccountView } from '../identity/schemas';
import { generatePassword } from '../identity/tokens';
import type { CspGateway } from './csp-gateway';

/** One stream holds every request: a company's waiting request and register id are checked across all of them. */
export const REGISTRATION_DESK_STREAM = streamName('registration', 'csp');
const POLICY_VERSION = 'csp-registration-1';
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface Approval {
  request: RegistrationRequest;
  account: AccountView;
  /** The contact's first password, shown this once to the approving administrator. */
  generatedPassword: string;
}

export interface CspRegistrationDesk {
  /** A provider without an account asks to be registered; answers the recorded request. */
  request(data: { organisation: z.output<typeof Organisation>; username: string }, at?: Date): Promise<RegistrationRequest>;
  /** Every request, the newest first. */
  list(): Promise<RegistrationRequest[]>;
  get(requestId: string): Promise<RegistrationRequest | undefined>;
  /** Registers the provider (CSP register), creates its contact's account, then records the approval. */
  approve(actor: Actor, requestId: string, cspId: string): Promise<Approval>;
  refuse(actor: Actor, requestId: string, reasons: string): Promise<RegistrationRequest>;
}

/** The applicant has no account yet: its request is recorded under its own request id, as a would-be provider. */
const applicant = (requestId: string, name: string): Actor => ({ userId: `applicant:${requestId}`, name, role: 'csp', jurisdiction: 'federal' });

/**
 * The registration desk in the event store. Like the framework register it is no long-running
 * process: a decision is appended with the revision it was taken on, so two administrators deciding
 * the same request at once cannot both succeed. Approval has effects outside the stream (the CSP
 * register, an account): they happen first and each is safe to repeat, and the approval is recorded
 * last, so a failure in between leaves the request waiting and the administrator simply approves again.
 */
export function createCspRegistrationDesk(deps: {
  eventStore: Pick<EventStore, 'readStream' | 'append'>;
  identity: Pick<Identity, 'createAccount' | 'listAccounts'>;
  csps?: CspGateway;
  now?: () => Date;
}): CspRegistrationDesk {
  const { eventStore, identity } = deps;
  const now = deps.now ?? (() => new Date());

  async function read(): Promise<{ state: RegistrationDeskState; expected: ExpectedRevision }> {
    const recorded = await eventStore.readStream(REGISTRATION_DESK_STREAM);
    const events = recorded.map((r) => {
      const decoded = decode(r);
      return { type: decoded.type, data: decoded.data } as CspRegistrationEvent;
    });
    const last = recorded.at(-1);
    return { state: foldRegistrationDesk(events), expected: last === undefined ? 'no-stream' : last.revision };
  }

  async function run(command: CspRegistrationCommand, at: Date = now()): Promise<RegistrationRequest> {
    const { state, expected } = await read();
    const occurredAt = at.toISOString();
    const events = decideRegistrationDesk(command, state, { now: occurredAt });
    const first = expected === 'no-stream' ? 0 : (expected as number) + 1;
    const causationId = randomUUID();
    try {
      await eventStore.append(
        REGISTRATION_DESK_STREAM,
        events.map((event, i) => ({
          id: eventId(REGISTRATION_DESK_STREAM, first + i),
          type: event.type,
          data: validateForWrite(event.type, CspRegistrationEventSchemas[event.type].parse(event.data)),
          metadata: {
            schemaVersion: currentVersion(event.type),
            actor: { userId: command.actor.userId, name: command.actor.name, role: command.actor.role, jurisdiction: command.actor.jurisdiction },
            occurredAt,
            correlationId: `registration:${command.data.requestId}`,
            causationId,
            policyVersion: POLICY_VERSION,
          },
        })),
        expected,
      );
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) {
        throw new DomainError('WRONG_EXPECTED_REVISION', 'The registration requests changed while this was decided; try again');
      }
      throw err;
    }
    const request = await desk.get(command.data.requestId);
    if (request === undefined) throw new Error(`registration request ${command.data.requestId} vanished after it was written`);
    return request;
  }

  /** The provider enters the register, unless an earlier attempt at this approval already put it there. */
  async function register(actor: Actor, request: RegistrationRequest, cspId: string): Promise<void> {
    if (deps.csps === undefined) throw new DomainError('UNAVAILABLE', 'The CSP register is not available on this server');
    try {
      await deps.csps.register(actor, { cspId, ...request.organisation }, `registration:${request.requestId}`);
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== 'CSP_ALREADY_REGISTERED') throw err;
      const existing = await deps.csps.state(cspId);
      const same = existing?.state.status === 'registered' && existing.state.organisation.registrationNumber === request.organisation.registrationNumber;
      if (!same) throw err;
    }
  }

  const desk: CspRegistrationDesk = {
    async request(data, at = now()) {
      let suffix = '';
      for (const byte of randomBytes(8)) suffix += ALPHABET[byte % 32];
      const requestId = `REG-${at.getUTCFullYear()}-${suffix}`;
      return run({ type: 'RequestRegistration', actor: applicant(requestId, data.organisation.contact.name), data: { requestId, ...data } }, at);
    },
    async list() {
      return [...(await read()).state.requests].reverse();
    },
    async get(requestId) {
      return (await read()).state.requests.find((r) => r.requestId === requestId);
    },
    async approve(actor, requestId, cspId) {
      const command: CspRegistrationCommand = { type: 'ApproveRegistration', actor, data: { requestId, cspId } };
      const { state } = await read();
      // Refused here (not an admin, no such request, decided, register id used) before anything else changes.
      decideRegistrationDesk(command, state, { now: now().toISOString() });
      const request = state.requests.find((r) => r.requestId === requestId) as RegistrationRequest;
      if (identity.listAccounts().some((a) => a.username === request.username)) {
        throw new DomainError('ACCOUNT_EXISTS', `The username ${request.username} is taken: refuse the request and say so, so the provider asks again with another`, 'username');
      }
      await register(actor, request, cspId);
      const generatedPassword = generatePassword();
      const account = await identity.createAccount(actor, {
        username: request.username,
        displayName: request.organisation.contact.name,
        role: 'csp',
        jurisdiction: 'federal',
        organisationId: cspId,
        password: generatedPassword,
      });
      return { request: await run(command), account, generatedPassword };
    },
    refuse: (actor, requestId, reasons) => run({ type: 'RefuseRegistration', actor, data: { requestId, reasons } }),
  };
  return desk;
}
