import type { Actor } from '../shared/actor';
import { assertNever, DomainError } from '../shared/errors';
import { isBefore } from '../shared/time';
import type { FrameworkRegisterEvent } from './register-events';
import type { BenchmarkFramework } from './schema';

export type FrameworkVersionStatus = 'proposed' | 'approved' | 'rejected';

export interface FrameworkVersionEntry {
  version: string;
  framework: BenchmarkFramework;
  effectiveFrom: string;
  changes: string;
  status: FrameworkVersionStatus;
  proposedBy: string;
  approvedBy?: string;
  rejectedBy?: string;
  rejectionReasons?: string;
}

/** The register's versions in the order they were proposed. */
export interface FrameworkRegisterState {
  versions: FrameworkVersionEntry[];
}

export const initialFrameworkRegister: FrameworkRegisterState = { versions: [] };

export type FrameworkRegisterCommand =
  | { type: 'ProposeVersion'; actor: Actor; data: { framework: BenchmarkFramework; changes: string } }
  | { type: 'ApproveVersion'; actor: Actor; data: { version: string } }
  | { type: 'RejectVersion'; actor: Actor; data: { version: string; reasons: string } };

export interface FrameworkRegisterContext {
  now: string;
  /** The built-in version in force from the beginning (FRAMEWORK_VERSION's file); never in the stream. */
  genesis: BenchmarkFramework;
}

/** Orders major.minor versions numerically: 1.10 comes after 1.9. */
export function compareVersions(a: string, b: string): number {
  const [aMajor = 0, aMinor = 0] = a.split('.').map(Number);
  const [bMajor = 0, bMinor = 0] = b.split('.').map(Number);
  return aMajor !== bMajor ? aMajor - bMajor : aMinor - bMinor;
}

function requireDirector(actor: Actor, what: string): void {
  if (actor.role !== 'director') throw new DomainError('ROLE_NOT_ALLOWED', `Only a director may ${what}`);
}

function entryOf(state: FrameworkRegisterState, version: string): FrameworkVersionEntry {
  const entry = state.versions.find((v) => v.version === version);
  if (entry === undefined) throw new DomainError('NOT_FOUND', `No framework version ${version} was proposed`, 'version');
  return entry;
}

/**
 * The newest version that counts: the genesis and every approved one. A proposal and an approval
 * must both come after it, in number and in effectiveFrom, so the version in force only moves forward.
 */
function latestPublished(state: FrameworkRegisterState, genesis: BenchmarkFramework): { version: string; effectiveFrom: string } {
  const approved = state.versions.filter((v) => v.status === 'approved');
  return approved.at(-1) ?? { version: genesis.version, effectiveFrom: genesis.effectiveFrom };
}

function requireAfterPublished(framework: BenchmarkFramework, state: FrameworkRegisterState, ctx: FrameworkRegisterContext): void {
  const latest = latestPublished(state, ctx.genesis);
  if (compareVersions(framework.version, latest.version) <= 0) {
    throw new DomainError('FRAMEWORK_VERSION_NOT_NEWER', `Version ${framework.version} is not after ${latest.version}`, 'framework.version');
  }
  if (!isBefore(latest.effectiveFrom, framework.effectiveFrom)) {
    throw new DomainError(
      'FRAMEWORK_EFFECTIVE_FROM_INVALID',
      `effectiveFrom must be after ${latest.effectiveFrom}, when ${latest.version} took effect`,
      'framework.effectiveFrom',
    );
  }
  // Taking effect in the past would re-decide which version applications already submitted were scored against.
  if (!isBefore(ctx.now, framework.effectiveFrom)) {
    throw new DomainError('FRAMEWORK_EFFECTIVE_FROM_INVALID', `effectiveFrom must be in the future (now is ${ctx.now})`, 'framework.effectiveFrom');
  }
}

