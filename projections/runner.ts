import type { Tracer } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import {
  START,
  comparePositions,
  positionFromString,
  positionToString,
  type EventStore,
  type Position,
  type RecordedEvent,
  type Subscription,
} from '../eventstore/port';
import { ProjectionFailedError, applyOne, decodeForProjections, handlerLookup, messageOf } from './apply-event';
import { readCheckpoint, writeCheckpoint, writeCheckpointError } from './checkpoints';
import type { ReadModelDb } from './db';
import { rebuildIntoScratch } from './fresh-rebuild';
import { eventsBehind } from './lag';
import { PositionWaiters } from './position-waiters';
import { CheckpointMovedError, RunnerCheckpoints, isAfter } from './runner-checkpoints';
import type { Projection } from './projection';

export type { Projection } from './projection';
export { ProjectionFailedError, type ProjectionFailureDetails } from './apply-event';

export interface ProjectionRunnerOptions {
  store: EventStore;
  db: ReadModelDb;
  projections: readonly Projection[];
  logger?: Logger;
  /** Most events committed in one transaction. Larger batches rebuild faster and hold the write lock longer. */
  maxBatch?: number;
  /**
   * Most events committed in one transaction while catching up (a start behind the log, a rebuild):
   * each commit rewrites the b-tree pages the batch touched, so fewer, larger commits write far less.
   * Defaults to 10 000, or to maxBatch when that is given.
   */
  catchUpBatch?: number;
  /** Called after every statement group of a batch (each apply, each checkpoint write); crash tests kill the process there. */
  betweenStatements?: () => void;
  /** The projector's tracer (tracing/setup.ts): each apply of a traced event is a span of its trace. */
  tracer?: Tracer;
  /** Told after each batch is committed (the projector wakes its mail dispatcher: new notices may be due). */
  onCommitted?: (events: number) => void;
}

export type RunnerState = 'stopped' | 'running' | 'failed';

export interface ProjectionStatus {
  name: string;
  version: number;
  /** positionToString() of the last event applied; null before the first. */
  position: string | null;
  /** Events in the store after `position`. */
  lag: number;
  /** False when the store could only count part of the backlog (EventStoreDB): the lag is at least `lag`. */
  lagExact: boolean;
  /** Why the runner stopped, when it did. */
  error?: string;
}

export interface RunnerHealth {
  state: RunnerState;
  /** Whether the runner has delivered every event that existed when its subscription started. */
  caughtUp: boolean;
  error?: string;
}

const DEFAULT_MAX_BATCH = 1000;
const DEFAULT_CATCH_UP_BATCH = 10_000;

/**
 * Feeds projections from one catch-up subscription to the whole log. Each projection keeps its own
 * checkpoint in the read-model database, written in the same transaction as the rows it covers:
 * a crash can lose a batch, never half of one, and never the rows without their checkpoint or the
 * checkpoint without its rows. Events that arrive together are committed together, for speed.
 *
 * An event that cannot be decoded (an unknown type or version, invalid data) or applied stops the
 * runner with a ProjectionFailedError, visible in status() and in projection_checkpoints.error: a read
 * model that silently skipped an event would be wrong without anyone knowing.
 */
export class ProjectionRunner {
  private readonly store: EventStore;
  private readonly db: ReadModelDb;
  private readonly projections: readonly Projection[];
  private readonly logger: Logger;
  private readonly maxBatch: number;
  private readonly catchUpBatch: number;
  private readonly commitTx: (batch: RecordedEvent[]) => Map<string, Position>;
  private readonly betweenStatements: () => void;
  private readonly tracer: Tracer | undefined;
  private readonly onCommitted: (events: number) => void;

  private state: RunnerState = 'stopped';
  private prepared = false;
  private readonly checkpoints: RunnerCheckpoints;
  private subscription: Subscription | undefined;
  private halting: Promise<void> = Promise.resolve();
  /** Bumped whenever the subscription is replaced: callbacks of an older one are ignored. */
  private generation = 0;
  private buffer: RecordedEvent[] = [];
  private flushScheduled = false;
  private caughtUp = false;
  private failure: ProjectionFailedError | undefined;
  private readonly waiters = new PositionWaiters();
  private readonly handlersOf: (type: string) => readonly Projection[];

  constructor(options: ProjectionRunnerOptions) {
    const names = options.projections.map((p) => p.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) throw new Error(`Two projections are named ${duplicate}`);
    this.store = options.store;
    this.db = options.db;
    this.projections = options.projections;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    this.catchUpBatch = options.catchUpBatch ?? options.maxBatch ?? DEFAULT_CATCH_UP_BATCH;
    this.betweenStatements = options.betweenStatements ?? (() => {});
    this.tracer = options.tracer;
    this.onCommitted = options.onCommitted ?? (() => {});
    this.handlersOf = handlerLookup(this.projections);
    this.checkpoints = new RunnerCheckpoints(this.projections);
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError('maxBatch must be a whole number >= 1');
    if (!Number.isInteger(this.catchUpBatch) || this.catchUpBatch < 1) throw new RangeError('catchUpBatch must be a whole number >= 1');
    const tx = this.db.transaction((batch: RecordedEvent[]) => this.commitInTransaction(batch));
    // IMMEDIATE: the checkpoint check and the writes happen under one write lock, so two writers
    // (say a rebuild CLI beside the projector) cannot both apply the same event.
    this.commitTx = (batch) => tx.immediate(batch);
  }

