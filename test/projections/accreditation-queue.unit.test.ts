import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import {
  DEFAULT_ACCREDITATION_POLICY,
  decideAccreditation,
  evolveAccreditation,
  type AccreditationCommand,
  type AccreditationState,
} from '../../domain/accreditation';
import { allCriteria } from '../../domain/framework/schema';
import type { Actor } from '../../domain/shared/actor';
import { eventId, streamName } from '../../eventstore/envelope';
import {
  accreditationQueueProjection,
  createAccreditationQueueQueries,
  type AccreditationTaskKind,
} from '../../projections/accreditation/queue';
import { GOV_CLOUD, cspRep } from './accredited-fixtures';
import { TestLog, memoryDb, project } from './support';

const framework = createFrameworkLibrary(loadConfig({}).framework).load('1.0');
const reviewer: Actor = { userId: 'u-rev', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const reviewer2: Actor = { userId: 'u-rev2', name: 'Rafay Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const security: Actor = { userId: 'u-sec', name: 'Saima Security', role: 'security-reviewer', jurisdiction: 'federal' };
const director: Actor = { userId: 'u-dir', name: 'Dawood Director', role: 'director', jurisdiction: 'federal' };
const otherCsp: Actor = { ...cspRep, userId: 'u-other', organisationId: 'csp-other' };
const colleague: Actor = { ...cspRep, userId: 'u-csp2', name: 'Colleague at the CSP' };

/** One application, command by command through the real decider, its events written to a test log. */
class Application {
  private state: AccreditationState = { status: 'none' };
  private revision = -1;
  private clock = Date.parse('2026-01-05T09:00:00.000Z');
  constructor(
    private readonly log: TestLog,
    readonly id: string,
  ) {}

  run(command: AccreditationCommand): this {
    const at = new Date((this.clock += 3_600_000)).toISOString();
    const events = decideAccreditation(command, this.state, { now: at, policy: DEFAULT_ACCREDITATION_POLICY, framework });
    for (const event of events) {
      this.revision += 1;
      const stream = streamName('accreditation', this.id);
      this.log.record({
        id: eventId(stream, this.revision),
        stream,
        revision: this.revision,
        type: event.type,
        data: event.data,
        metadata: {
          schemaVersion: 1,
          actor: { userId: command.actor.userId, name: command.actor.name, role: command.actor.role, jurisdiction: command.actor.jurisdiction },
          occurredAt: at,
          correlationId: stream,
          causationId: `${event.type}-${this.revision}`,
          policyVersion: DEFAULT_ACCREDITATION_POLICY.version,
        },
      });
      this.state = evolveAccreditation(this.state, event);
    }
    return this;
  }

  submit(): this {
    return this.run({
      type: 'Submit',
      actor: cspRep,
      data: {
        applicationId: this.id,
        cspId: 'csp-one',
        offering: GOV_CLOUD,
        requestedBaseline: 'intermediate',
        evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
        frameworkVersion: framework.version,
      },
    });
  }
}

const allScores = (): Record<string, number> => Object.fromEntries(allCriteria(framework).map((c) => [c.id, c.minimum.intermediate]));

function setup() {
  const db = memoryDb(accreditationQueueProjection);
  const log = new TestLog();
  const queries = createAccreditationQueueQueries(db);
  const apply = (): void => project(db, [accreditationQueueProjection], log.events.splice(0));
  const kinds = (actor: Actor): [string, AccreditationTaskKind][] => queries.queue(actor).map((t) => [t.applicationId, t.kind]);
  return { log, queries, apply, kinds, app: (id: string) => new Application(log, id) };
}

describe('the accreditation work queue projection', () => {
  it('gives a submitted application to the reviewers as one screening task, kept the same while screening', () => {
    const { app, apply, queries, kinds } = setup();
    const a = app('ACC-1').submit();
    apply();
    const [task] = queries.queue(reviewer);
    expect(task).toMatchObject({ applicationId: 'ACC-1', kind: 'screen', role: 'reviewer', cspId: null, dueAt: null });
    a.run({ type: 'StartScreening', actor: reviewer, data: {} });
    apply();
    expect(queries.queue(reviewer)).toEqual([task]);
    expect(kinds(director)).toEqual([]);
    expect(kinds(security)).toEqual([]);
  });

  it('asks the applicant CSP for an answer by its due date, and nobody else', () => {
    const { app, apply, queries, kinds } = setup();
    app('ACC-1')
      .submit()
      .run({ type: 'StartScreening', actor: reviewer, data: {} })
      .run({ type: 'RequestInformation', actor: reviewer, data: { questions: 'Which data centres hold backups?' } });
    apply();
    expect(kinds(reviewer)).toEqual([]);
    const [task] = queries.queue(colleague);
    expect(task).toMatchObject({ kind: 'answer-information', role: 'csp', cspId: 'csp-one', dueAt: '2026-02-04T12:00:00.000Z' });
    expect(kinds(otherCsp)).toEqual([]);
  });

  it('opens scoring and the security review side by side, each closed by its own step, then a decision for a director who did neither', () => {
    const { app, apply, kinds } = setup();
    const a = app('ACC-1')
      .submit()
      .run({ type: 'StartScreening', actor: reviewer, data: {} })
      .run({ type: 'CompleteScreening', actor: reviewer, data: { notes: 'Complete' } });
    apply();
    expect(kinds(reviewer)).toEqual([['ACC-1', 'score']]);
    // Four eyes: the screening reviewer may not do the security review, nor decide.
    expect(kinds(security)).toEqual([['ACC-1', 'security-review']]);
    expect(kinds({ ...security, userId: reviewer.userId })).toEqual([]);

    a.run({ type: 'RecordSecurityReview', actor: security, data: { outcome: 'passed', notes: 'Clean' } });
    apply();
    expect(kinds(security)).toEqual([]);
    expect(kinds(reviewer2)).toEqual([['ACC-1', 'score']]);
    expect(kinds(director)).toEqual([]);

    a.run({ type: 'ScoreCriteria', actor: reviewer2, data: { scores: allScores(), rationale: 'Reviewed' } });
    apply();
    expect(kinds(reviewer2)).toEqual([]);
    expect(kinds(director)).toEqual([['ACC-1', 'decide']]);
    // Neither technical reviewer, nor the security reviewer, nor the submitter decides it.
    for (const userId of [reviewer.userId, reviewer2.userId, security.userId, cspRep.userId]) {
      expect(kinds({ ...director, userId })).toEqual([]);
    }

    a.run({ type: 'Decide', actor: director, data: { decision: 'approve', baseline: 'intermediate', highestDataClass: 'restricted', conditions: [], reasons: 'Met' } });
    apply();
    expect(kinds(director)).toEqual([]);
  });

  it('keeps the scoring task open after a partial scoring, and lists applications, latest change first, to staff and to their own CSP only', () => {
    const { app, apply, kinds, queries } = setup();
    const [firstCriterion] = allCriteria(framework);
    app('ACC-1')
      .submit()
      .run({ type: 'StartScreening', actor: reviewer, data: {} })
      .run({ type: 'CompleteScreening', actor: reviewer, data: { notes: 'Complete' } })
      .run({ type: 'ScoreCriteria', actor: reviewer, data: { scores: { [firstCriterion?.id as string]: 3 }, rationale: 'First pass' } });
    app('ACC-2').submit().run({ type: 'Withdraw', actor: cspRep, data: { reason: 'Not ready' } });
    apply();
    expect(kinds(reviewer)).toEqual([['ACC-1', 'score']]);
    expect(queries.applications(director).map((a) => [a.applicationId, a.status])).toEqual([
      ['ACC-1', 'assessment'],
      ['ACC-2', 'withdrawn'],
    ]);
    expect(queries.applications(colleague).map((a) => a.applicationId).sort()).toEqual(['ACC-1', 'ACC-2']);
    expect(queries.applications(otherCsp)).toEqual([]);
    expect(queries.applications({ userId: 'u-pse', name: 'PSE', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-x' })).toEqual([]);
    expect(queries.applications(director)[0]).toMatchObject({ offeringId: 'off-gov', offeringName: GOV_CLOUD.name, requestedBaseline: 'intermediate', cspId: 'csp-one' });
  });
});
