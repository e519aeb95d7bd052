/**
 * Realistic NOC histories for benchmarks: every event comes out of the real NOC decider, wrapped by
 * the same envelope code the worker uses, so a projection fed with them sees what production writes.
 */
import { buildCaseEvents } from '../activities/event-activities';
import type { NocCommand } from '../domain/noc/commands';
import { decideNoc } from '../domain/noc/decide';
import { DEVIATION_KINDS } from '../domain/noc/events';
import { evolveNoc } from '../domain/noc/evolve';
import { DEFAULT_NOC_POLICY, type NocPolicy } from '../domain/noc/policy';
import type { NocState } from '../domain/noc/state';
import { SYSTEM_ACTOR, type Actor } from '../domain/shared/actor';
import { addDays, toMillis } from '../domain/shared/time';
import { JURISDICTIONS, type DataClass, type Jurisdiction } from '../domain/shared/vocabulary';
import { streamName } from '../eventstore/envelope';
import type { EventStore, EventToAppend, Position } from '../eventstore/port';
import { nocWorkflowId } from '../workflows/noc/messages';

/** A small, seeded PRNG (mulberry32): the same seed always yields the same histories. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYSTEMS = ['payroll', 'land-records', 'e-procurement', 'citizen-portal', 'tax-filing', 'health-records', 'vehicle-registration', 'pension'];
const DATA_CLASSES_USED: DataClass[] = ['public', 'restricted', 'confidential'];
const PSES_PER_JURISDICTION = 8;

interface People {
  pses: Actor[];
  reviewers: Actor[];
  directors: Actor[];
  officers: Record<Jurisdiction, Actor[]>;
}

function people(): People {
  const pses = JURISDICTIONS.flatMap((j) =>
    Array.from({ length: PSES_PER_JURISDICTION }, (_, i): Actor => ({
      userId: `u-pse-${j}-${i}`,
      name: `PSE officer ${i} (${j})`,
      role: 'pse',
      jurisdiction: j,
      organisationId: `pse-${j}-${i}`,
    })),
  );
  const staff = (role: 'reviewer' | 'director', n: number): Actor[] =>
    Array.from({ length: n }, (_, i) => ({ userId: `u-${role}-${i}`, name: `${role} ${i}`, role, jurisdiction: 'federal' }));
  const officers = Object.fromEntries(
    JURISDICTIONS.map((j) => [
      j,
      Array.from({ length: 3 }, (_, i): Actor => ({ userId: `u-officer-${j}-${i}`, name: `Officer ${i} (${j})`, role: 'provincial-officer', jurisdiction: j })),
    ]),
  ) as Record<Jurisdiction, Actor[]>;
  return { pses, reviewers: staff('reviewer', 6), directors: staff('director', 3), officers };
}

/** One NOC's whole history, built command by command through the decider. */
class NocHistory {
  private state: NocState = { status: 'none' };
  private revision = -1;
  private step = 0;
  readonly events: EventToAppend[] = [];
  now: string;

  constructor(
    readonly nocId: string,
    startedAt: string,
    private readonly policy: NocPolicy,
  ) {
    this.now = startedAt;
  }

  get stream(): string {
    return streamName('noc', this.nocId);
  }

  get current(): NocState {
    return this.state;
  }

  at(iso: string): this {
    if (toMillis(iso) > toMillis(this.now)) this.now = iso;
    return this;
  }

  later(days: number): this {
    this.now = addDays(this.now, days);
    return this;
  }

  run(command: NocCommand): void {
    const decided = decideNoc(command, this.state, { now: this.now, policy: this.policy });
    this.step += 1;
    this.events.push(
      ...buildCaseEvents({
        stream: this.stream,
        expectedRevision: this.revision,
        events: decided,
        actor: command.actor,
        occurredAt: this.now,
        correlationId: nocWorkflowId(this.nocId),
        causationId: `${command.type}-${this.nocId}-${this.step}`,
        policyVersion: this.policy.version,
      }),
    );
    this.state = decided.reduce(evolveNoc, this.state);
    this.revision += decided.length;
  }
}

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;

/**
 * A plausible path through the NOC process: review, sometimes a request for information (which may
 * lapse), a recommendation, a decision by someone else, then for approved NOCs reminders, sometimes an
 * extension, and an expiry, a revocation or a withdrawal.
 */
