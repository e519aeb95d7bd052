import { randomUUID } from 'node:crypto';
import {
  FrameworkRegisterEventSchemas,
  decideFrameworkRegister,
  foldFrameworkRegister,
  frameworkInForce,
  type BenchmarkFramework,
  type FrameworkRegisterCommand,
  type FrameworkRegisterEvent,
  type FrameworkRegisterState,
} from '../domain/framework';
import type { Actor } from '../domain/shared/actor';
import { DomainError } from '../domain/shared/errors';
import { eventId, streamName } from '../eventstore/envelope';
import { WrongExpectedRevisionError, type EventStore, type ExpectedRevision } from '../eventstore/port';
import { currentVersion, decode, validateForWrite } from '../eventstore/registry';
import { frameworkVersionViews, type FrameworkVersionView } from '../projections/framework/versions';

/** One stream holds the whole register: version numbers and effective dates are ordered across it. */
export const FRAMEWORK_REGISTER_STREAM = streamName('framework', 'register');
const POLICY_VERSION = 'framework-register-1';

/** Where the accreditation gateway learns which framework an application is scored against. */
export interface FrameworkSource {
  /** The version in force at `at` (ISO): the approved version with the latest effectiveFrom not after it. */
  inForce(at: string): Promise<BenchmarkFramework>;
}

export interface FrameworkRegister extends FrameworkSource {
  versions(): Promise<FrameworkVersionView[]>;
  /** The version in force now, as the public reads it. */
  current(): Promise<FrameworkVersionView>;
  /** Any version ever proposed, or the genesis; undefined for an unknown one. */
  version(version: string): Promise<FrameworkVersionView | undefined>;
  propose(actor: Actor, data: { framework: BenchmarkFramework; changes: string }): Promise<FrameworkVersionView>;
  approve(actor: Actor, version: string): Promise<FrameworkVersionView>;
  reject(actor: Actor, version: string, reasons: string): Promise<FrameworkVersionView>;
}

/**
 * The framework register in the event store. The register is no long-running process, so, like an
 * account, a decision is appended with the revision it was taken on: a concurrent approval makes the
 * other one fail with a conflict instead of deciding on a stale register. It is one short stream, read
 * whole for every question; the built-in genesis version is not in it.
 */
export function createFrameworkRegister(deps: {
  eventStore: Pick<EventStore, 'readStream' | 'append'>;
  genesis: BenchmarkFramework;
  now?: () => Date;
}): FrameworkRegister {
  const { eventStore, genesis } = deps;
  const now = deps.now ?? (() => new Date());

  async function read(): Promise<{ state: FrameworkRegisterState; expected: ExpectedRevision }> {
    const recorded = await eventStore.readStream(FRAMEWORK_REGISTER_STREAM);
    const events = recorded.map((r) => {
      const decoded = decode(r);
      return { type: decoded.type, data: decoded.data } as FrameworkRegisterEvent;
    });
    const last = recorded.at(-1);
    return { state: foldFrameworkRegister(events), expected: last === undefined ? 'no-stream' : last.revision };
  }

  async function run(command: FrameworkRegisterCommand, version: string): Promise<FrameworkVersionView> {
    const { state, expected } = await read();
    const occurredAt = now().toISOString();
    const events = decideFrameworkRegister(command, state, { now: occurredAt, genesis });
    const first = expected === 'no-stream' ? 0 : (expected as number) + 1;
    const causationId = randomUUID();
    try {
      await eventStore.append(
        FRAMEWORK_REGISTER_STREAM,
        events.map((event, i) => ({
          id: eventId(FRAMEWORK_REGISTER_STREAM, first + i),
          type: event.type,
          data: validateForWrite(event.type, FrameworkRegisterEventSchemas[event.type].parse(event.data)),
          metadata: {
            schemaVersion: currentVersion(event.type),
            actor: { userId: command.actor.userId, name: command.actor.name, role: command.actor.role, jurisdiction: command.actor.jurisdiction },
            occurredAt,
            correlationId: `framework:${version}`,
            causationId,
            policyVersion: POLICY_VERSION,
          },
        })),
        expected,
      );
    } catch (err) {
      if (err instanceof WrongExpectedRevisionError) {
        throw new DomainError('WRONG_EXPECTED_REVISION', 'The framework register changed while this was decided; try again');
      }
      throw err;
    }
    const view = await register.version(version);
    if (view === undefined) throw new Error(`framework version ${version} vanished after it was written`);
    return view;
  }

  const register: FrameworkRegister = {
    async inForce(at) {
      return frameworkInForce((await read()).state, genesis, at);
    },
    async versions() {
      return frameworkVersionViews((await read()).state, genesis);
    },
    async current() {
      const { state } = await read();
      const inForce = frameworkInForce(state, genesis, now().toISOString());
      const view = frameworkVersionViews(state, genesis).find((v) => v.version === inForce.version);
      if (view === undefined) throw new Error(`framework ${inForce.version} is in force but not in the register`);
      return view;
    },
    async version(version) {
      return (await register.versions()).find((v) => v.version === version);
    },
    propose: (actor, data) => run({ type: 'ProposeVersion', actor, data }, data.framework.version),
    approve: (actor, version) => run({ type: 'ApproveVersion', actor, data: { version } }, version),
    reject: (actor, version, reasons) => run({ type: 'RejectVersion', actor, data: { version, reasons } }, version),
  };
  return register;
}
