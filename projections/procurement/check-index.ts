import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { checkProcurement } from '../../domain/procurement/check';
import { NOC_DEVIATIONS_BEARING } from '../../domain/procurement/noc-coverage';
import type { NocFacts, OfferingFacts, ProcurementInput, ProcurementQuery } from '../../domain/procurement/facts';
import type { ProcurementAnswer } from '../../domain/procurement/answer';
import { entityAnswer, publicAnswer, type AnswerDetail } from '../../domain/procurement/public-answer';
import { toMillis } from '../../domain/shared/time';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import type { ReadModelDb } from '../db';
import { PROCUREMENT_FACTS } from './facts';

/**
 * The procurement check answered from memory, at a cost that does not grow with an entity's history
 * (SPEC §3.4: the hottest read). It gives exactly what `procurementInput`/`procurementCheck` read from
 * SQL (a property test holds the two equal), organised so that a question costs two binary searches:
 *
 * - per (entity, offering), a timeline of the instants where the check's input changes (a NOC version
 *   starts or ends, the offering gets a new version); between two of them the input is constant;
 * - within such a segment the answer depends on `at` only through comparisons with the instants the
 *   facts carry (validity ends, migration periods), and through `evaluatedAt`: the answer is computed
 *   once per (segment, sub-interval, data class) and reused with `evaluatedAt` put in, also as JSON.
 *
 * The read model belongs to the projector (another process, in production): before each question the
 * index asks SQLite whether anything was committed since (`PRAGMA data_version` for other connections,
 * `total_changes()` for this one) and, if so, drops only the entities and offerings whose versions
 * were appended since, and the entities of the versions those close (versions are appended, and
 * closing one always comes with its successor). `PRAGMA data_version` opens a read transaction (file
 * locks: system calls), the largest cost of a question once answers are cached; the API asks it at most
 * once per event-loop turn (`commitsSeen: 'every-turn'`), so the questions read in one turn are answered
 * from one snapshot and another process's commit is seen from the next turn. This connection's own
 * writes (`total_changes()`, no system call; not asked on a read-only connection) are seen at once either way.
 */

const NAMING: readonly string[] = NOC_DEVIATIONS_BEARING.namingTheOffering;
const UNNAMED: readonly string[] = NOC_DEVIATIONS_BEARING.namingNoOffering;
/** Past this many cached timelines or entities the caches start over: memory stays bounded. */
const MAX_CACHED = 20_000;

interface NocVersion {
  /** The row's place in the read model: orders versions of one NOC as the SQL read does. */
  seq: number;
  fromMs: number;
  toMs: number;
  facts: NocFacts;
}

interface OfferingVersion {
  fromMs: number;
  facts: OfferingFacts | undefined;
}

interface PseNocs {
  /** Versions of NOCs naming no offering whose deviation may bear on any offering. */
  unnamed: NocVersion[];
  /** Versions of NOCs naming an offering whose deviation may bear on it, by offering. */
  named: Map<string, NocVersion[]>;
}

interface CachedAnswer {
  answer: ProcurementAnswer;
  /** The answer as JSON around its `evaluatedAt` value, per detail. */
  json: Partial<Record<AnswerDetail, [string, string]>>;
}

interface Segment {
  nocs: NocFacts[];
  offering: OfferingFacts | undefined;
  /** Every instant in the facts that `at` is compared with, ascending. */
  thresholds: number[];
  /**
   * By data class, then by sub-interval (the index of the last threshold at or before `at`, plus one):
   * the answer, for the entity's jurisdiction when it was computed. Nested rather than keyed by a joined
   * string: building and hashing that string per question cost more than the rest of the lookup.
   */
  answers: Map<string, (JurisdictionAnswer | undefined)[]>;
}

interface JurisdictionAnswer {
  jurisdiction: Jurisdiction | undefined;
  cached: CachedAnswer;
}

interface Timeline {
  pse: PseNocs;
  offering: OfferingVersion[];
  /** Segment i holds over [starts[i], starts[i + 1]); starts[0] is -Infinity. */
  starts: number[];
  segments: (Segment | undefined)[];
}

