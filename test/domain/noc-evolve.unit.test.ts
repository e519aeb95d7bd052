import { nocInForceAt } from '../../domain/noc/decide';
import { evolveNoc, foldNoc } from '../../domain/noc/evolve';
import { initialNocState, isOpenCase, type NocCase, type NocState } from '../../domain/noc/state';
import { FEDERAL_REQUEST, T, actors, ev, federal } from './noc-fixtures';

function caseOf(state: NocState): NocCase {
  if (!isOpenCase(state)) throw new Error('expected a requested NOC');
  return state;
}

describe('folding a NOC history', () => {
  it('starts from no NOC at all', () => {
    expect(foldNoc([])).toEqual({ status: 'none' });
    expect(initialNocState).toEqual({ status: 'none' });
  });

  it('opens the case from the request, keeping the request apart from who made it', () => {
    expect(foldNoc(federal.requested)).toEqual({
      status: 'requested',
      request: FEDERAL_REQUEST,
      requestedBy: 'u-pse',
      requestedAt: T.requested,
      conditions: [],
      extensionsGranted: 0,
      remindersSent: [],
    });
  });

  it('ignores events that arrive before the request', () => {
    expect(evolveNoc({ status: 'none' }, ev.reviewStarted())).toEqual({ status: 'none' });
    expect(foldNoc([ev.expired(), ...federal.requested]).status).toBe('requested');
  });

  it('tracks the information round trip and forgets the due date once answered', () => {
    expect(caseOf(foldNoc(federal['awaiting-pse']))).toMatchObject({ status: 'awaiting-pse', informationDueBy: T.informationDue });
    const answered = caseOf(foldNoc([...federal['awaiting-pse'], ev.informationProvided()]));
    expect(answered.status).toBe('under-review');
    expect(answered.informationDueBy).toBeUndefined();
  });

  it('keeps the recommendation for the decider', () => {
    expect(caseOf(foldNoc(federal['awaiting-decision'])).recommendation).toEqual({
      recommendation: 'approve',
      reasons: 'Justified and bounded',
      conditions: ['Encrypt backups'],
      by: 'u-rev',
      byName: 'Person u-rev',
    });
  });

  it('gives an approved NOC its validity, conditions and decider', () => {
    expect(caseOf(foldNoc(federal.active))).toMatchObject({
      status: 'active',
      validFrom: T.validFrom,
      validUntil: T.validUntil,
      conditions: ['Encrypt backups'],
      decidedBy: 'u-dir',
    });
  });

  it('remembers which reminders went out for the current end date', () => {
    expect(caseOf(foldNoc([...federal.active, ev.reminderDue(30), ev.reminderDue(7)])).remindersSent).toEqual([30, 7]);
  });

  it('counts granted extensions and resets reminders for the new end date', () => {
    const state = caseOf(
      foldNoc([...federal.active, ev.reminderDue(30), ev.extensionRequested(3), ev.extensionApproved('2025-11-01T00:00:00.000Z')]),
    );
    expect(state).toMatchObject({ status: 'active', validUntil: '2025-11-01T00:00:00.000Z', extensionsGranted: 1, remindersSent: [] });
    expect(state.pendingExtensionMonths).toBeUndefined();
  });

  it('ends the case in each final status', () => {
    expect(foldNoc(federal.rejected).status).toBe('rejected');
    expect(foldNoc(federal.lapsed).status).toBe('lapsed');
    expect(foldNoc(federal.expired).status).toBe('expired');
    expect(foldNoc(federal.revoked).status).toBe('revoked');
    expect(foldNoc(federal.withdrawn).status).toBe('withdrawn');
  });

  it('continues from a given state exactly as folding the whole history would', () => {
    const midway = foldNoc(federal['under-review']);
    const rest = federal.active.slice(federal['under-review'].length);
    expect(foldNoc(rest, midway)).toEqual(foldNoc(federal.active));
  });

  it('never mutates the state it is given', () => {
    const before = foldNoc(federal.active);
    const snapshot = structuredClone(before);
    evolveNoc(before, ev.reminderDue(30));
    evolveNoc(before, ev.revoked());
    expect(before).toEqual(snapshot);
  });
});

describe('whether a NOC is in force at an instant', () => {
  const active = caseOf(foldNoc(federal.active));
  const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();

  it('is in force from validFrom up to just before validUntil', () => {
    expect(nocInForceAt(active, T.validFrom)).toBe(true);
    expect(nocInForceAt(active, T.inForce)).toBe(true);
    expect(nocInForceAt(active, justBefore(T.validUntil))).toBe(true);
  });

  it('allows nothing before validFrom', () => {
    expect(nocInForceAt(active, justBefore(T.validFrom))).toBe(false);
  });

  it('allows nothing from the instant of validUntil, even before the expiry is recorded', () => {
    expect(nocInForceAt(active, T.validUntil)).toBe(false);
  });

  it('stays in force while an extension is pending', () => {
    expect(nocInForceAt(caseOf(foldNoc(federal['extension-requested'])), T.inForce)).toBe(true);
  });

  it.each(['revoked', 'expired', 'withdrawn'] as const)('is not in force once %s, even inside the window', (status) => {
    const ended = caseOf(foldNoc([...federal.active, status === 'withdrawn' ? ev.withdrawn('active') : status === 'revoked' ? ev.revoked() : ev.expired()]));
    expect(ended.status).toBe(status);
    expect(nocInForceAt(ended, T.inForce)).toBe(false);
  });

  it('is not in force before a decision', () => {
    expect(nocInForceAt(caseOf(foldNoc(federal['awaiting-decision'])), T.inForce)).toBe(false);
  });

  it('is in force until the extended end after an extension', () => {
    const extended = caseOf(
      foldNoc([...federal['extension-requested'], ev.extensionApproved('2025-11-01T00:00:00.000Z', T.validUntil, actors.director)]),
    );
    expect(nocInForceAt(extended, T.validUntil)).toBe(true);
    expect(nocInForceAt(extended, '2025-11-01T00:00:00.000Z')).toBe(false);
  });
});
