import { startAsEngine } from '../support/engine-start';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTransitionActivities } from '../../activities/transition-activities';
import type { PseCommand } from '../../domain/pse/commands';
import { decidePse } from '../../domain/pse/decide';
import { evolvePse } from '../../domain/pse/evolve';
import type { PseEvent } from '../../domain/pse/events';
import type { PseState } from '../../domain/pse/state';
import type { Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { streamName } from '../../eventstore/envelope';
import type { EventStore } from '../../eventstore/port';
import { adoptionProjection } from '../../projections/adoption/adoption';
import { createAdoptionQueries } from '../../projections/adoption/queries';
import { nocNotificationsProjection } from '../../projections/noc/notifications';
import { nocRegisterProjection } from '../../projections/noc/register';
import type { revocationTransitionWorkflow } from '../../workflows/compliance/transition.workflow';
import { transitionStateQuery, transitionWorkflowId, type TransitionView } from '../../workflows/compliance/transition-messages';
import { answer } from '../domain/pse-fixtures';
import { memoryDb, project } from '../projections/support';
import { pse } from '../support/actors';
import { decodedStream } from '../support/case-results';
import { CaseScript } from '../support/case-script';
import { trackForExport } from '../support/history-export';
import { useWorkflowTestBed } from '../support/workflow-bed';
import { DEFAULT_COMPLIANCE_POLICY } from '../../domain/compliance/policy';
import { GOV_CLOUD, TASK_QUEUE, act, granted, people, viewWhen as accreditationWhen } from './accreditation-harness';
import { trackStarted } from './compliance-harness';
import { application } from '../projections/accredited-fixtures';
import { TestLog } from '../projections/support';
import type { PreviousTransitionWorkflowInput } from '../../workflows/compliance/transition-messages';

const ADMIN: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
const OFFERING = 'off-legacy-gov';

let env: TestWorkflowEnvironment;
let store: EventStore;

useWorkflowTestBed({ taskQueue: TASK_QUEUE, kind: 'transition', title: 'the revocation transition on the time-skipping server' }, (bed) => ({ env, store } = bed));

/** One entity's register stream, written as the PSE process writes it: real decider, real envelopes. */
class PseRegister {
  private readonly script: CaseScript<PseState, PseCommand, PseEvent>;

  private constructor(
    readonly pseId: string,
    private readonly jurisdiction: Jurisdiction,
  ) {
    this.script = new CaseScript<PseState, PseCommand, PseEvent>({
      stream: streamName('pse', pseId),
      correlationId: `pse:${pseId}`,
      policyVersion: 'pse-register-1',
      initial: { status: 'none' },
      decide: (command, state, now) => decidePse(command, state, { now }),
      evolve: evolvePse,
    });
  }

  static async register(pseId: string, jurisdiction: Jurisdiction, at: string): Promise<PseRegister> {
    const r = new PseRegister(pseId, jurisdiction);
    await r.run({ type: 'RegisterPse', actor: ADMIN, data: { pseId, name: `Entity ${pseId}`, ministry: 'Ministry of Tests', jurisdiction } }, at);
    return r;
  }

  async record(procurementId: string, offeringId: string, at: string, decision: 'allowed' | 'allowed-by-noc' = 'allowed'): Promise<this> {
    const check = answer(decision, { pseId: this.pseId, offeringId });
    await this.run({ type: 'RecordProcurement', actor: this.officer, data: { procurementId, offeringId, dataClass: 'public', system: 'Portal', check } }, at);
    return this;
  }

  async end(procurementId: string, at: string): Promise<this> {
    await this.run({ type: 'EndProcurement', actor: this.officer, data: { procurementId, reason: 'Migrated' } }, at);
    return this;
  }

  private get officer(): Actor {
    return pse(this.pseId, this.jurisdiction);
  }

  private async run(command: PseCommand, now: string): Promise<void> {
    const { stream, expectedRevision, envelopes } = this.script.take(command, now);
    await store.append(stream, envelopes, expectedRevision < 0 ? 'no-stream' : expectedRevision);
  }
}

async function viewWhen(applicationId: string, ready: (v: TransitionView) => boolean): Promise<TransitionView> {
  const handle = env.client.workflow.getHandle(transitionWorkflowId(applicationId));
  for (let i = 0; i < 100; i += 1) {
    try {
      const v = await handle.query(transitionStateQuery);
      if (ready(v)) return v;
    } catch {
      // Not started on the worker yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`transition ${applicationId} never got there`);
}

describe('the revocation transition on the time-skipping server', () => {
  it('notifies every entity on the revoked offering, and at the deadline flags every procurement still open, one recorded after the revocation included', async () => {
    const t0 = new Date(await env.currentTimeMs()).toISOString();
    const moitt = await PseRegister.register('pse-moitt', 'federal', t0);
    await moitt.record('p-1', OFFERING, t0);
    await moitt.record('p-2', 'off-other', t0);
    const lands = await PseRegister.register('pse-pb-lands', 'punjab', t0);
    await lands.record('p-7', OFFERING, t0);
    const gone = await PseRegister.register('pse-gone', 'sindh', t0);
    await gone.record('p-1', OFFERING, t0);
    await gone.end('p-1', t0);

    // The lookup sees exactly the procurements recorded on the offering and not ended.
    expect(await createTransitionActivities({ eventStore: store }).openProcurementsOn(OFFERING)).toEqual([
      { pseId: 'pse-moitt', procurementId: 'p-1', jurisdiction: 'federal' },
      { pseId: 'pse-pb-lands', procurementId: 'p-7', jurisdiction: 'punjab' },
    ]);

    const applicationId = 'APP-REVOKED';
    const migrateBy = addDays(t0, 180);
    const handle = trackForExport(
      await startAsEngine<typeof revocationTransitionWorkflow>(env, {
        workflowType: 'revocationTransitionWorkflow',
        workflowId: transitionWorkflowId(applicationId),
        taskQueue: TASK_QUEUE,
        args: [{ applicationId, offeringId: OFFERING, cspId: 'csp-nimbus', endedAt: t0, migrateBy, requestId: 'revoke-1', cause: 'revoked' }],
      }),
    );

    const notified = await viewWhen(applicationId, (v) => v.status === 'notified');
    expect(notified.notices).toEqual([
      { pseId: 'pse-moitt', procurementId: 'p-1', migrateBy, flaggedNonCompliant: false },
      { pseId: 'pse-pb-lands', procurementId: 'p-7', migrateBy, flaggedNonCompliant: false },
    ]);

    // The provincial entity migrates within the period; the federal one does not, and even puts another
    // workload on the offering after the revocation (under a NOC, as only a NOC could let it on).
    await lands.end('p-7', addDays(t0, 90));
    await moitt.record('p-3', OFFERING, addDays(t0, 10), 'allowed-by-noc');
    const ended = await handle.result();
    expect(ended.status).toBe('ended');
    expect(ended.notices.filter((n) => n.flaggedNonCompliant).map((n) => `${n.pseId}/${n.procurementId}`)).toEqual(['pse-moitt/p-1', 'pse-moitt/p-3']);

    const stream = await decodedStream(store, `transition-${applicationId}`);
    expect(stream.map((e) => e.type)).toEqual([
      'RevocationTransitionStarted',
      'PseTransitionNoticeIssued',
      'PseTransitionNoticeIssued',
      'ProcurementFlaggedNonCompliant',
      'ProcurementFlaggedNonCompliant',
      'RevocationTransitionEnded',
    ]);
    expect(stream[0]?.metadata).toMatchObject({ causationId: 'revoke-1', correlationId: transitionWorkflowId(applicationId), actor: { role: 'admin' } });
    expect((stream[3]?.metadata.occurredAt ?? '') >= migrateBy).toBe(true);
    expect(stream[5]?.data).toEqual({ flagged: 2 });

    // The read side: one notice per entity in the outbox, and the non-compliant workload in the adoption figures.
    const readModels = [adoptionProjection, nocNotificationsProjection, nocRegisterProjection];
    const db = memoryDb(...readModels);
    project(db, readModels, await store.readAll());
    const notices = db.prepare('SELECT pse_id, jurisdiction, kind, event_type FROM noc_notifications ORDER BY created_at_ms, pse_id').all();
    expect(notices).toEqual([
      { pse_id: 'pse-moitt', jurisdiction: 'federal', kind: 'migration-notice', event_type: 'PseTransitionNoticeIssued' },
      { pse_id: 'pse-pb-lands', jurisdiction: 'punjab', kind: 'migration-notice', event_type: 'PseTransitionNoticeIssued' },
      { pse_id: 'pse-moitt', jurisdiction: 'federal', kind: 'non-compliant', event_type: 'ProcurementFlaggedNonCompliant' },
    ]);
    const after = createAdoptionQueries(db);
    const now = stream[5]?.metadata.occurredAt as string;
    expect(after.figures(now).totals).toMatchObject({ workloadsNonCompliant: 2, workloadsInTransition: 0 });
    expect(after.nonCompliant(now).map((r) => [r.pseId, r.procurementId, r.migrateBy])).toEqual([
      ['pse-moitt', 'p-1', migrateBy],
      ['pse-moitt', 'p-3', migrateBy],
    ]);
  });

  it('starts when a director revokes an accreditation, with the revocation’s transition period, and flags who stayed', async () => {
    const { handle: accreditation, applicationId, grant } = await granted(env, { compliance: { policy: DEFAULT_COMPLIANCE_POLICY } });
    const t0 = grant.validFrom;
    const health = await PseRegister.register('pse-kp-health', 'khyber-pakhtunkhwa', t0);
    await health.record('p-1', GOV_CLOUD.offeringId, t0);
    const fbr = await PseRegister.register('pse-fbr', 'federal', t0);
    await fbr.record('p-3', GOV_CLOUD.offeringId, t0);

    const revoked = await act(accreditation, 'Revoke', people.director, { reasons: 'Escalated review: data left Pakistan', transitionDays: 90 });
    const transitionUntil = revoked.state.status === 'none' ? undefined : revoked.state.transitionUntil;
    expect(transitionUntil).toBeDefined();
    await accreditationWhen(accreditation, (v) => v.state.status === 'revoked');

    const transition = await trackStarted(env, transitionWorkflowId(applicationId));
    const notified = await viewWhen(applicationId, (v) => v.status === 'notified');
    expect(notified.migrateBy).toBe(transitionUntil);
    expect(notified.notices.map((n) => n.pseId)).toEqual(['pse-kp-health', 'pse-fbr']);

    await fbr.end('p-3', addDays(t0, 30));
    const ended = (await transition.result()) as TransitionView;
    expect(ended.notices).toEqual([
      { pseId: 'pse-kp-health', procurementId: 'p-1', migrateBy: transitionUntil, flaggedNonCompliant: true },
      { pseId: 'pse-fbr', procurementId: 'p-3', migrateBy: transitionUntil, flaggedNonCompliant: false },
    ]);
    const [started] = await decodedStream(store, `transition-${applicationId}`);
    expect(started?.data).toMatchObject({ applicationId, offeringId: GOV_CLOUD.offeringId, migrateBy: transitionUntil });
  });

  it('takes the ending’s instant and cause from the accreditation’s stream, for a child started with the previous release’s input too', async () => {
    const t0 = new Date(await env.currentTimeMs()).toISOString();
    const applicationId = 'APP-WITHDRAWN';
    const withdrawnAt = addDays(t0, -3);
    const migrateBy = addDays(withdrawnAt, 90);
    // The accreditation's stream as its process wrote it: granted, then withdrawn by the provider three days ago.
    const log = new TestLog();
    application(log, applicationId)
      .submit('csp-nimbus', { ...GOV_CLOUD, offeringId: OFFERING }, addDays(t0, -60))
      .grant({ baseline: 'intermediate', highestDataClass: 'restricted', validFrom: addDays(t0, -30), validUntil: addDays(t0, 1000) }, addDays(t0, -30))
      .withdraw('Discontinued', 'accredited', withdrawnAt, migrateBy);
    for (const e of log.events) await store.append(e.stream, [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }], e.revision === 0 ? 'no-stream' : e.revision - 1);

    // A parent that continued as new after the ending passes its own clock; the previous release named it revokedAt and gave no cause.
    const previous: PreviousTransitionWorkflowInput = { applicationId, offeringId: OFFERING, cspId: 'csp-nimbus', revokedAt: t0, migrateBy, requestId: 'withdraw-1' };
    trackForExport(
      await startAsEngine<typeof revocationTransitionWorkflow>(env, {
        workflowType: 'revocationTransitionWorkflow',
        workflowId: transitionWorkflowId(applicationId),
        taskQueue: TASK_QUEUE,
        args: [previous],
      }),
    );
    await viewWhen(applicationId, (v) => v.status === 'notified');
    const [started] = await decodedStream(store, `transition-${applicationId}`);
    expect(started).toMatchObject({ type: 'RevocationTransitionStarted', data: { endedAt: withdrawnAt, cause: 'withdrawn', migrateBy }, metadata: { schemaVersion: 2 } });
  });
});
