import type { Tracer } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import { DomainError, type ErrorCode } from '../domain/shared/errors';
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
import { decode, type DecodedEvent } from '../eventstore/registry';
import { readCheckpoint, writeCheckpoint, writeCheckpointError } from './checkpoints';
import type { ReadModelDb } from './db';
import { eventsBehind } from './lag';
import type { Projection } from './projection';
import { applyInSpan } from '../tracing/projection';

export type { Projection } from './projection';

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

/** Where in the log a projection run stopped, and why. */
export interface ProjectionFailureDetails {
  projection?: string;
  eventId?: string;
  eventType?: string;
  stream?: string;
  revision?: number;
  position?: string;
}

/** The runner stopped: an event could not be decoded or applied, or the subscription dropped. */
export class ProjectionFailedError extends Error {
  override readonly name = 'ProjectionFailedError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ProjectionFailureDetails,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
  }
}

/** Another writer (a rebuild CLI, a second projector) changed a checkpoint under this runner. */
class CheckpointMovedError extends Error {
  override readonly name = 'CheckpointMovedError';
}

interface Waiter {
  target: Position;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_MAX_BATCH = 1000;
const DEFAULT_CATCH_UP_BATCH = 10_000;

const isAfter = (position: Position, checkpoint: Position | null): boolean =>
  checkpoint === null || comparePositions(position, checkpoint) > 0;

const describe = (event: RecordedEvent): ProjectionFailureDetails => ({
  eventId: event.id,
  eventType: event.type,
  stream: event.stream,
  revision: event.revision,
  position: positionToString(event.position),
});

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

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
  private readonly checkpoints = new Map<string, Position | null>();
  private subscription: Subscription | undefined;
  private halting: Promise<void> = Promise.resolve();
  /** Bumped whenever the subscription is replaced: callbacks of an older one are ignored. */
  private generation = 0;
  private buffer: RecordedEvent[] = [];
  private flushScheduled = false;
  private caughtUp = false;
  private failure: ProjectionFailedError | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly handlers = new Map<string, readonly Projection[]>();

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
    this.rejectWaiters(new Error('The projection runner was stopped'));
  }

  /**
   * Throws away one projection's rows (or every projection's) and projects the whole log again.
   * Resolves once the rebuilt projections have caught up with the log as it was when the rebuild began.
   * The runner keeps following the log afterwards.
   */
  async rebuild(name?: string): Promise<void> {
    const targets = name === undefined ? this.projections : [this.projection(name)];
    await this.halt();
    this.failure = undefined;
    if (!this.prepared) this.prepare();
    const now = new Date().toISOString();
    this.db
      .transaction(() => {
        for (const p of targets) {
          p.reset(this.db);
          p.setup(this.db);
          writeCheckpoint(this.db, p.name, null, p.version, now);
        }
      })
      .immediate();
    for (const p of targets) this.checkpoints.set(p.name, null);
    this.logger.info({ projections: targets.map((p) => p.name) }, 'rebuilding projections');
    this.state = 'running';
    this.subscribe();
    const head = await this.store.headPosition();
    await this.waitFor(head, 0);
    this.logger.info({ projections: targets.map((p) => p.name), position: positionToString(head) }, 'projections rebuilt');
  }

  /** Each projection's checkpoint and how far it is behind the store. */
  async status(): Promise<ProjectionStatus[]> {
    const head = await this.store.headPosition();
    return Promise.all(
      this.projections.map(async (p): Promise<ProjectionStatus> => {
        const stored = this.prepared ? undefined : readCheckpoint(this.db, p.name);
        const position = this.prepared ? (this.checkpoints.get(p.name) ?? null) : (stored?.position ?? null);
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
    if (this.reached(target)) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { target, resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          const at = this.projections.map((p) => `${p.name}@${this.positionText(p.name)}`).join(', ');
          reject(new Error(`Projections did not reach ${positionToString(target)} within ${timeoutMs} ms (${at})`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  private projection(name: string): Projection {
    const found = this.projections.find((p) => p.name === name);
    if (!found) throw new Error(`No projection named ${name}; known: ${this.projections.map((p) => p.name).join(', ')}`);
    return found;
  }

  private positionText(name: string): string {
    const cp = this.checkpoints.get(name) ?? null;
    return cp === null ? 'start' : positionToString(cp);
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

  /** The earliest checkpoint: the subscription starts there and each projection skips what it has. */
  private earliestCheckpoint(): Position | null {
    let earliest: Position | null | undefined;
    for (const p of this.projections) {
      const cp = this.checkpoints.get(p.name) ?? null;
      if (cp === null) return null;
      if (earliest === undefined || earliest === null || comparePositions(cp, earliest) < 0) earliest = cp;
    }
    return earliest ?? null;
  }

  private subscribe(): void {
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    this.caughtUp = false;
    this.buffer = [];
    const after = this.earliestCheckpoint();
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
        this.logger.info({ positions: Object.fromEntries(this.projections.map((p) => [p.name, this.positionText(p.name)])) }, 'projections caught up');
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
    this.settleWaiters();
    this.onCommitted(batch.length);
  }

  /** Runs inside the write transaction: anything thrown rolls back every row and checkpoint of the batch. */
  private commitInTransaction(batch: RecordedEvent[]): Map<string, Position> {
    this.verifyCheckpoints();
    // Past the latest checkpoint every projection is behind: the common case (a rebuild, the live tail)
    // then skips comparing each event with each checkpoint.
    const latest = this.latestCheckpoint();
    for (const event of batch) {
      const allBehind = isAfter(event.position, latest);
      const behind = allBehind ? this.projections : this.projections.filter((p) => isAfter(event.position, this.checkpoints.get(p.name) ?? null));
      if (behind.length === 0) continue;
      const handlers = this.handlersOf(event.type);
      let decoded: DecodedEvent;
      try {
        decoded = decode(event);
      } catch (err) {
        const code = err instanceof DomainError ? err.code : 'EVENT_SCHEMA_INVALID';
        throw new ProjectionFailedError(code, `Cannot read ${event.type} at ${event.stream}@${event.revision} (position ${positionToString(event.position)}): ${messageOf(err)}`, describe(event), { cause: err });
      }
      for (const p of allBehind ? handlers : behind) {
        if (!allBehind && !p.handles(event.type)) continue;
        try {
          applyInSpan(this.tracer, event, p.name, () => p.apply(this.db, decoded));
        } catch (err) {
          throw new ProjectionFailedError(
            'PROJECTION_FAILED',
            `Projection ${p.name} failed on ${event.type} at ${event.stream}@${event.revision} (position ${positionToString(event.position)}): ${messageOf(err)}`,
            { projection: p.name, ...describe(event) },
            { cause: err },
          );
        }
        this.betweenStatements();
      }
    }
    const last = (batch[batch.length - 1] as RecordedEvent).position;
    const now = new Date().toISOString();
    const advanced = new Map<string, Position>();
    for (const p of this.projections) {
      if (!isAfter(last, this.checkpoints.get(p.name) ?? null)) continue;
      writeCheckpoint(this.db, p.name, last, p.version, now);
      advanced.set(p.name, last);
      this.betweenStatements();
    }
    return advanced;
  }

  /** The latest checkpoint of all; null when none has one yet. */
  private latestCheckpoint(): Position | null {
    let latest: Position | null = null;
    for (const p of this.projections) {
      const cp = this.checkpoints.get(p.name) ?? null;
      if (cp !== null && (latest === null || comparePositions(cp, latest) > 0)) latest = cp;
    }
    return latest;
  }

  /** The projections that handle a type, in registration order; asked once per type, not per event. */
  private handlersOf(type: string): readonly Projection[] {
    let handlers = this.handlers.get(type);
    if (!handlers) {
      handlers = this.projections.filter((p) => p.handles(type));
      this.handlers.set(type, handlers);
    }
    return handlers;
  }

  /** The stored checkpoints must be the ones this runner believes in; otherwise someone else wrote. */
  private verifyCheckpoints(): void {
    for (const p of this.projections) {
      const row = readCheckpoint(this.db, p.name);
      const mine = this.checkpoints.get(p.name) ?? null;
      const same =
        row !== undefined &&
        row.version === p.version &&
        (row.position === null ? mine === null : mine !== null && comparePositions(row.position, mine) === 0);
      if (!same) {
        const theirs = row ? `${row.position === null ? 'start' : positionToString(row.position)} v${row.version}` : 'missing';
        throw new CheckpointMovedError(`Checkpoint of ${p.name} is ${theirs}, expected ${this.positionText(p.name)} v${p.version}`);
      }
    }
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
    this.rejectWaiters(error);
  }

  private reached(target: Position): boolean {
    if (comparePositions(target, START) === 0) return true;
    return this.projections.every((p) => {
      const cp = this.checkpoints.get(p.name) ?? null;
      return cp !== null && comparePositions(cp, target) >= 0;
    });
  }

  private settleWaiters(): void {
    for (const waiter of this.waiters) {
      if (!this.reached(waiter.target)) continue;
      this.waiters.delete(waiter);
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters.clear();
  }
}
