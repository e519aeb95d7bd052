import type { RecordedEvent } from '../../eventstore/port';
import { nocQueueProjection, nocTaskFor, type NocQueueCase } from '../../projections/noc/queue';
import { director, officer, pse, reviewer } from '../support/actors';
import { SYSTEM_ACTOR, TestLog, memoryDb, project } from './support';

const REQUESTED_AT = '2025-01-06T09:00:00.000Z';

interface TaskRow {
  task_id: string;
  noc_id: string;
  kind: string;
  role: string;
  jurisdiction: string;
  pse_id: string | null;
  excluded_user_ids: string;
  created_at: string;
  due_at: string | null;
  claimed_by: string | null;
  claimed_at: string | null;
}

function setup() {
  const db = memoryDb(nocQueueProjection);
  const log = new TestLog();
  const apply = (events: RecordedEvent[]): void => project(db, [nocQueueProjection], events);
  const tasks = () =>
    (db.prepare('SELECT * FROM noc_tasks ORDER BY noc_id').all() as TaskRow[]).map((t) => ({
      taskId: t.task_id,
      nocId: t.noc_id,
      kind: t.kind,
      role: t.role,
      jurisdiction: t.jurisdiction,
      pseId: t.pse_id,
      excludedUserIds: JSON.parse(t.excluded_user_ids) as string[],
      createdAt: t.created_at,
      dueAt: t.due_at,
      claimedBy: t.claimed_by,
      claimedAt: t.claimed_at,
    }));
  return { log, apply, tasks };
}

describe('the NOC work queue projection', () => {
  it('opens an unclaimed review task for reviewers when a federal NOC is requested, out of the requester’s reach', () => {
    const { log, apply, tasks } = setup();
    log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    apply(log.events);
    expect(tasks()).toEqual([
      {
        taskId: 'NOC-1:review:0',
        nocId: 'NOC-1',
        kind: 'review',
        role: 'reviewer',
        jurisdiction: 'federal',
        pseId: null,
        excludedUserIds: ['u-pse'],
        createdAt: REQUESTED_AT,
        dueAt: null,
        claimedBy: null,
        claimedAt: null,
      },
    ]);
  });

  it('keeps the same review task once the review has started', () => {
    const { log, apply, tasks } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    apply(log.events.splice(0));
    noc.later(1).act('StartReview', reviewer, {});
    apply(log.events.splice(0));
    expect(tasks()).toMatchObject([{ taskId: 'NOC-1:review:0', kind: 'review', createdAt: REQUESTED_AT }]);
  });

  it('hands the case to the requesting entity while it owes information, due when the answer is due, then back to review', () => {
    const { log, apply, tasks } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('RequestInformation', reviewer, { questions: 'Where are the backups?' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([
      expect.objectContaining({
        taskId: 'NOC-1:answer-information:2',
        kind: 'answer-information',
        role: 'pse',
        pseId: 'pse-moitt',
        excludedUserIds: [],
        dueAt: '2025-02-07T09:00:00.000Z',
      }),
    ]);

    noc.later(2).act('ProvideInformation', pse(), { answer: 'Same data centre' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([expect.objectContaining({ taskId: 'NOC-1:review:3', kind: 'review', createdAt: noc.now, dueAt: null })]);
  });

  it('asks a director who neither recommended nor requested to decide, and closes the task once decided', () => {
    const { log, apply, tasks } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1' }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([
      expect.objectContaining({ kind: 'decide', role: 'director', excludedUserIds: ['u-rev', 'u-pse'], pseId: null }),
    ]);

    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([]);
  });

  it('routes a province’s NOC to that province’s officers for review and decision', () => {
    const { log, apply, tasks } = setup();
    const pbPse = pse('pse-pb', 'punjab', 'u-pb-pse');
    const noc = log.nocCase({ nocId: 'NOC-PB' }, pbPse, REQUESTED_AT);
    apply(log.events.splice(0));
    expect(tasks()).toMatchObject([{ kind: 'review', role: 'provincial-officer', jurisdiction: 'punjab' }]);

    noc.later(1).act('StartReview', officer('punjab', 'u-pb-1'), {});
    noc.later(1).act('Recommend', officer('punjab', 'u-pb-1'), { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    apply(log.events.splice(0));
    expect(tasks()).toMatchObject([{ kind: 'decide', role: 'provincial-officer', jurisdiction: 'punjab', excludedUserIds: ['u-pb-1', 'u-pb-pse'] }]);
  });

  it('asks for an extension decision while one is requested, and drops it when decided either way', () => {
    const { log, apply, tasks } = setup();
    const noc = log.nocCase({ nocId: 'NOC-1', requestedMonths: 3 }, pse(), REQUESTED_AT);
    noc.later(1).act('StartReview', reviewer, {});
    noc.later(1).act('Recommend', reviewer, { recommendation: 'approve', reasons: 'Fine', conditions: [] });
    noc.later(1).act('Decide', director, { decision: 'approve', reasons: 'Fine', validFrom: '2025-02-01T00:00:00.000Z' });
    noc.at('2025-03-01T00:00:00.000Z').act('RequestExtension', pse('pse-moitt', 'federal', 'u-pse-2'), { months: 2, justification: 'Slipped' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([
      expect.objectContaining({ taskId: 'NOC-1:decide-extension:4', kind: 'decide-extension', role: 'director', excludedUserIds: ['u-pse', 'u-pse-2'] }),
    ]);

    noc.later(1).act('DecideExtension', director, { decision: 'reject', reasons: 'No' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([]);
  });

  it('removes the open task when the case ends without a decision (lapse, withdrawal)', () => {
    const { log, apply, tasks } = setup();
    const lapsing = log.nocCase({ nocId: 'NOC-LAPSE' }, pse(), REQUESTED_AT);
    lapsing.later(1).act('StartReview', reviewer, {});
    lapsing.later(1).act('RequestInformation', reviewer, { questions: 'Backups?' });
    const withdrawn = log.nocCase({ nocId: 'NOC-WD' }, pse(), REQUESTED_AT);
    apply(log.events.splice(0));
    expect(tasks().map((t) => t.kind)).toEqual(['answer-information', 'review']);

    lapsing.at('2025-02-08T00:00:00.000Z').act('Lapse', SYSTEM_ACTOR, {});
    withdrawn.later(1).act('Withdraw', pse(), { reason: 'Not needed' });
    apply(log.events.splice(0));
    expect(tasks()).toEqual([]);
  });

  it('derives no task for statuses nobody has to act on', () => {
    const c: NocQueueCase = {
      nocId: 'N',
      pseId: 'p',
      jurisdiction: 'federal',
      requestedBy: 'u',
      recommendedBy: null,
      informationDueBy: null,
      extensionRequestedBy: null,
    };
    for (const status of ['active', 'rejected', 'lapsed', 'expired', 'revoked', 'withdrawn'] as const) {
      expect(nocTaskFor(status, c)).toBeNull();
    }
  });
});