function buildHistory(index: number, r: () => number, who: People, policy: NocPolicy, epoch: string): NocHistory {
  const pseActor = pick(r, who.pses);
  const jurisdiction = pseActor.jurisdiction;
  const federal = jurisdiction === 'federal';
  const reviewers = federal ? who.reviewers : who.officers[jurisdiction];
  const reviewer = pick(r, reviewers);
  const deciders = federal ? who.directors : who.officers[jurisdiction].filter((o) => o.userId !== reviewer.userId);
  const decider = pick(r, deciders);
  const nocId = `NOC-${String(index).padStart(7, '0')}`;
  // Cases start about every 20 minutes over the years the log covers.
  const h = new NocHistory(nocId, new Date(toMillis(epoch) + index * 20 * 60_000).toISOString(), policy);
  const months = 3 + Math.floor(r() * (policy.maxMonths - 2));

  h.run({
    type: 'RequestNoc',
    actor: pseActor,
    data: {
      nocId,
      pseId: pseActor.organisationId as string,
      jurisdiction,
      deviation: pick(r, DEVIATION_KINDS),
      description: `Keep the ${pick(r, SYSTEMS)} system where it is while the migration to an accredited cloud is planned`,
      justification: 'The accredited offering cannot take this workload before the next budget year; the current hosting is audited.',
      dataClass: pick(r, DATA_CLASSES_USED),
      systems: [pick(r, SYSTEMS), ...(r() < 0.4 ? [pick(r, SYSTEMS)] : [])],
      requestedMonths: months,
    },
  });
  if (r() < 0.04) {
    h.later(2).run({ type: 'Withdraw', actor: pseActor, data: { reason: 'The system was moved to an accredited offering' } });
    return h;
  }
  h.later(1 + Math.floor(r() * 3)).run({ type: 'StartReview', actor: reviewer, data: {} });
  if (r() < 0.25) {
    h.later(2).run({ type: 'RequestInformation', actor: reviewer, data: { questions: 'Which data of the system is restricted, and where is it backed up?' } });
    const current = h.current;
    if (r() < 0.15 && current.status === 'awaiting-pse') {
      h.at(addDays(current.informationDueBy as string, 0.01)).run({ type: 'Lapse', actor: SYSTEM_ACTOR, data: {} });
      return h;
    }
    h.later(5).run({ type: 'ProvideInformation', actor: pseActor, data: { answer: 'Citizen records are restricted; nightly backups stay in the same data centre.' } });
  }
  const approve = r() < 0.8;
  h.later(3).run({
    type: 'Recommend',
    actor: reviewer,
    data: {
      recommendation: approve ? 'approve' : 'reject',
      reasons: approve ? 'The justification holds and the risk is contained' : 'An accredited offering can host this today',
      conditions: approve && r() < 0.5 ? ['Quarterly progress report on the migration'] : [],
    },
  });
  const decision = r() < 0.92 ? approve : !approve;
  h.later(2).run({
    type: 'Decide',
    actor: decider,
    data: { decision: decision ? 'approve' : 'reject', reasons: decision ? 'Approved as recommended' : 'Not justified' },
  });
  if (!decision) return h;

  const validUntil = (): string => {
    const s = h.current;
    return s.status === 'none' ? h.now : (s.validUntil as string);
  };
  if (r() < 0.08) {
    h.later(20).run({ type: 'Revoke', actor: decider, data: { reasons: 'The conditions were not met' } });
    return h;
  }
  h.at(addDays(validUntil(), -30)).run({ type: 'RecordExpiryReminder', actor: SYSTEM_ACTOR, data: { daysBefore: 30 } });
  if (r() < 0.2) {
    h.later(10).run({
      type: 'RequestExtension',
      actor: pseActor,
      data: { months: 1 + Math.floor(r() * policy.maxExtensionMonths), justification: 'The migration slipped by a quarter' },
    });
    const granted = r() < 0.75;
    h.later(3).run({
      type: 'DecideExtension',
      actor: decider,
      data: { decision: granted ? 'approve' : 'reject', reasons: granted ? 'A short extension is reasonable' : 'No further delay' },
    });
    if (granted) h.at(addDays(validUntil(), -30)).run({ type: 'RecordExpiryReminder', actor: SYSTEM_ACTOR, data: { daysBefore: 30 } });
  }
  h.at(addDays(validUntil(), -7)).run({ type: 'RecordExpiryReminder', actor: SYSTEM_ACTOR, data: { daysBefore: 7 } });
  if (r() < 0.05) {
    h.later(1).run({ type: 'Withdraw', actor: pseActor, data: { reason: 'No longer needed' } });
    return h;
  }
  h.at(validUntil()).run({ type: 'Expire', actor: SYSTEM_ACTOR, data: {} });
  return h;
}