export function decideFrameworkRegister(
  command: FrameworkRegisterCommand,
  state: FrameworkRegisterState,
  ctx: FrameworkRegisterContext,
): FrameworkRegisterEvent[] {
  const { actor } = command;
  switch (command.type) {
    case 'ProposeVersion': {
      requireDirector(actor, 'propose a framework version');
      const { framework, changes } = command.data;
      if (framework.version === ctx.genesis.version || state.versions.some((v) => v.version === framework.version)) {
        throw new DomainError('FRAMEWORK_VERSION_EXISTS', `Framework version ${framework.version} already exists`, 'framework.version');
      }
      requireAfterPublished(framework, state, ctx);
      return [
        {
          type: 'FrameworkVersionProposed',
          data: {
            version: framework.version,
            framework,
            effectiveFrom: framework.effectiveFrom,
            changes,
            proposedBy: actor.userId,
            ...(actor.name ? { proposedByName: actor.name } : {}),
          },
        },
      ];
    }
    case 'ApproveVersion':
    case 'RejectVersion': {
      const verb = command.type === 'ApproveVersion' ? 'approve' : 'reject';
      requireDirector(actor, `${verb} a framework version`);
      const entry = entryOf(state, command.data.version);
      if (entry.status !== 'proposed') {
        throw new DomainError('FRAMEWORK_WRONG_STATE', `Framework version ${entry.version} is already ${entry.status}`, 'version');
      }
      if (entry.proposedBy === actor.userId) {
        throw new DomainError('FRAMEWORK_SELF_APPROVAL', `The director who proposed ${entry.version} cannot also ${verb} it`);
      }
      if (command.type === 'RejectVersion') {
        return [{ type: 'FrameworkVersionRejected', data: { version: entry.version, reasons: command.data.reasons, rejectedBy: actor.userId } }];
      }
      requireAfterPublished(entry.framework, state, ctx);
      return [
        {
          type: 'FrameworkVersionApproved',
          data: {
            version: entry.version,
            effectiveFrom: entry.effectiveFrom,
            approvedBy: actor.userId,
            ...(actor.name ? { approvedByName: actor.name } : {}),
          },
        },
      ];
    }
    default:
      return assertNever(command, 'framework register command');
  }
}

export function evolveFrameworkRegister(state: FrameworkRegisterState, event: FrameworkRegisterEvent): FrameworkRegisterState {
  const update = (version: string, change: Partial<FrameworkVersionEntry>): FrameworkRegisterState => ({
    versions: state.versions.map((v) => (v.version === version ? { ...v, ...change } : v)),
  });
  switch (event.type) {
    case 'FrameworkVersionProposed': {
      const { version, framework, effectiveFrom, changes, proposedBy } = event.data;
      return { versions: [...state.versions, { version, framework, effectiveFrom, changes, proposedBy, status: 'proposed' }] };
    }
    case 'FrameworkVersionApproved':
      return update(event.data.version, { status: 'approved', approvedBy: event.data.approvedBy });
    case 'FrameworkVersionRejected':
      return update(event.data.version, { status: 'rejected', rejectedBy: event.data.rejectedBy, rejectionReasons: event.data.reasons });
    default:
      return assertNever(event, 'framework register event');
  }
}

export function foldFrameworkRegister(events: readonly FrameworkRegisterEvent[]): FrameworkRegisterState {
  return events.reduce(evolveFrameworkRegister, initialFrameworkRegister);
}

/**
 * The version in force at `at`: of the genesis and the approved versions, the one with the latest
 * effectiveFrom not after `at`. The genesis counts from the beginning, whatever its file says.
 */
export function frameworkInForce(state: FrameworkRegisterState, genesis: BenchmarkFramework, at: string): BenchmarkFramework {
  let inForce = genesis;
  let since: string | undefined;
  for (const entry of state.versions) {
    if (entry.status !== 'approved' || isBefore(at, entry.effectiveFrom)) continue;
    if (since === undefined || isBefore(since, entry.effectiveFrom)) {
      inForce = entry.framework;
      since = entry.effectiveFrom;
    }
  }
  return inForce;
}
