import { buildCaseEvents } from '../../activities/event-activities';
import type { NocCommand, NocCommandOf, NocCommandType } from '../../domain/noc/commands';
import { decideNoc } from '../../domain/noc/decide';
import type { NocRequest } from '../../domain/noc/events';
import { evolveNoc } from '../../domain/noc/evolve';
import { DEFAULT_NOC_POLICY } from '../../domain/noc/policy';
import type { NocState } from '../../domain/noc/state';
import { SYSTEM_ACTOR, type Actor } from '../../domain/shared/actor';
import { addDays } from '../../domain/shared/time';
import { streamName } from '../../eventstore/envelope';
import type { RecordedEvent } from '../../eventstore/port';
import { decode, type DecodedEvent } from '../../eventstore/registry';
import { openReadModelDb, type ReadModelDb } from '../../projections/db';
import type { ScriptStep } from '../support/case-script';
import type { Projection } from '../../projections/projection';

export { SYSTEM_ACTOR };

/** A global log for unit tests: positions 1, 2, 3… as the SQLite store numbers them. */
export class TestLog {
  private next = 1n;
  readonly events: RecordedEvent[] = [];

  record(event: Omit<RecordedEvent, 'position' | 'recordedAt'>): RecordedEvent {
    const position = this.next;
    this.next += 1n;
    const recorded: RecordedEvent = { ...event, position: { commit: position, prepare: position }, recordedAt: event.metadata.occurredAt };
    this.events.push(recorded);
    return recorded;
  }

  /** Records what a script step wrote, at the revisions the store would give it. */
  append({ stream, expectedRevision, envelopes }: ScriptStep): RecordedEvent[] {
    return envelopes.map((e, i) => this.record({ id: e.id, stream, revision: expectedRevision + 1 + i, type: e.type, data: e.data, metadata: e.metadata }));
  }

  nocCase(request: Partial<NocRequest> & { nocId: string }, by: Actor, at: string): NocCaseScript {
    return new NocCaseScript(this, request, by, at);
  }
}

type CommandData<K extends NocCommandType> = NocCommandOf<K>['data'];

/**
 * One NOC's history, command by command through the real decider and the worker's envelope code, so
 * the projections see exactly what production writes.
 */
export class NocCaseScript {
  private state: NocState = { status: 'none' };
  private revision = -1;
  private step = 0;
  now: string;
  readonly nocId: string;

  constructor(
    private readonly log: TestLog,
    request: Partial<NocRequest> & { nocId: string },
    by: Actor,
    at: string,
  ) {
    this.now = at;
    this.nocId = request.nocId;
    this.run({
      type: 'RequestNoc',
      actor: by,
      data: {
        pseId: by.organisationId as string,
        jurisdiction: by.jurisdiction,
        deviation: 'on-premises-hosting',
        description: 'Keep the payroll system on premises during the migration',
        justification: 'The accredited offering cannot host it before the next fiscal year',
        dataClass: 'restricted',
        systems: ['payroll'],
        requestedMonths: 6,
        ...request,
      },
    });
  }

  get current(): NocState {
    return this.state;
  }

  /** Moves this case's clock forward by `days`. */
  later(days: number): this {
    this.now = addDays(this.now, days);
    return this;
  }

  at(iso: string): this {
    this.now = iso;
    return this;
  }

  act<K extends NocCommandType>(type: K, actor: Actor, data: CommandData<K>): RecordedEvent[] {
    return this.run({ type, actor, data } as NocCommand);
  }

  private run(command: NocCommand): RecordedEvent[] {
    const decided = decideNoc(command, this.state, { now: this.now, policy: DEFAULT_NOC_POLICY });
    this.step += 1;
    const stream = streamName('noc', this.nocId);
    const envelopes = buildCaseEvents({
      stream,
      expectedRevision: this.revision,
      events: decided,
      actor: command.actor,
      occurredAt: this.now,
      correlationId: `noc:${this.nocId}`,
      causationId: `${command.type}-${this.step}`,
      policyVersion: DEFAULT_NOC_POLICY.version,
    });
    const recorded = envelopes.map((e, i) =>
      this.log.record({ id: e.id, stream, revision: this.revision + 1 + i, type: e.type, data: e.data, metadata: e.metadata }),
    );
    this.state = decided.reduce(evolveNoc, this.state);
    this.revision += decided.length;
    return recorded;
  }
}

/** A fresh in-memory read-model database with the projections' tables. */
export function memoryDb(...projections: Projection[]): ReadModelDb {
  const db = openReadModelDb(':memory:');
  for (const p of projections) p.setup(db);
  return db;
}

/** What the runner does for one event, without the runner: decode, then apply where handled. */
export function project(db: ReadModelDb, projections: Projection[], events: readonly RecordedEvent[]): void {
  db.transaction(() => {
    for (const event of events) {
      const decoded: DecodedEvent = decode(event);
      for (const p of projections) if (p.handles(event.type)) p.apply(db, decoded);
    }
  })();
}

/** Every row of a table in a stable order, for comparing whole read models. */
export function dump(db: ReadModelDb, table: string): unknown[] {
  return db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
}
