import { SYSTEM_ACTOR } from '../../domain/shared/actor';
import type { TransitionCommand, TransitionDecideContext } from '../../domain/compliance/transition-commands';
import { decideTransition } from '../../domain/compliance/transition-decide';
import { TRANSITION_EVENT_TYPES, TransitionEventSchemas, type OpenProcurement, type TransitionEvent } from '../../domain/compliance/transition-events';
import { foldTransition } from '../../domain/compliance/transition-evolve';
import type { TransitionCase, TransitionState } from '../../domain/compliance/transition-state';
import { streamName } from '../../eventstore/envelope';
import { isKnownEventType } from '../../eventstore/registry';
import { deciderSpec } from './given-when-then';
import { actors } from './compliance-fixtures';

const given = deciderSpec<TransitionState, TransitionCommand, TransitionEvent, TransitionDecideContext>({
  decide: decideTransition,
  fold: foldTransition,
  validate: (event) => expect(TransitionEventSchemas[event.type].parse(event.data)).toEqual(event.data),
});

const REVOKED_AT = '2026-03-01T10:00:00.000Z';
const MIGRATE_BY = '2026-08-28T10:00:00.000Z';
const SUBJECT = { applicationId: 'APP-1', offeringId: 'off-nimbus-gov', cspId: 'csp-nimbus', endedAt: REVOKED_AT, migrateBy: MIGRATE_BY, cause: 'revoked' as const };
const at = (now: string): TransitionDecideContext => ({ now });

