/**
 * Rebuilding the NOC read models from the log: the projection runner (catch-up subscription, decoding
 * and validating every event, one transaction per batch with its checkpoints, the three projections)
 * against raw better-sqlite3 that reads the same event rows and writes the same rows in the same
 * transaction sizes, in the same run. Both must end with identical tables, which proves the baseline
 * does equivalent work; the ratio is what the runner, the registry's validation and the projection
 * abstraction cost over the bare reads and writes.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { NocEventType } from '../domain/noc/events';
import { toMillis } from '../domain/shared/time';
import type { EventMetadata } from '../eventstore/envelope';
import type { Position } from '../eventstore/port';
import { openSqliteEventStore, type SqliteEventStore } from '../eventstore/sqlite/sqlite-event-store';
import { openReadModelDb, ensureCheckpointTable, type ReadModelDb } from '../projections/db';
import { allProjections } from '../projections/index';
import { NOC_STATUS_AFTER, type NocRecordedEvent } from '../projections/noc/noc-events';
import { NOTIFICATION_DELIVERY_TABLES } from '../projections/noc/deliveries';
import { NOC_NOTIFICATION_TABLES, nocNotificationFor } from '../projections/noc/notifications';
import { NOC_QUEUE_TABLES, nocTaskFor, type NocQueueCase } from '../projections/noc/queue';
import { NOC_REGISTER_TABLES } from '../projections/noc/register';
import { ProjectionRunner } from '../projections/runner';
import { fillStoreWithNocEvents } from './fixtures';
import { formatRate, rate, registerBench, type BenchContext } from './registry';

const TABLE_OWNERS = ['noc-register', 'noc-queue', 'noc-notifications'];
const TABLES = ['noc_register', 'noc_history', 'noc_queue_cases', 'noc_tasks', 'noc_notification_cases', 'noc_notifications'];
/** The runner's default batch: the baseline commits as often. */
const BATCH = 1000;

interface EventRow {
  global_position: number;
  event_id: string;
  stream: string;
  revision: number;
  type: NocEventType;
  data: string;
  metadata: string;
}

type Params = Record<string, unknown>;

