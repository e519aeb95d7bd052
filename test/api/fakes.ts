/**
 * In-memory test doubles of the API's ports. The fake gateway runs the real NOC decider, so the API
 * sees the same refusals it would get from the workflow; the fake queries apply the real visibility rule.
 */
import pino from 'pino';
import type { ApiDeps } from '../../api/deps';
import { loadConfig } from '../../config/config';
import type { Identity } from '../../identity';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeNoc, DEFAULT_NOC_POLICY, decideNoc, foldNoc, type NocCommand, type NocEvent } from '../../domain/noc';
import { eventId } from '../../eventstore/envelope';
import type { EventStore, RecordedEvent } from '../../eventstore/port';
import type { NocGateway, RequestNocPayload } from '../../api/noc-gateway';
import type { NocHistoryRow, NocNotificationRow, NocQueries, NocRegisterFilter, NocRegisterRow, NocTaskRow } from '../../projections/noc/read-model';
import type { NocActionInput, NocView } from '../../workflows/noc/messages';

export class FakeNocGateway implements NocGateway {
  readonly calls: { method: 'request' | 'act' | 'state'; args: unknown[] }[] = [];
  readonly events = new Map<string, NocEvent[]>();
  /** The next call throws this instead of doing anything. */
  failNext: DomainError | undefined;
  private counter = 0;

  constructor(private readonly now: () => string = () => new Date().toISOString()) {}

  private view(nocId: string): NocView {
    const events = this.events.get(nocId) ?? [];
    return { state: foldNoc(events), revision: events.length - 1 };
  }

  private takeFailure(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }

  async request(actor: Actor, payload: RequestNocPayload, commandId: string): Promise<NocView> {
    this.calls.push({ method: 'request', args: [actor, payload, commandId] });
    this.takeFailure();
    const nocId = `NOC-TEST-${String(++this.counter).padStart(4, '0')}`;
    const command = {
      type: 'RequestNoc',
      actor,
      data: { ...payload, nocId, pseId: actor.organisationId ?? '', jurisdiction: actor.jurisdiction },
    } as NocCommand;
    this.events.set(nocId, decideNoc(command, { status: 'none' }, { now: this.now(), policy: DEFAULT_NOC_POLICY }));
    return this.view(nocId);
  }

  async act(nocId: string, action: NocActionInput): Promise<NocView> {
    this.calls.push({ method: 'act', args: [nocId, action] });
    this.takeFailure();
    const events = this.events.get(nocId);
    if (!events) throw new DomainError('NOT_FOUND', `No NOC ${nocId}`);
    const command = { type: action.type, actor: action.actor, data: action.data } as NocCommand;
    events.push(...decideNoc(command, foldNoc(events), { now: this.now(), policy: DEFAULT_NOC_POLICY }));
    return this.view(nocId);
  }

  async state(nocId: string): Promise<NocView | undefined> {
    this.calls.push({ method: 'state', args: [nocId] });
    this.takeFailure();
    return this.events.has(nocId) ? this.view(nocId) : undefined;
  }

  callsOf(method: 'request' | 'act' | 'state'): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }
}

export class FakeNocQueries implements NocQueries {
  readonly rows = new Map<string, NocRegisterRow>();
  readonly tasks: NocTaskRow[] = [];
  readonly notes: NocNotificationRow[] = [];
  readonly timelines = new Map<string, NocHistoryRow[]>();
  lastFilter: NocRegisterFilter | undefined;

  list(actor: Actor, filter: NocRegisterFilter): NocRegisterRow[] {
    this.lastFilter = filter;
    return [...this.rows.values()]
      .filter((r) => canSeeNoc(actor, r))
      .filter((r) => !filter.status || filter.status.includes(r.status))
      .filter((r) => !filter.jurisdiction || r.jurisdiction === filter.jurisdiction)
      .slice(filter.offset ?? 0, (filter.offset ?? 0) + (filter.limit ?? 50));
  }

  get(actor: Actor, nocId: string): NocRegisterRow | undefined {
    const row = this.rows.get(nocId);
    return row && canSeeNoc(actor, row) ? row : undefined;
  }

  queue(actor: Actor): NocTaskRow[] {
    return this.tasks.filter((t) => t.role === actor.role && !t.excludedUserIds.includes(actor.userId));
  }

  notifications(actor: Actor): NocNotificationRow[] {
    return this.notes.filter((n) => n.pseId === actor.organisationId);
  }

  history(actor: Actor, nocId: string): NocHistoryRow[] {
    return this.get(actor, nocId) ? (this.timelines.get(nocId) ?? []) : [];
  }
}

/** Only what the API reads: streams. */
export class FakeEventStore implements Pick<EventStore, 'readStream'> {
  readonly streams = new Map<string, RecordedEvent[]>();
  private position = 0n;

  add(stream: string, type: string, data: unknown, actor: Actor, extra: Partial<RecordedEvent> = {}): RecordedEvent {
    const list = this.streams.get(stream) ?? [];
    const revision = list.length;
    this.position += 1n;
    const recordedAt = new Date().toISOString();
    const event: RecordedEvent = {
      id: eventId(stream, revision),
      stream,
      revision,
      position: { commit: this.position, prepare: this.position },
      type,
      data,
      metadata: {
        schemaVersion: 1,
        actor: { userId: actor.userId, name: actor.name, role: actor.role, jurisdiction: actor.jurisdiction },
        occurredAt: recordedAt,
        correlationId: `noc:${stream.slice(4)}`,
        causationId: 'cmd-1',
        policyVersion: DEFAULT_NOC_POLICY.version,
      },
      recordedAt,
      ...extra,
    };
    list.push(event);
    this.streams.set(stream, list);
    return event;
  }

  async readStream(stream: string): Promise<RecordedEvent[]> {
    return [...(this.streams.get(stream) ?? [])];
  }
}

export function registerRow(overrides: Partial<NocRegisterRow> & Pick<NocRegisterRow, 'nocId' | 'pseId'>): NocRegisterRow {
  return {
    jurisdiction: 'federal',
    deviation: 'on-premises-hosting',
    description: 'Keep the land records system on premises',
    dataClass: 'restricted',
    systems: ['land-records'],
    offeringId: null,
    requestedMonths: 6,
    status: 'requested',
    requestedBy: 'u-pse',
    requestedAt: '2026-01-05T10:00:00.000Z',
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
    updatedAt: '2026-01-05T10:00:00.000Z',
    revision: 0,
    ...overrides,
  };
}

/**
 * What an office built for a test of the routes needs beside its store and identity: the fake NOC
 * ports, a healthy health check, a silent logger, the default configuration over `dataDir`; `more`
 * adds to it or overrides it (audit sources, evidence, …).
 */
export function officeWithFakes(base: { dataDir: string; identity: Identity; eventStore: ApiDeps['eventStore'] }, more: Partial<ApiDeps> = {}): ApiDeps {
  return {
    config: { ...loadConfig({}), dataDir: base.dataDir },
    identity: base.identity,
    nocGateway: new FakeNocGateway(),
    nocQueries: new FakeNocQueries(),
    eventStore: base.eventStore,
    health: async () => ({ status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] }),
    logger: pino({ level: 'silent' }),
    ...more,
  };
}