const MOITT: OpenProcurement = { pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' };
const FBR: OpenProcurement = { pseId: 'pse-fbr', procurementId: 'p-1', jurisdiction: 'federal' };
const LANDS: OpenProcurement = { pseId: 'pse-pb-lands', procurementId: 'p-7', jurisdiction: 'punjab' };

const start = (open: OpenProcurement[], data: Partial<Omit<typeof SUBJECT, 'cause'> & { cause: 'expired' | 'withdrawn' }> = {}): TransitionCommand => ({
  type: 'StartRevocationTransition',
  actor: SYSTEM_ACTOR,
  data: { ...SUBJECT, ...data, open },
});
const close = (stillOpen: OpenProcurement[]): TransitionCommand => ({ type: 'CloseRevocationTransition', actor: SYSTEM_ACTOR, data: { stillOpen } });

const started: TransitionEvent = { type: 'RevocationTransitionStarted', data: SUBJECT };
const notice = (p: OpenProcurement): TransitionEvent => ({ type: 'PseTransitionNoticeIssued', data: { ...p, offeringId: SUBJECT.offeringId, migrateBy: MIGRATE_BY, cause: 'revoked' } });
const flag = (p: OpenProcurement): TransitionEvent => ({ type: 'ProcurementFlaggedNonCompliant', data: { ...p, offeringId: SUBJECT.offeringId, migrateBy: MIGRATE_BY } });

describe('starting a revocation transition', () => {
  it('gives every open procurement on the offering a notice with the migration deadline', () => {
    const { state } = given([]).when(start([MOITT, FBR, LANDS]), at(REVOKED_AT)).then([started, notice(MOITT), notice(FBR), notice(LANDS)]);
    expect(state).toMatchObject({ status: 'notified', migrateBy: MIGRATE_BY });
    expect((state as TransitionCase).notices.map((n) => n.flaggedNonCompliant)).toEqual([false, false, false]);
  });

  it('starts with no notice when nobody uses the offering', () => {
    given([]).when(start([]), at(REVOKED_AT)).then([started]);
  });

  it('tells each entity why it must move when the accreditation expired or was withdrawn', () => {
    for (const cause of ['expired', 'withdrawn'] as const) {
      given([])
        .when(start([MOITT], { cause }), at(REVOKED_AT))
        .then([
          { type: 'RevocationTransitionStarted', data: { ...SUBJECT, cause } },
          { type: 'PseTransitionNoticeIssued', data: { ...MOITT, offeringId: SUBJECT.offeringId, migrateBy: MIGRATE_BY, cause } },
        ]);
    }
  });

  it('sends one notice for a procurement the lookup listed twice', () => {
    given([]).when(start([MOITT, { ...MOITT }]), at(REVOKED_AT)).then([started, notice(MOITT)]);
  });

  it('refuses a deadline before the revocation', () => {
    given([]).when(start([MOITT], { migrateBy: '2026-02-28T10:00:00.000Z' }), at(REVOKED_AT)).thenRefuses('TRANSITION_INVALID_DEADLINE', 'migrateBy');
  });

  it('accepts a deadline at the revocation itself, when the policy gives no transition period', () => {
    const noPeriod = { ...SUBJECT, migrateBy: REVOKED_AT };
    given([]).when(start([MOITT], { migrateBy: REVOKED_AT }), at(REVOKED_AT)).then([
      { type: 'RevocationTransitionStarted', data: noPeriod },
      { type: 'PseTransitionNoticeIssued', data: { ...MOITT, offeringId: SUBJECT.offeringId, migrateBy: REVOKED_AT, cause: 'revoked' } },
    ]);
  });

  it('refuses to start twice', () => {
    given([started]).when(start([MOITT]), at(REVOKED_AT)).thenRefuses('TRANSITION_ALREADY_STARTED', 'applicationId');
  });

  it('is the engine’s: a person cannot start one', () => {
    given([]).when({ ...start([MOITT]), actor: actors.director }, at(REVOKED_AT)).thenRefuses('ROLE_NOT_ALLOWED');
  });
});

describe('the migration deadline', () => {
  const history = [started, notice(MOITT), notice(FBR), notice(LANDS)];

  it('flags each noticed procurement still open as non-compliant and ends the transition', () => {
    const { state } = given(history)
      .when(close([LANDS, MOITT]), at(MIGRATE_BY))
      .then([flag(LANDS), flag(MOITT), { type: 'RevocationTransitionEnded', data: { flagged: 2 } }]);
    expect(state).toMatchObject({ status: 'ended', flagged: 2 });
    expect((state as TransitionCase).notices.filter((n) => n.flaggedNonCompliant).map((n) => n.pseId)).toEqual(['pse-moitt', 'pse-pb-lands']);
  });

  it('ends with nothing flagged when everyone migrated', () => {
    given(history).when(close([]), at(MIGRATE_BY)).then([{ type: 'RevocationTransitionEnded', data: { flagged: 0 } }]);
  });

  it('flags a workload recorded on the offering after its accreditation ended, whenever it was recorded', () => {
    const late: OpenProcurement = { pseId: 'pse-new', procurementId: 'p-9', jurisdiction: 'sindh' };
    const { state } = given(history)
      .when(close([late, FBR]), at(MIGRATE_BY))
      .then([flag(late), flag(FBR), { type: 'RevocationTransitionEnded', data: { flagged: 2 } }]);
    expect((state as TransitionCase).notices.find((n) => n.pseId === 'pse-new')).toEqual({ ...late, flaggedNonCompliant: true });
  });

  it('refuses to close before the deadline', () => {
    given(history).when(close([MOITT]), at('2026-08-28T09:59:59.999Z')).thenRefuses('COMPLIANCE_NOT_YET_DUE');
  });

  it('refuses to close a transition that never started, or has ended', () => {
    given([]).when(close([]), at(MIGRATE_BY)).thenRefuses('TRANSITION_NOT_STARTED');
    given([...history, { type: 'RevocationTransitionEnded', data: { flagged: 0 } }]).when(close([]), at(MIGRATE_BY)).thenRefuses('TRANSITION_ENDED');
  });
});

describe('the transition events in the event registry', () => {
  it('are registered, and live in transition- streams', () => {
    for (const type of TRANSITION_EVENT_TYPES) expect(isKnownEventType(type)).toBe(true);
    expect(streamName('transition', 'APP-1')).toBe('transition-APP-1');
  });
});
