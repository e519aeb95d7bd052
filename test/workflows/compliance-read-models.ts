import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import pino from 'pino';
import type { EventStore } from '../../eventstore/port';
import { allProjections, createAccreditedListQueries, createComplianceQueries } from '../../projections';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import { ProjectionRunner } from '../../projections/runner';
import type { AccreditationChangeRow, AccreditedListRow } from '../../projections/accreditation/queries';
import type { ComplianceDashboardRow } from '../../projections/compliance/queries';
import { GOV_CLOUD, people } from './accreditation-harness';

/**
 * The read side of the compliance scenarios: the real projections over the scenario's own event store,
 * in an in-memory read-model database, as the projector builds them.
 */
export interface ReadModels {
  db: ReadModelDb;
  runner: ProjectionRunner;
  close(): Promise<void>;
}

export async function startReadModels(store: EventStore): Promise<ReadModels> {
  const db = openReadModelDb(':memory:');
  const runner = new ProjectionRunner({ store, db, projections: allProjections(), logger: pino({ level: 'silent' }) });
  await runner.start();
  return {
    db,
    runner,
    async close() {
      await runner.stop();
      db.close();
    },
  };
}

export interface OfferingStory {
  /** The offering's row on the public accredited list, if it is listed. */
  listed: AccreditedListRow | undefined;
  /** The offering's status-change log, newest first. */
  changes: AccreditationChangeRow[];
  /** The offering's compliance dashboard row, as staff see it. */
  dashboard: ComplianceDashboardRow | undefined;
}

/** What the three read models say about the offering once they have caught up with the store. */
export async function storyOf(store: EventStore, models: ReadModels, offeringId = GOV_CLOUD.offeringId): Promise<OfferingStory> {
  await models.runner.waitFor(await store.headPosition());
  const list = createAccreditedListQueries(models.db);
  return {
    listed: list.list().find((r) => r.offeringId === offeringId),
    changes: list.changes({ offeringId, limit: 100, offset: 0 }),
    dashboard: createComplianceQueries(models.db).dashboard(people.reviewer, { offeringId })[0],
  };
}

/** The public status the three read models must agree on. */
export type OfferingStatus = 'accredited' | 'suspended' | 'revoked' | 'expired' | 'withdrawn';

/**
 * Waits (in real time: the test server's clock stands still meanwhile) until the list, the change log
 * and the dashboard all tell `status` and `more` holds on the dashboard row; then asserts it, so a
 * disagreement fails with the read models' own words.
 */
export async function agreeOn(
  store: EventStore,
  models: ReadModels,
  status: OfferingStatus,
  more: (row: ComplianceDashboardRow) => void = () => undefined,
): Promise<OfferingStory & { dashboard: ComplianceDashboardRow }> {
  const check = (story: OfferingStory): ComplianceDashboardRow => {
    if (status === 'accredited' || status === 'suspended') expect(story.listed?.status).toBe(status);
    else expect(story.listed).toBeUndefined();
    expect(story.changes[0]?.to).toBe(status);
    expect(story.dashboard?.accreditationStatus).toBe(status);
    const row = story.dashboard as ComplianceDashboardRow;
    more(row);
    return row;
  };
  for (let attempt = 0; ; attempt++) {
    const story = await storyOf(store, models);
    try {
      return { ...story, dashboard: check(story) };
    } catch (err) {
      if (attempt >= 200) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Waits for a process the engine starts by itself (a child) to exist. */
export async function whenStarted(env: TestWorkflowEnvironment, workflowId: string): Promise<WorkflowHandle> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (await exists(env, workflowId)) return env.client.workflow.getHandle(workflowId);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${workflowId} was never started`);
}

export async function exists(env: TestWorkflowEnvironment, workflowId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Polls until `ready` holds (a signal or a child gives no answer to wait on). */
export async function until<T>(read: () => Promise<T>, ready: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await read();
    if (ready(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`Never reached: ${what}`);
}

/** Marks a scenario's progress on stderr when DEBUG_SCENARIO is set: a hang shows where it stopped. */
export function step(what: string): void {
  if (process.env.DEBUG_SCENARIO) process.stderr.write(`${new Date().toISOString()} ${what}\n`);
}