  /** Creates missing tables, rebuilds projections whose version changed, then follows the log. */
  async start(): Promise<void> {
    if (this.state === 'running') return;
    await this.halting;
    this.failure = undefined;
    this.prepare();
    this.state = 'running';
    this.subscribe();
  }

  async stop(): Promise<void> {
    if (this.state === 'running') this.state = 'stopped';
    await this.halt();
    this.waiters.rejectAll(new Error('The projection runner was stopped'));
  }

  /**
   * Projects the whole log again for one projection (or every one) and swaps the result in with its
   * checkpoint in one transaction (projections/fresh-rebuild.ts); readers keep the old rows until then.
   * Resolves once the rebuilt projections stand at the log as it was when the rebuild began; the runner
   * keeps following the log afterwards.
   */
  async rebuild(name?: string): Promise<void> {
    const targets = name === undefined ? this.projections : [this.projection(name)];
    await this.halt();
    this.failure = undefined;
    if (!this.prepared) this.prepare();
    const names = targets.map((p) => p.name);
    this.logger.info({ projections: names }, 'rebuilding projections');
    const head = await this.store.headPosition();
    try {
      await rebuildIntoScratch(this.store, this.db, targets, head);
    } catch (err) {
      const error = err instanceof ProjectionFailedError ? err : new ProjectionFailedError('PROJECTION_FAILED', `Rebuilding ${names.join(', ')} failed: ${messageOf(err)}`, {}, { cause: err });
      this.fail(error);
      throw error;
    }
    for (const p of targets) this.checkpoints.set(p.name, comparePositions(head, START) === 0 ? null : head);
    this.state = 'running';
    this.subscribe();
    await this.waitFor(head, 0);
    this.logger.info({ projections: names, position: positionToString(head) }, 'projections rebuilt');
  }

