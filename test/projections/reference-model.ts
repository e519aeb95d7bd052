import type { RecordedEvent } from '../../eventstore/port';

/**
 * A small reference model of what the office says, written from the README's rules ("The rules the
 * office applies") and the event log alone: a fold over plain objects, sharing no code with the
 * projections or the procurement rules. The model-based tests compare it with the read models.
 *
 * What it models, for `public` and `restricted` data (the hosting rules: a registered CSP's offering,
 * accredited for the data class or higher; restricted data also on a government cloud accredited at
 * the intermediate baseline or higher, with every data centre in Pakistan):
 *   - the accredited list: every offering not retired whose latest grant is accredited or suspended;
 *   - the procurement check: allowed while that accreditation is accredited, within its validity, and
 *     meets the rule; otherwise allowed by NOC when only the offering's standing fails (not where its
 *     data centres are) and an approved `non-accredited-offering` NOC of the entity naming the offering,
 *     for the data class or higher, is in force; otherwise denied;
 *   - the adoption buckets, in this order: non-compliant when still open on the offering at the end of
 *     a migration period (whenever recorded); migrating when open on it when its accreditation ended;
 *     on an accredited offering when recorded as allowed; under NOC while the NOC it was recorded under
 *     is in force; otherwise non-compliant; and the NOCs in force, and those of them expiring soon.
 * Instants: an event counts from its `occurredAt` on (an event at exactly T is part of the state at T);
 * validity periods are half-open, [from, until).
 */

type AccStatus = 'accredited' | 'suspended' | 'revoked' | 'expired' | 'withdrawn';
export type ModelDecision = 'allowed' | 'allowed-by-noc' | 'denied';
export type ModelBucket = 'accredited' | 'noc' | 'migrating' | 'non-compliant';

interface Application {
  applicationId: string;
  cspId: string;
  offeringId: string;
  granted: boolean;
  status?: AccStatus;
  highestDataClass?: string;
  baseline?: string;
  validFrom?: number;
  validUntil?: number;
}

interface Noc {
  nocId: string;
  pseId: string;
  deviation: string;
  offeringId?: string;
  dataClass: string;
  validFrom?: number;
  validUntil?: number;
  /** Revoked, withdrawn or expired at this instant. */
  endedAt?: number;
}

interface Workload {
  pseId: string;
  procurementId: string;
  offeringId: string;
  decision: string;
  nocId?: string;
  recordedAt: number;
  endedAt?: number;
}

/** An accreditation that ended with a migration period. */
interface Ending {
  offeringId: string;
  at: number;
  transitionUntil: number;
}

export interface ModelState {
  cspsRegistered: Set<string>;
  offerings: Map<string, { cspId: string; retired: boolean; government: boolean; allInPakistan: boolean }>;
  applications: Map<string, Application>;
  /** The application whose grant holds each offering's public entry: the latest granted. */
  holder: Map<string, string>;
  nocs: Map<string, Noc>;
  workloads: Map<string, Workload>;
  endings: Ending[];
}

const ms = (iso: string): number => Date.parse(iso);
const CLASSES = ['open', 'public', 'restricted', 'confidential', 'secret'];
const covers = (have: string, need: string): boolean => CLASSES.indexOf(have) >= CLASSES.indexOf(need);
const BASELINES = ['baseline', 'intermediate', 'enhanced', 'highest'];
export type ModelDataClass = 'public' | 'restricted';

