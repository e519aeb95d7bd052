import { generateNocHistories } from '../../bench/fixtures';
import type { NocEvent } from '../../domain/noc/events';
import { foldNoc } from '../../domain/noc/evolve';
import type { Actor } from '../../domain/shared/actor';
import type { RecordedEvent } from '../../eventstore/port';
import { createNocQueries } from '../../projections/noc/queries';
import { nocRegisterProjection } from '../../projections/noc/register';
import { director, officer, pse, reviewer } from '../support/actors';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

const auditor: Actor = { userId: 'u-aud', name: 'Aisha Auditor', role: 'auditor', jurisdiction: 'federal' };
const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

function setup() {
  const db = memoryDb(nocRegisterProjection);
  const log = new TestLog();
  const queries = createNocQueries(db);
  const apply = (events: RecordedEvent[]): void => project(db, [nocRegisterProjection], events);
  return { db, log, queries, apply, row: (nocId: string) => queries.get(auditor, nocId) };
}

describe('the NOC register projection', () => {
  it('records a requested NOC with what was asked, by whom and when', () => {
    const { log, apply, row } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', offeringId: 'off-7', systems: ['payroll', 'hr'] }, pse(), REQUESTED_AT);
    apply(log.events);
    expect(row(noc.nocId)).toEqual({
      nocId: 'NOC-1',
      pseId: 'pse-moitt',
      jurisdiction: 'federal',
      deviation: 'on-premises-hosting',
      description: 'Keep the payroll system on premises during the migration',
      dataClass: 'restricted',
      systems: ['payroll', 'hr'],
      offeringId: 'off-7',
      requestedMonths: 6,
      status: 'requested',
      requestedBy: 'u-pse',
      requestedAt: REQUESTED_AT,
      reviewerId: null,
      recommendation: null,
      recommendedBy: null,
      decidedBy: null,
      decidedAt: null,
      validFrom: null,
      validUntil: null,
      conditions: [],
      extensionsGranted: 0,
      informationDueBy: null,
      pendingExtensionMonths: null,
      updatedAt: REQUESTED_AT,
      revision: 0,
    });
  });

  it('follows a NOC through review, a request for information, a recommendation and approval', () => {
    const { log, apply, row } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('RequestInformation', reviewer, { questions: 'Where are the backups?' });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({ status: 'awaiting-pse', reviewerId: 'u-rev', informationDueBy: '2025-02-07T09:00:00.000Z' });

    noc.later(3).act('ProvideInformation', pse(), { answer: 'In the same data centre.' });
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Contained risk', conditions: ['Quarterly report'] });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({ status: 'awaiting-decision', informationDueBy: null, recommendation: 'approve', recommendedBy: 'u-rev' });

    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'As recommended' });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({
      status: 'active',
      decidedBy: 'u-dir',
      decidedAt: noc.now,
      validFrom: noc.now,
      validUntil: '2025-07-13T09:00:00.000Z',
      conditions: ['Quarterly report'],
      updatedAt: noc.now,
      revision: 5,
    });
  });

  it('records a rejection with who decided it and when', () => {
    const { log, apply, row } = setup();
    const noc = log.nocCase({ nocId: 'NOC-PB', jurisdiction: 'punjab' }, pse('pse-pb', 'punjab', 'u-pb-pse'), REQUESTED_AT);
    noc.later(1).act('StartReview', officer('punjab', 'u-pb-1'), {});
    noc.later(1).act('Recommend', officer('punjab', 'u-pb-1'), { recommendation: 'reject', reasons: 'Accredited cloud exists', conditions: [] });
    noc.later(1).act('Decide', officer('punjab', 'u-pb-2'), { decision: 'reject', reasons: 'Not justified' });
    apply(log.events);
    expect(row('NOC-PB')).toMatchObject({ status: 'rejected', decidedBy: 'u-pb-2', decidedAt: noc.now, validFrom: null, validUntil: null });
  });

  it('shows a requested extension’s months, then the new expiry and one extension granted', () => {
    const { log, apply, row } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-03-01T00:00:00.000Z').act('RequestExtension', pse(), { months: 2, justification: 'Migration slipped' });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({ status: 'extension-requested', pendingExtensionMonths: 2, validUntil: '2025-05-01T00:00:00.000Z' });

    noc.later(2).act('DecideExtension', director, { decision: 'approve', reasons: 'Reasonable' });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({
      status: 'active',
      pendingExtensionMonths: null,
      validUntil: '2025-07-01T00:00:00.000Z',
      extensionsGranted: 1,
    });
  });

  it('keeps the status on an expiry reminder but stamps the row with its instant and revision, then expires it', () => {
    const { log, apply, row } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-04-24T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 7 });
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({ status: 'active', updatedAt: '2025-04-24T00:00:00.000Z', revision: 4 });

    noc.at('2025-05-01T00:00:00.000Z').act('Expire', SYSTEM_ACTOR, {});
    apply(log.events.splice(0));
    expect(row('NOC-1')).toMatchObject({ status: 'expired', updatedAt: '2025-05-01T00:00:00.000Z', revision: 5 });
  });

  it('logs every status change with the previous status, the new one, who caused it and the event, oldest first', () => {
    const { log, apply, queries } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-04-01T00:00:00.000Z').act('RecordExpiryReminder', SYSTEM_ACTOR, { daysBefore: 30 });
    noc.later(1).act('Withdraw', pse(), { reason: 'Migrated early' });
    apply(log.events);
    const history = queries.history(auditor, 'NOC-1');
    expect(history.map((h) => [h.revision, h.from, h.to, h.byUserId, h.byRole, h.eventType])).toEqual([
      [0, null, 'requested', 'u-pse', 'pse', 'NocRequested'],
      [1, 'requested', 'under-review', 'u-rev', 'reviewer', 'NocReviewStarted'],
      [2, 'under-review', 'awaiting-decision', 'u-rev', 'reviewer', 'NocRecommended'],
      [3, 'awaiting-decision', 'active', 'u-dir', 'director', 'NocApproved'],
      [5, 'active', 'withdrawn', 'u-pse', 'pse', 'NocWithdrawn'],
    ]);
    expect(history[4]).toMatchObject({ at: '2025-04-02T00:00:00.000Z', byName: 'PSE officer' });
  });

  it('stops on an event of a NOC whose stream does not start with its request', () => {
    const { log, apply } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    const [, reviewStarted] = log.events;
    expect(() => apply([reviewStarted as RecordedEvent])).toThrow(/NOC NOC-1 has no register row/);
  });

  it('agrees with the domain’s fold of each history on status, validity, decisions and extensions', () => {
    const { db, apply, row } = setup();
    const histories = [...generateNocHistories(4000, { seed: 11 })];
    let position = 0n;
    for (const h of histories) {
      apply(
        h.events.map((e, revision) => {
          position += 1n;
          return { ...e, stream: h.stream, revision, position: { commit: position, prepare: position }, recordedAt: e.metadata.occurredAt };
        }),
      );
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM noc_register').get()).toEqual({ n: histories.length });
    for (const h of histories) {
      const state = foldNoc(h.events.map((e) => ({ type: e.type, data: e.data }) as NocEvent));
      if (state.status === 'none') throw new Error(`${h.stream} folds to nothing`);
      expect(row(state.request.nocId)).toMatchObject({
        status: state.status,
        reviewerId: state.reviewerId ?? null,
        recommendedBy: state.recommendation?.by ?? null,
        decidedBy: state.decidedBy ?? null,
        validFrom: state.validFrom ?? null,
        validUntil: state.validUntil ?? null,
        conditions: state.conditions,
        extensionsGranted: state.extensionsGranted,
        informationDueBy: state.informationDueBy ?? null,
        pendingExtensionMonths: state.pendingExtensionMonths ?? null,
        revision: h.events.length - 1,
      });
    }
  });
});