export interface NocHistoryBatch {
  stream: string;
  events: EventToAppend[];
}

/**
 * NOC histories, one stream each, until `count` events in all (the last history is cut short, which is
 * still a valid history: every prefix of one is).
 */
export function* generateNocHistories(
  count: number,
  options: { seed?: number; policy?: NocPolicy; epoch?: string; firstIndex?: number } = {},
): Generator<NocHistoryBatch> {
  const r = prng(options.seed ?? 20260101);
  const who = people();
  const policy = options.policy ?? DEFAULT_NOC_POLICY;
  const epoch = options.epoch ?? '2023-01-01T00:00:00.000Z';
  let left = count;
  for (let i = options.firstIndex ?? 0; left > 0; i++) {
    const h = buildHistory(i, r, who, policy, epoch);
    const events = h.events.length > left ? h.events.slice(0, left) : h.events;
    left -= events.length;
    yield { stream: h.stream, events };
  }
}

export interface FillResult {
  events: number;
  streams: number;
  head: Position;
  millis: number;
}

/**
 * Appends `count` NOC events to the store, one transaction per NOC history (about seven events). For
 * speed open the store with synchronous 'OFF' or 'NORMAL': 200 000 events (about 30 000 NOCs) then take
 * about ten seconds on two cores.
 */
export async function fillStoreWithNocEvents(store: EventStore, count: number, options: { seed?: number } = {}): Promise<FillResult> {
  const started = performance.now();
  let events = 0;
  let streams = 0;
  for (const batch of generateNocHistories(count, options)) {
    await store.append(batch.stream, batch.events, 'no-stream');
    events += batch.events.length;
    streams += 1;
  }
  return { events, streams, head: await store.headPosition(), millis: performance.now() - started };
}

/**
 * An entity that has asked for the same exemption again and again: `count` NOCs naming `offeringId`
 * (non-accredited-offering, public data), one every 40 days, each approved for a month and expired, up
 * to the last, approved about five weeks before `now` for six months and in force. What grows with an
 * entity's NOC history is then the history alone: the answer now (and at any one instant) stays the same.
 */
export function renewedNocChain(pseId: string, offeringId: string, count: number, now: string): NocHistoryBatch[] {
  const officer: Actor = { userId: `u-${pseId}`, name: `Officer of ${pseId}`, role: 'pse', jurisdiction: 'federal', organisationId: pseId };
  const reviewer: Actor = { userId: 'u-reviewer-chain', name: 'Chain reviewer', role: 'reviewer', jurisdiction: 'federal' };
  const director: Actor = { userId: 'u-director-chain', name: 'Chain director', role: 'director', jurisdiction: 'federal' };
  const first = addDays(now, -40 * count);
  return Array.from({ length: count }, (_, k) => {
    const last = k === count - 1;
    const nocId = `NOC-${pseId}-${String(k).padStart(4, '0')}`;
    const h = new NocHistory(nocId, addDays(first, 40 * k), DEFAULT_NOC_POLICY);
    h.run({
      type: 'RequestNoc',
      actor: officer,
      data: {
        nocId,
        pseId,
        jurisdiction: 'federal',
        deviation: 'non-accredited-offering',
        offeringId,
        description: 'Keep the e-procurement system on this offering while its accreditation is restored',
        justification: 'Moving it before the next budget year would stop tendering for a quarter.',
        dataClass: 'public',
        systems: ['e-procurement'],
        requestedMonths: last ? 6 : 1,
      },
    });
    h.later(1).run({ type: 'StartReview', actor: reviewer, data: {} });
    h.later(1).run({ type: 'Recommend', actor: reviewer, data: { recommendation: 'approve', reasons: 'The risk is contained', conditions: [] } });
    h.later(1).run({ type: 'Decide', actor: director, data: { decision: 'approve', reasons: 'Approved as recommended' } });
    const s = h.current;
    if (!last && s.status !== 'none') h.at(s.validUntil as string).run({ type: 'Expire', actor: SYSTEM_ACTOR, data: {} });
    return { stream: h.stream, events: h.events };
  });
}