/** The state the events that occurred at or before `at` give, in log order. */
export function modelAt(events: readonly RecordedEvent[], at: number): ModelState {
  const s: ModelState = {
    cspsRegistered: new Set(),
    offerings: new Map(),
    applications: new Map(),
    holder: new Map(),
    nocs: new Map(),
    workloads: new Map(),
    endings: [],
  };
  for (const e of events) {
    const when = ms(e.metadata.occurredAt);
    if (when > at) continue;
    const d = e.data as Record<string, unknown>;
    // Every stream is `<category>-<id>`; the id names the application, NOC or entity.
    const id = e.stream.slice(e.stream.indexOf('-') + 1);
    switch (e.type) {
      case 'CspRegistered':
        s.cspsRegistered.add(d.cspId as string);
        break;
      case 'OfferingAdded': {
        const centres = d.dataCentres as { country: string }[];
        s.offerings.set(d.offeringId as string, {
          cspId: id,
          retired: false,
          government: d.deploymentModel === 'government',
          allInPakistan: centres.length > 0 && centres.every((c) => c.country.toUpperCase() === 'PK'),
        });
        break;
      }
      case 'OfferingRetired': {
        const o = s.offerings.get(d.offeringId as string);
        if (o) o.retired = true;
        break;
      }
      case 'AccreditationSubmitted': {
        const offering = d.offering as { offeringId: string };
        s.applications.set(id, { applicationId: id, cspId: d.cspId as string, offeringId: offering.offeringId, granted: false });
        break;
      }
      case 'AccreditationGranted': {
        const a = s.applications.get(id);
        if (!a) break;
        Object.assign(a, {
          granted: true,
          status: 'accredited',
          highestDataClass: d.highestDataClass,
          baseline: d.baseline,
          validFrom: ms(d.validFrom as string),
          validUntil: ms(d.validUntil as string),
        });
        s.holder.set(a.offeringId, id);
        break;
      }
      case 'AccreditationRenewed': {
        const a = s.applications.get(id);
        if (a?.granted) a.validUntil = ms(d.validUntil as string);
        break;
      }
      case 'AccreditationSuspended':
      case 'AccreditationReinstated':
      case 'AccreditationRevoked':
      case 'AccreditationWithdrawn':
      case 'AccreditationExpired': {
        const a = s.applications.get(id);
        if (!a?.granted) break;
        const to: AccStatus = {
          AccreditationSuspended: 'suspended',
          AccreditationReinstated: 'accredited',
          AccreditationRevoked: 'revoked',
          AccreditationWithdrawn: 'withdrawn',
          AccreditationExpired: 'expired',
        }[e.type] as AccStatus;
        a.status = to;
        if (typeof d.transitionUntil === 'string' && s.holder.get(a.offeringId) === id) {
          s.endings.push({ offeringId: a.offeringId, at: when, transitionUntil: ms(d.transitionUntil) });
        }
        break;
      }
      case 'NocRequested':
        s.nocs.set(id, {
          nocId: id,
          pseId: d.pseId as string,
          deviation: d.deviation as string,
          ...(typeof d.offeringId === 'string' ? { offeringId: d.offeringId } : {}),
          dataClass: d.dataClass as string,
        });
        break;
      case 'NocApproved': {
        const n = s.nocs.get(id);
        if (n) Object.assign(n, { validFrom: ms(d.validFrom as string), validUntil: ms(d.validUntil as string) });
        break;
      }
      case 'NocExtensionApproved': {
        const n = s.nocs.get(id);
        if (n) n.validUntil = ms(d.validUntil as string);
        break;
      }
      case 'NocRevoked':
      case 'NocWithdrawn':
      case 'NocExpired': {
        const n = s.nocs.get(id);
        if (n && n.endedAt === undefined) n.endedAt = when;
        break;
      }
      case 'ProcurementRecorded': {
        const check = d.check as { decision: string; noc?: { nocId: string } };
        s.workloads.set(`${id}/${d.procurementId as string}`, {
          pseId: id,
          procurementId: d.procurementId as string,
          offeringId: d.offeringId as string,
          decision: check.decision,
          ...(check.noc ? { nocId: check.noc.nocId } : {}),
          recordedAt: ms(d.recordedAt as string),
        });
        break;
      }
      case 'ProcurementEnded': {
        const w = s.workloads.get(`${id}/${d.procurementId as string}`);
        if (w) w.endedAt = ms(d.endedAt as string);
        break;
      }
      default:
        break;
    }
  }
  return s;
}

/** The accredited list at `at`: offering → status, for the offerings whose holding grant is held. */
export function modelList(s: ModelState): { offeringId: string; applicationId: string; status: AccStatus }[] {
  const rows: { offeringId: string; applicationId: string; status: AccStatus }[] = [];
  for (const [offeringId, applicationId] of s.holder) {
    const a = s.applications.get(applicationId);
    const offering = s.offerings.get(offeringId);
    if (!a?.status || offering?.retired) continue;
    if (a.status === 'accredited' || a.status === 'suspended') rows.push({ offeringId, applicationId, status: a.status });
  }
  return rows.sort((x, y) => x.offeringId.localeCompare(y.offeringId));
}