/** The baseline: the same reads and writes as the three NOC projections, by hand, with no runner. */
function rawRebuild(eventsPath: string, target: string, upTo: number): number {
  const source = new Database(eventsPath, { readonly: true });
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(NOC_REGISTER_TABLES + NOC_QUEUE_TABLES + NOC_NOTIFICATION_TABLES + NOTIFICATION_DELIVERY_TABLES);
  ensureCheckpointTable(db);

  const page = source.prepare('SELECT global_position, event_id, stream, revision, type, data, metadata FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?');
  const register = {
    insert: db.prepare(`INSERT INTO noc_register (noc_id, pse_id, jurisdiction, deviation, description, data_class, systems, offering_id,
      requested_months, status, requested_by, requested_at, requested_at_ms, conditions, extensions_granted, updated_at, revision)
      VALUES (@nocId, @pseId, @jurisdiction, @deviation, @description, @dataClass, @systems, @offeringId, @requestedMonths, 'requested',
      @requestedBy, @requestedAt, @requestedAtMs, '[]', 0, @at, @revision)`),
    status: db.prepare('SELECT status FROM noc_register WHERE noc_id = ?'),
    history: db.prepare(`INSERT INTO noc_history (noc_id, revision, from_status, to_status, at, by_user_id, by_role, by_name, event_type)
      VALUES (@nocId, @revision, @from, @to, @at, @byUserId, @byRole, @byName, @eventType)`),
  };
  const set = (cols: string) =>
    db.prepare(`UPDATE noc_register SET ${cols}${cols ? ', ' : ''}status = @status, updated_at = @at, revision = @revision WHERE noc_id = @nocId`);
  const updates: Record<Exclude<NocEventType, 'NocRequested'>, [Database.Statement, (d: Params) => Params]> = {
    NocReviewStarted: [set('reviewer_id = @reviewerId'), (d) => ({ reviewerId: d.reviewerId })],
    NocInformationRequested: [set('information_due_by = @dueBy'), (d) => ({ dueBy: d.dueBy })],
    NocInformationProvided: [set('information_due_by = NULL'), () => ({})],
    NocLapsed: [set('information_due_by = NULL'), () => ({})],
    NocRecommended: [set('recommendation = @recommendation, recommended_by = @recommendedBy'), (d) => ({ recommendation: d.recommendation, recommendedBy: d.recommendedBy })],
    NocApproved: [
      set('decided_by = @decidedBy, decided_at = @at, valid_from = @validFrom, valid_until = @validUntil, valid_until_ms = @validUntilMs, conditions = @conditions'),
      (d) => ({ decidedBy: d.decidedBy, validFrom: d.validFrom, validUntil: d.validUntil, validUntilMs: toMillis(d.validUntil as string), conditions: JSON.stringify(d.conditions) }),
    ],
    NocRejected: [set('decided_by = @decidedBy, decided_at = @at'), (d) => ({ decidedBy: d.decidedBy })],
    NocExpiryReminderDue: [set(''), () => ({})],
    NocExtensionRequested: [set('pending_extension_months = @months'), (d) => ({ months: d.months })],
    NocExtensionApproved: [
      set('valid_until = @validUntil, valid_until_ms = @validUntilMs, extensions_granted = extensions_granted + 1, pending_extension_months = NULL'),
      (d) => ({ validUntil: d.validUntil, validUntilMs: toMillis(d.validUntil as string) }),
    ],
    NocExtensionRejected: [set('pending_extension_months = NULL'), () => ({})],
    NocExpired: [set('pending_extension_months = NULL'), () => ({})],
    NocRevoked: [set('pending_extension_months = NULL'), () => ({})],
    NocWithdrawn: [set('pending_extension_months = NULL, information_due_by = NULL'), () => ({})],
  };
  const queue = {
    insertCase: db.prepare('INSERT INTO noc_queue_cases (noc_id, pse_id, jurisdiction, requested_by) VALUES (@nocId, @pseId, @jurisdiction, @requestedBy)'),
    getCase: db.prepare('SELECT * FROM noc_queue_cases WHERE noc_id = ?'),
    updateCase: db.prepare(`UPDATE noc_queue_cases SET recommended_by = @recommendedBy, information_due_by = @informationDueBy,
      extension_requested_by = @extensionRequestedBy WHERE noc_id = @nocId`),
    openTask: db.prepare('SELECT kind FROM noc_tasks WHERE noc_id = ?'),
    deleteTask: db.prepare('DELETE FROM noc_tasks WHERE noc_id = ?'),
    insertTask: db.prepare(`INSERT INTO noc_tasks (task_id, noc_id, noc_pse_id, kind, jurisdiction, role, pse_id, excluded_user_ids, created_at,
      created_at_ms, due_at, due_at_ms, claimed_by, claimed_at) VALUES (@taskId, @nocId, @nocPseId, @kind, @jurisdiction, @role, @pseId,
      @excludedUserIds, @createdAt, @createdAtMs, @dueAt, @dueAtMs, NULL, NULL)`),
  };
  const notes = {
    insertCase: db.prepare('INSERT INTO noc_notification_cases (noc_id, pse_id, jurisdiction) VALUES (?, ?, ?)'),
    getCase: db.prepare('SELECT pse_id, jurisdiction FROM noc_notification_cases WHERE noc_id = ?'),
    insert: db.prepare(`INSERT INTO noc_notifications (id, noc_id, pse_id, jurisdiction, kind, message, event_type, revision, created_at, created_at_ms)
      VALUES (@id, @nocId, @pseId, @jurisdiction, @kind, @message, @eventType, @revision, @createdAt, @createdAtMs)`),
  };
  const checkpoint = db.prepare(`INSERT INTO projection_checkpoints (name, position, version, updated_at, error) VALUES (?, ?, 1, ?, NULL)
    ON CONFLICT(name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at, error = NULL`);

  const apply = (row: EventRow): void => {
    const data = JSON.parse(row.data) as Params;
    const meta = JSON.parse(row.metadata) as EventMetadata;
    const nocId = row.stream.slice('noc-'.length);
    const at = meta.occurredAt;
    const history = (from: string | null, to: string): void => {
      register.history.run({ nocId, revision: row.revision, from, to, at, byUserId: meta.actor.userId, byRole: meta.actor.role, byName: meta.actor.name ?? null, eventType: row.type });
    };
    let c: NocQueueCase;
    if (row.type === 'NocRequested') {
      register.insert.run({
        nocId,
        pseId: data.pseId,
        jurisdiction: data.jurisdiction,
        deviation: data.deviation,
        description: data.description,
        dataClass: data.dataClass,
        systems: JSON.stringify(data.systems),
        offeringId: data.offeringId ?? null,
        requestedMonths: data.requestedMonths,
        requestedBy: data.requestedBy,
        requestedAt: data.requestedAt,
        requestedAtMs: toMillis(data.requestedAt as string),
        at,
        revision: row.revision,
      });
      history(null, 'requested');
      c = { nocId, pseId: data.pseId as string, jurisdiction: data.jurisdiction as NocQueueCase['jurisdiction'], requestedBy: data.requestedBy as string, recommendedBy: null, informationDueBy: null, extensionRequestedBy: null };
      queue.insertCase.run(c);
      notes.insertCase.run(nocId, c.pseId, c.jurisdiction);
    } else {
      const current = (register.status.get(nocId) as { status: string }).status;
      const to = NOC_STATUS_AFTER[row.type] ?? current;
      const [stmt, params] = updates[row.type];
      stmt.run({ ...params(data), nocId, status: to, at, revision: row.revision });
      if (to !== current) history(current, to);

      const r = queue.getCase.get(nocId) as Record<string, string | null>;
      c = { nocId, pseId: r.pse_id as string, jurisdiction: r.jurisdiction as NocQueueCase['jurisdiction'], requestedBy: r.requested_by as string, recommendedBy: r.recommended_by ?? null, informationDueBy: r.information_due_by ?? null, extensionRequestedBy: r.extension_requested_by ?? null };
      let changed = true;
      if (row.type === 'NocRecommended') c.recommendedBy = data.recommendedBy as string;
      else if (row.type === 'NocInformationRequested') c.informationDueBy = data.dueBy as string;
      else if (row.type === 'NocExtensionRequested') c.extensionRequestedBy = data.requestedBy as string;
      else if ((row.type === 'NocInformationProvided' || row.type === 'NocLapsed' || row.type === 'NocWithdrawn') && c.informationDueBy !== null) c.informationDueBy = null;
      else changed = false;
      if (changed) queue.updateCase.run(c);

      const event = { id: row.event_id, type: row.type, data, metadata: meta } as unknown as NocRecordedEvent;
      const note = nocNotificationFor(event, nocId);
      if (note) {
        const nc = notes.getCase.get(nocId) as { pse_id: string; jurisdiction: string };
        notes.insert.run({ id: row.event_id, nocId, pseId: nc.pse_id, jurisdiction: nc.jurisdiction, kind: note.kind, message: note.message, eventType: row.type, revision: row.revision, createdAt: at, createdAtMs: toMillis(at) });
      }
    }
    const status = NOC_STATUS_AFTER[row.type];
    if (status === null) return;
    const task = nocTaskFor(status, c);
    const open = queue.openTask.get(nocId) as { kind: string } | undefined;
    if (open?.kind === task?.kind) return;
    if (open) queue.deleteTask.run(nocId);
    if (!task) return;
    queue.insertTask.run({
      taskId: `${nocId}:${task.kind}:${row.revision}`,
      nocId,
      nocPseId: c.pseId,
      kind: task.kind,
      jurisdiction: c.jurisdiction,
      role: task.role,
      pseId: task.pseId,
      excludedUserIds: JSON.stringify(task.excludedUserIds),
      createdAt: at,
      createdAtMs: toMillis(at),
      dueAt: task.dueAt,
      dueAtMs: task.dueAt === null ? null : toMillis(task.dueAt),
    });
  };

  const commit = db.transaction((rows: EventRow[]) => {
    for (const row of rows) apply(row);
    const last = (rows[rows.length - 1] as EventRow).global_position;
    const now = new Date().toISOString();
    for (const name of ['noc-register', 'noc-queue', 'noc-notifications']) checkpoint.run(name, `${last}/${last}`, now);
  });
  let after = 0;
  let applied = 0;
  try {
    while (after < upTo) {
      const rows = page.all(after, BATCH) as EventRow[];
      if (rows.length === 0) break;
      commit.immediate(rows);
      applied += rows.length;
      after = (rows[rows.length - 1] as EventRow).global_position;
    }
  } finally {
    source.close();
    db.close();
  }
  return applied;
}