  /** Each projection's checkpoint and how far it is behind the store. */
  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    return Promise.all(
      this.projections.map(async (p): Promise<ProjectionStatus> => {
        const stored = this.prepared ? undefined : readCheckpoint(this.db, p.name);
        const position = this.prepared ? (this.checkpoints.get(p.name)) : (stored?.position ?? null);
        const lag = await eventsBehind(this.store, position, head);
        const error = this.failure?.message ?? stored?.error ?? undefined;
        return {
          name: p.name,
          version: p.version,
          position: position === null ? null : positionToString(position),
          lag: lag.events,
          lagExact: lag.exact,
          ...(error === undefined ? {} : { error }),
        };
      }),
    );
  }

  health(): RunnerHealth {
    return {
      state: this.state,
      caughtUp: this.caughtUp,
      ...(this.failure ? { error: this.failure.message } : {}),
    };
  }

  /** The error that stopped the runner, if it stopped on one. */
  get error(): ProjectionFailedError | undefined {
    return this.failure;
  }

  /**
   * Resolves once every projection has applied the log up to `position` (a Position or its string);
   * rejects if the runner stops first or `timeoutMs` passes (0: no time limit).
   */
  waitFor(position: Position | string, timeoutMs = 30_000): Promise<void> {
    const target = typeof position === 'string' ? positionFromString(position) : position;
    if (this.checkpoints.reached(target)) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return this.waiters.add(target, timeoutMs, () => this.checkpoints.describe());
  }

  private projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found) throw new Error(`No projection named ${name}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    return found;
  }

  /** Loads checkpoints; creates tables; a projection whose stored version differs starts again from zero. */
  private prepare(): void {
    const now = new Date().toISOString();
    this.db
      .transaction(() => {
        for (const p of this.projections) {
          const row = readCheckpoint(this.db, p.name);
          if (row && row.version === p.version) {
            p.setup(this.db);
            this.checkpoints.set(p.name, row.position);
            continue;
          }
          if (row) {
            this.logger.warn({ projection: p.name, from: row.version, to: p.version }, 'projection version changed: rebuilding it');
            p.reset(this.db);
          }
          p.setup(this.db);
          writeCheckpoint(this.db, p.name, null, p.version, now);
          this.checkpoints.set(p.name, null);
        }
      })
      .immediate();
    this.prepared = true;
  }

  private subscribe(): void {
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    this.caughtUp = false;
    this.buffer = [];
    const after = this.checkpoints.earliest();
    this.logger.info({ after: after === null ? 'start' : positionToString(after) }, 'projections subscribing');
    this.subscription = this.store.subscribeToAll({
      ...(after === null ? {} : { after }),
      onEvent: (event) => {
        if (current()) this.receive(event);
      },
      onCaughtUp: () => {
        if (!current()) return;
        this.flush();
        if (!current() || this.state !== 'running') return;
        this.caughtUp = true;
        this.logger.info({ positions: Object.fromEntries(this.projections.map((p) => [p.name, this.checkpoints.text(p.name)])) }, 'projections caught up');
      },
      onError: (err) => {
        if (current()) this.fail(new ProjectionFailedError('UNAVAILABLE', `The event store subscription dropped: ${err.message}`, {}, { cause: err }));
      },
    });
  }

  /** Closes the subscription and forgets events received but not committed: they are read again later. */
  private halt(): Promise<void> {
    this.generation += 1;
    this.buffer = [];
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub) {
      const previous = this.halting;
      this.halting = previous.then(() => sub.close()).catch((err: unknown) => {
        this.logger.warn({ err }, 'closing the event store subscription failed');
      });
    }
    return this.halting;
  }

  private receive(event: RecordedEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= (this.caughtUp ? this.maxBatch : this.catchUpBatch)) {
      this.flush();
      return;
    }
    // Events already read arrive without yielding to the event loop: they all land in this batch.
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.buffer.length === 0 || this.state !== 'running') return;
    const batch = this.buffer;
    this.buffer = [];
    let advanced: Map<string, Position>;
    try {
      advanced = this.commitTx(batch);
    } catch (err) {
      if (err instanceof CheckpointMovedError) {
        void this.resync(err.message);
        return;
      }
      this.fail(
        err instanceof ProjectionFailedError
          ? err
          : new ProjectionFailedError('PROJECTION_FAILED', `Committing ${batch.length} events failed: ${messageOf(err)}`, {}, { cause: err }),
      );
      return;
    }
    for (const [name, position] of advanced) this.checkpoints.set(name, position);
    this.logger.debug({ events: batch.length, position: positionToString((batch[batch.length - 1] as RecordedEvent).position) }, 'projected');
    this.waiters.settle((target) => this.checkpoints.reached(target));
    this.onCommitted(batch.length);
  }

  /** Runs inside the write transaction: anything thrown rolls back every row and checkpoint of the batch. */
  private commitInTransaction(batch: RecordedEvent[]): Map<string, Position> {
    this.checkpoints.verify(this.db);
    // Past the latest checkpoint every projection is behind: the common case (a rebuild, the live tail)
    // then skips comparing each event with each checkpoint.
    const latest = this.checkpoints.latest();
    for (const event of batch) {
      const allBehind = isAfter(event.position, latest);
      const behind = allBehind ? this.projections : this.projections.filter((p) => isAfter(event.position, this.checkpoints.get(p.name)));
      if (behind.length === 0) continue;
      const handlers = this.handlersOf(event.type);
      const decoded = decodeForProjections(event);
      for (const p of allBehind ? handlers : behind) {
        if (!allBehind && !p.handles(event.type)) continue;
        applyOne(p, this.db, event, decoded, this.tracer);
        this.betweenStatements();
      }
    }
    const last = (batch[batch.length - 1] as RecordedEvent).position;
    const now = new Date().toISOString();
    const advanced = new Map<string, Position>();
    for (const p of this.projections) {
      if (!isAfter(last, this.checkpoints.get(p.name))) continue;
      writeCheckpoint(this.db, p.name, last, p.version, now);
      advanced.set(p.name, last);
      this.betweenStatements();
    }
    return advanced;
  }

  /** Another writer moved a checkpoint (a rebuild from the CLI): reload and follow the log from there. */
  private async resync(reason: string): Promise<void> {
    this.logger.warn({ reason }, 'projection checkpoints changed under the runner: reloading them');
    await this.halt();
    if (this.state !== 'running') return;
    try {
      for (const p of this.projections) {
        const row = readCheckpoint(this.db, p.name);
        if (!row || row.version !== p.version) {
          throw new ProjectionFailedError(
            'PROJECTION_FAILED',
            `Projection ${p.name} is stored as ${row ? `version ${row.version}` : 'missing'} while this code is version ${p.version}: another projector version is writing`,
            { projection: p.name },
          );
        }
        this.checkpoints.set(p.name, row.position);
      }
      this.subscribe();
    } catch (err) {
      this.fail(
        err instanceof ProjectionFailedError
          ? err
          : new ProjectionFailedError('PROJECTION_FAILED', `Reloading the checkpoints failed: ${messageOf(err)}`, {}, { cause: err }),
      );
    }
  }

  private fail(error: ProjectionFailedError): void {
    this.state = 'failed';
    this.failure = error;
    void this.halt();
    this.logger.error({ err: error, ...error.details }, 'projections stopped');
    try {
      writeCheckpointError(this.db, this.projections.map((p) => p.name), error.message, new Date().toISOString());
    } catch (err) {
      this.logger.error({ err }, 'could not record the projection error');
    }
    this.waiters.rejectAll(error);
  }
}