function nocInForce(n: Noc | undefined, at: number): boolean {
  return (
    n !== undefined &&
    n.validFrom !== undefined &&
    n.validUntil !== undefined &&
    n.validFrom <= at &&
    at < n.validUntil &&
    (n.endedAt === undefined || at < n.endedAt)
  );
}

/** "May `pseId` put `dataClass` data on `offeringId` at `at`?" — the state must be the one at `at`. */
export function modelCheck(s: ModelState, pseId: string, offeringId: string, at: number, dataClass: ModelDataClass = 'public'): ModelDecision {
  const offering = s.offerings.get(offeringId);
  const known = offering !== undefined && !offering.retired;
  const holder = s.holder.get(offeringId);
  const a = holder === undefined ? undefined : s.applications.get(holder);
  const restricted = dataClass === 'restricted';
  const standing =
    known &&
    s.cspsRegistered.has(offering.cspId) &&
    a !== undefined &&
    a.status === 'accredited' &&
    a.validFrom !== undefined &&
    a.validUntil !== undefined &&
    a.validFrom <= at &&
    at < a.validUntil &&
    covers(a.highestDataClass ?? 'open', dataClass) &&
    (!restricted || (BASELINES.indexOf(a.baseline ?? '') >= BASELINES.indexOf('intermediate') && offering.government));
  // Where the data centres are is asked only of an offering on the register.
  const placed = !restricted || !known || offering.allInPakistan;
  if (standing && placed) return 'allowed';
  if (!placed) return 'denied';
  return coveringNocs(s, pseId, offeringId, at, dataClass).length > 0 ? 'allowed-by-noc' : 'denied';
}

/** The entity's NOCs in force at `at` that excuse an offering's standing for `dataClass` data. */
export function coveringNocs(s: ModelState, pseId: string, offeringId: string, at: number, dataClass: ModelDataClass = 'public'): { nocId: string; validUntil: number }[] {
  return [...s.nocs.values()]
    .filter((n) => n.pseId === pseId && n.deviation === 'non-accredited-offering' && n.offeringId === offeringId && covers(n.dataClass, dataClass) && nocInForce(n, at))
    .map((n) => ({ nocId: n.nocId, validUntil: n.validUntil as number }));
}

/** NOCs in force at `at`, and how many of those run out within `days` days (at or before the horizon). */
export function modelNocFigures(s: ModelState, at: number, days: number): { active: number; expiring: number } {
  const horizon = at + days * 86_400_000;
  const inForce = [...s.nocs.values()].filter((n) => nocInForce(n, at));
  return { active: inForce.length, expiring: inForce.filter((n) => (n.validUntil as number) <= horizon).length };
}

const isOpen = (w: Workload, at: number): boolean => w.recordedAt <= at && (w.endedAt === undefined || at < w.endedAt);

/** Each workload open at `at` with its one bucket, by entity and procurement. */
export function modelBuckets(s: ModelState, at: number): { pseId: string; procurementId: string; bucket: ModelBucket }[] {
  const rows: { pseId: string; procurementId: string; bucket: ModelBucket }[] = [];
  for (const w of s.workloads.values()) {
    if (isOpen(w, at)) rows.push({ pseId: w.pseId, procurementId: w.procurementId, bucket: bucketOf(s, w, at) });
  }
  const key = (r: { pseId: string; procurementId: string }): string => `${r.pseId}/${r.procurementId}`;
  return rows.sort((x, y) => key(x).localeCompare(key(y)));
}

function bucketOf(s: ModelState, w: Workload, at: number): ModelBucket {
  const endings = s.endings.filter((e) => e.offeringId === w.offeringId);
  // At the migration deadline every workload still open on the offering is flagged, whenever recorded.
  if (endings.some((e) => e.transitionUntil <= at && isOpen(w, e.transitionUntil))) return 'non-compliant';
  // Told of the ending: open on the offering when its accreditation ended.
  if (endings.some((e) => e.at <= at && isOpen(w, e.at))) return 'migrating';
  return standing(s, w, at);
}

function standing(s: ModelState, w: Workload, at: number): ModelBucket {
  if (w.decision === 'allowed') return 'accredited';
  const noc = w.nocId === undefined ? undefined : s.nocs.get(w.nocId);
  return nocInForce(noc, at) ? 'noc' : 'non-compliant';
}