/** The last index i with sorted[i] <= value, or -1. */
function lastAtOrBefore(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

const ascending = (a: number, b: number): number => a - b;
const distinctSorted = (values: number[]): number[] => [...new Set(values)].sort(ascending);

/** A value no answer can contain, standing for `evaluatedAt` while the JSON around it is cached. */
const EVALUATED_AT_MARK = `evaluated-at-${randomUUID()}`;
const EVALUATED_AT_JSON = JSON.stringify(EVALUATED_AT_MARK);

export interface CheckIndexOptions {
  /**
   * When SQLite is asked whether another connection committed: before every question (the default,
   * for callers that write and ask in one breath), or at most once per event-loop turn (the API).
   */
  commitsSeen?: 'every-question' | 'every-turn';
}

interface Statements {
  dataVersion: Database.Statement<[], number>;
  totalChanges: Database.Statement<[], number>;
  version: Database.Statement<[string], { version: number }>;
  maxNocSeq: Database.Statement<[], { seq: number | null }>;
  nocsSince: Database.Statement<[number], { seq: number; noc_id: string }>;
  entitiesOfNoc: Database.Statement<[string], { pse_id: string }>;
  maxOfferingSeq: Database.Statement<[], { seq: number | null }>;
  offeringsSince: Database.Statement<[number], { seq: number; offering_id: string }>;
  pseNocs: Database.Statement<[string], { seq: number; offering_id: string | null; from_ms: number; to_ms: number; facts: string }>;
  offering: Database.Statement<[string], { from_ms: number; facts: string | null }>;
  pse: Database.Statement<[string], { jurisdiction: Jurisdiction }>;
}

export class ProcurementCheckIndex {
  private readonly s: Statements;
  private readonly perTurn: boolean;
  private readonly readonly: boolean;
  /** Whether `PRAGMA data_version` was read in the current event-loop turn (when asked once per turn). */
  private versionReadThisTurn = false;
  private seen: { v: number; t: number } | undefined;
  private projectionVersion: number | undefined;
  private nocSeq = 0;
  private offeringSeq = 0;
  private readonly pses = new Map<string, PseNocs>();
  private readonly offerings = new Map<string, OfferingVersion[]>();
  private readonly jurisdictions = new Map<string, Jurisdiction | undefined>();
  /** By entity, then by offering. */
  private readonly timelines = new Map<string, Map<string, Timeline>>();
  private timelineCount = 0;
  /** The last instant written out: many questions in a row ask about the same one ("now", or an `at`). */
  private written = { at: '', iso: '' };

  constructor(db: ReadModelDb, options: CheckIndexOptions = {}) {
    this.perTurn = options.commitsSeen === 'every-turn';
    this.readonly = db.readonly;
    this.s = {
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      totalChanges: db.prepare<[], number>('SELECT total_changes()').pluck(),
      version: db.prepare('SELECT version FROM projection_checkpoints WHERE name = ?'),
      maxNocSeq: db.prepare('SELECT max(seq) AS seq FROM pf_noc_versions'),
      nocsSince: db.prepare('SELECT seq, noc_id FROM pf_noc_versions WHERE seq > ? ORDER BY seq'),
      entitiesOfNoc: db.prepare('SELECT DISTINCT pse_id FROM pf_noc_versions WHERE noc_id = ?'),
      maxOfferingSeq: db.prepare('SELECT max(seq) AS seq FROM pf_offering_versions'),
      offeringsSince: db.prepare('SELECT seq, offering_id FROM pf_offering_versions WHERE seq > ? ORDER BY seq'),
      pseNocs: db.prepare('SELECT seq, offering_id, from_ms, to_ms, facts FROM pf_noc_versions WHERE pse_id = ? AND to_ms > from_ms'),
      offering: db.prepare('SELECT from_ms, facts FROM pf_offering_versions WHERE offering_id = ? ORDER BY from_ms, seq'),
      pse: db.prepare('SELECT jurisdiction FROM pf_pses WHERE pse_id = ?'),
    };
  }

  /** The check's input as the read model has it at `at`: equal to `procurementInput`'s. */
  input(query: Pick<ProcurementQuery, 'pse' | 'offering' | 'dataClass'>, at: string): ProcurementInput {
    this.refresh();
    const segment = this.segment(query.pse, query.offering, toMillis(at));
    return this.inputOf(query, segment);
  }

  /**
   * "May `pse` put `dataClass` data on `offering` at `at` (default: now)?": equal to `procurementCheck`'s.
   * Its reasons are shared with every answer of the same sub-interval: read them, never change them.
   */
  answer(query: ProcurementQuery, now: string): ProcurementAnswer {
    const evaluatedAt = query.at ?? now;
    const cached = this.cached(query, evaluatedAt);
    return { ...cached.answer, evaluatedAt: this.writtenInstant(evaluatedAt) };
  }

  /** The answer as the HTTP API sends it (`publicAnswer` or `entityAnswer`), already serialised. */
  answerJson(query: ProcurementQuery, now: string, detail: AnswerDetail): string {
    const at = query.at ?? now;
    const cached = this.cached(query, at);
    let parts = cached.json[detail];
    if (parts === undefined) {
      const marked = { ...cached.answer, evaluatedAt: EVALUATED_AT_MARK };
      const json = JSON.stringify(detail === 'public' ? publicAnswer(marked) : entityAnswer(marked));
      const cut = json.indexOf(EVALUATED_AT_JSON);
      parts = [json.slice(0, cut), json.slice(cut + EVALUATED_AT_JSON.length)];
      cached.json[detail] = parts;
    }
    return `${parts[0]}"${this.writtenInstant(at)}"${parts[1]}`;
  }

  /** `at` as `toISOString` writes it (milliseconds, UTC, `Z`). */
  private writtenInstant(at: string): string {
    if (at !== this.written.at) this.written = { at, iso: new Date(toMillis(at)).toISOString() };
    return this.written.iso;
  }

  private cached(query: ProcurementQuery, at: string): CachedAnswer {
    this.refresh();
    const atMs = toMillis(at);
    const segment = this.segment(query.pse, query.offering, atMs);
    const jurisdiction = this.jurisdiction(query.pse);
    // Within one sub-interval every comparison the check makes with `at` comes out the same.
    const sub = lastAtOrBefore(segment.thresholds, atMs) + 1;
    let byInterval = segment.answers.get(query.dataClass);
    if (byInterval === undefined) {
      byInterval = [];
      segment.answers.set(query.dataClass, byInterval);
    }
    const held = byInterval[sub];
    // The register may have moved the entity since: then the answer is computed again.
    if (held !== undefined && held.jurisdiction === jurisdiction) return held.cached;
    const cached = { answer: checkProcurement(this.inputOf(query, segment), at), json: {} };
    byInterval[sub] = { jurisdiction, cached };
    return cached;
  }

  private inputOf(query: Pick<ProcurementQuery, 'pse' | 'offering' | 'dataClass'>, segment: Segment): ProcurementInput {
    const jurisdiction = this.jurisdiction(query.pse);
    const input: ProcurementInput = {
      pse: jurisdiction === undefined ? { pseId: query.pse } : { pseId: query.pse, jurisdiction },
      dataClass: query.dataClass,
      offeringId: query.offering,
      nocs: segment.nocs,
    };
    if (segment.offering !== undefined) input.offering = segment.offering;
    return input;
  }

  /** Drops what the projector changed since the last question; nothing when nothing was committed. */
  private refresh(): void {
    const v = this.dataVersion();
    // A read-only connection (the API's) makes no changes of its own: no statement needed to ask.
    const t = this.readonly ? 0 : (this.s.totalChanges.get() as number);
    if (this.seen !== undefined && this.seen.v === v && this.seen.t === t) return;
    this.seen = { v, t };
    this.jurisdictions.clear();
    const version = this.s.version.get(PROCUREMENT_FACTS)?.version;
    const maxNoc = this.s.maxNocSeq.get()?.seq ?? 0;
    const maxOffering = this.s.maxOfferingSeq.get()?.seq ?? 0;
    // A rebuilt read model (a new projection version, or tables started over) shares nothing with what is held.
    if (version !== this.projectionVersion || maxNoc < this.nocSeq || maxOffering < this.offeringSeq) {
      this.projectionVersion = version;
      this.pses.clear();
      this.offerings.clear();
      this.timelines.clear();
      this.timelineCount = 0;
      this.nocSeq = maxNoc;
      this.offeringSeq = maxOffering;
      return;
    }
    const nocs = new Set<string>();
    for (const row of this.s.nocsSince.all(this.nocSeq)) {
      nocs.add(row.noc_id);
      this.nocSeq = row.seq;
    }
    // The version a new one closed is dropped with it, whichever entity it named.
    for (const nocId of nocs) for (const row of this.s.entitiesOfNoc.all(nocId)) this.pses.delete(row.pse_id);
    for (const row of this.s.offeringsSince.all(this.offeringSeq)) {
      this.offerings.delete(row.offering_id);
      this.offeringSeq = row.seq;
    }
  }

  /** Other connections' commits: read from SQLite, or as read earlier in this event-loop turn. */
  private dataVersion(): number {
    if (this.perTurn && this.versionReadThisTurn && this.seen !== undefined) return this.seen.v;
    const version = this.s.dataVersion.get() as number;
    if (this.perTurn && !this.versionReadThisTurn) {
      this.versionReadThisTurn = true;
      setImmediate(() => {
        this.versionReadThisTurn = false;
      });
    }
    return version;
  }

  private jurisdiction(pseId: string): Jurisdiction | undefined {
    if (this.jurisdictions.has(pseId)) return this.jurisdictions.get(pseId);
    if (this.jurisdictions.size >= MAX_CACHED) this.jurisdictions.clear();
    const jurisdiction = this.s.pse.get(pseId)?.jurisdiction;
    this.jurisdictions.set(pseId, jurisdiction);
    return jurisdiction;
  }

  private pseNocs(pseId: string): PseNocs {
    let nocs = this.pses.get(pseId);
    if (nocs !== undefined) return nocs;
    nocs = { unnamed: [], named: new Map() };
    for (const row of this.s.pseNocs.all(pseId)) {
      const facts = JSON.parse(row.facts) as NocFacts;
      const version = { seq: row.seq, fromMs: row.from_ms, toMs: row.to_ms, facts };
      if (row.offering_id === null) {
        if (UNNAMED.includes(facts.deviation)) nocs.unnamed.push(version);
      } else if (NAMING.includes(facts.deviation)) {
        const list = nocs.named.get(row.offering_id);
        if (list === undefined) nocs.named.set(row.offering_id, [version]);
        else list.push(version);
      }
    }
    if (this.pses.size >= MAX_CACHED) this.pses.clear();
    this.pses.set(pseId, nocs);
    return nocs;
  }

  private offeringVersions(offeringId: string): OfferingVersion[] {
    let versions = this.offerings.get(offeringId);
    if (versions !== undefined) return versions;
    versions = this.s.offering.all(offeringId).map((row) => ({
      fromMs: row.from_ms,
      facts: row.facts === null ? undefined : (JSON.parse(row.facts) as OfferingFacts),
    }));
    if (this.offerings.size >= MAX_CACHED) this.offerings.clear();
    this.offerings.set(offeringId, versions);
    return versions;
  }

  private segment(pseId: string, offeringId: string, atMs: number): Segment {
    const pse = this.pseNocs(pseId);
    const offering = this.offeringVersions(offeringId);
    let ofPse = this.timelines.get(pseId);
    if (ofPse === undefined) {
      ofPse = new Map();
      this.timelines.set(pseId, ofPse);
    }
    let timeline = ofPse.get(offeringId);
    // A timeline built from entries since dropped is stale.
    if (timeline === undefined || timeline.pse !== pse || timeline.offering !== offering) {
      const named = pse.named.get(offeringId) ?? [];
      const starts = distinctSorted([
        ...offering.map((v) => v.fromMs),
        ...named.flatMap((v) => [v.fromMs, v.toMs]),
        ...pse.unnamed.flatMap((v) => [v.fromMs, v.toMs]),
      ]);
      timeline = { pse, offering, starts: [Number.NEGATIVE_INFINITY, ...starts], segments: [] };
      if (this.timelineCount >= MAX_CACHED) {
        this.timelines.clear();
        this.timelineCount = 0;
        ofPse = new Map();
        this.timelines.set(pseId, ofPse);
      }
      if (!ofPse.has(offeringId)) this.timelineCount++;
      ofPse.set(offeringId, timeline);
    }
    const i = lastAtOrBefore(timeline.starts, atMs);
    return (timeline.segments[i] ??= buildSegment(timeline, offeringId, timeline.starts[i] as number));
  }
}

/** What the check reads at any instant of the segment starting at `start`. */
function buildSegment(timeline: Timeline, offeringId: string, start: number): Segment {
  const inForce = (v: NocVersion): boolean => v.fromMs <= start && v.toMs > start;
  const nocs = [...(timeline.pse.named.get(offeringId) ?? []).filter(inForce), ...timeline.pse.unnamed.filter(inForce)]
    // By NOC id, then by version, as the SQL read orders them: versions of one NOC in force together
    // never occur in a real log, whose times only go forward, but the order is fixed all the same.
    .sort((a, b) => (a.facts.nocId < b.facts.nocId ? -1 : a.facts.nocId > b.facts.nocId ? 1 : a.seq - b.seq))
    .map((v) => v.facts);
  const versionAt = lastAtOrBefore(
    timeline.offering.map((v) => v.fromMs),
    start,
  );
  const offering = versionAt < 0 ? undefined : timeline.offering[versionAt]?.facts;
  const instants: (string | undefined)[] = nocs.flatMap((n) => [n.validFrom, n.validUntil]);
  const acc = offering?.accreditation;
  if (acc !== undefined) instants.push(acc.validFrom, acc.validUntil, acc.transitionUntil);
  const thresholds = distinctSorted(instants.filter((i): i is string => i !== undefined).map(toMillis));
  return { nocs, offering, thresholds, answers: new Map() };
}