async function runnerRebuild(store: SqliteEventStore, target: string, head: Position): Promise<ReadModelDb> {
  const db = openReadModelDb(target);
  // The NOC read models only: the baseline writes those three, and the public ones would be extra work.
  const runner = new ProjectionRunner({ store, db, projections: allProjections().filter((p) => TABLE_OWNERS.includes(p.name)) });
  await runner.start();
  await runner.waitFor(head, 0);
  await runner.stop();
  return db;
}

function sameTables(a: string, b: string): boolean {
  const left = new Database(a, { readonly: true });
  const right = new Database(b, { readonly: true });
  try {
    return TABLES.every((t) => {
      const sql = `SELECT * FROM ${t} ORDER BY 1, 2`;
      return JSON.stringify(left.prepare(sql).all()) === JSON.stringify(right.prepare(sql).all());
    });
  } finally {
    left.close();
    right.close();
  }
}

async function timeBoth(ctx: BenchContext, store: SqliteEventStore, eventsPath: string, head: Position, tag: string): Promise<{ runnerMs: number; rawMs: number; runnerPath: string; rawPath: string }> {
  const rawPath = join(ctx.tmpDir, `raw-${tag}.db`);
  const runnerPath = join(ctx.tmpDir, `runner-${tag}.db`);
  let started = performance.now();
  rawRebuild(eventsPath, rawPath, Number(head.commit));
  const rawMs = performance.now() - started;
  started = performance.now();
  const db = await runnerRebuild(store, runnerPath, head);
  const runnerMs = performance.now() - started;
  db.close();
  return { runnerMs, rawMs, runnerPath, rawPath };
}

registerBench('projections: rebuild the NOC read models, runner vs raw better-sqlite3', async (ctx) => {
  const count = Math.max(2_000, Math.round(200_000 * ctx.scale));
  const eventsPath = join(ctx.tmpDir, 'projection-events.db');
  const store = await openSqliteEventStore({ path: eventsPath, synchronous: 'NORMAL' });
  try {
    const filled = await fillStoreWithNocEvents(store, count);
    ctx.log(`   log: ${filled.events.toLocaleString('en-US')} NOC events in ${filled.streams.toLocaleString('en-US')} streams (filled in ${(filled.millis / 1000).toFixed(1)} s)`);

    // Warm both paths up (JIT) on the first events before anything is timed.
    const warmHead = { commit: 2_000n, prepare: 2_000n };
    await timeBoth(ctx, store, eventsPath, warmHead, 'warm-up');

    const { runnerMs, rawMs, runnerPath, rawPath } = await timeBoth(ctx, store, eventsPath, filled.head, 'timed');
    const runnerRate = rate(filled.events, runnerMs);
    const rawRate = rate(filled.events, rawMs);
    ctx.log(`   runner (3 projections) ${formatRate(runnerRate).padStart(18)}  ${(runnerMs / 1000).toFixed(1)} s`);
    ctx.log(`   raw better-sqlite3     ${formatRate(rawRate).padStart(18)}  ${(rawMs / 1000).toFixed(1)} s`);
    ctx.log(`   runner/raw ${(runnerRate / rawRate).toFixed(2)}; identical read models: ${sameTables(runnerPath, rawPath) ? 'yes' : 'NO'}`);
  } finally {
    await store.close();
  }
});
