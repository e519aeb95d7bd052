import type { ApiDeps } from '../../api/deps';
import type { PseGateway } from '../../api/pse-gateway';
import { foldNoc, type NocEvent } from '../../domain/noc';
import { checkProcurement, type NocFacts, type OfferingFacts, type ProcurementQuery } from '../../domain/procurement';
import { decidePse, foldPse, type ProcurementRecord, type PseCommand, type PseEvent } from '../../domain/pse';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import type { AdoptionQueries, WorkloadBucket } from '../../projections/adoption/queries';
import type { AccreditedListRow } from '../../projections/accreditation/queries';
import type { PublicQueries } from '../../projections/procurement/queries';
import type { NocActionInput, NocView } from '../../workflows/noc/messages';
import type { RequestNocPayload } from '../../api/noc-gateway';
import { FakeEventStore, FakeNocGateway, FakeNocQueries, registerRow } from '../api/fakes';

/**
 * The entity portal's world for page tests: the real NOC and PSE deciders and the real procurement check
 * behind in-memory ports. The NOC gateway's events are written to the fake store (the NOC page reads the
 * stream) and to the register read model (the home page and the check read it), as the projections would.
 */
export const OFFERING: AccreditedListRow = {
  offeringId: 'off-gov',
  offeringName: 'Nimbus Government Cloud',
  cspId: 'csp-nimbus',
  cspName: 'Nimbus Cloud',
  deploymentModel: 'government',
  serviceModels: ['IaaS'],
  dataCentres: [{ city: 'Islamabad', country: 'PK' }],
  applicationId: 'ACC-2026-AAAA',
  status: 'accredited',
  baseline: 'intermediate',
  highestDataClass: 'restricted',
  accreditedSince: '2026-01-01T00:00:00.000Z',
  validFrom: '2026-01-01T00:00:00.000Z',
  validUntil: '2029-01-01T00:00:00.000Z',
  conditions: [],
  updatedAt: '2026-01-01T00:00:00.000Z',
};

const OFFERING_FACTS: OfferingFacts = {
  offeringId: OFFERING.offeringId,
  cspId: OFFERING.cspId,
  cspRegistered: true,
  name: OFFERING.offeringName,
  deploymentModel: 'government',
  dataCentres: OFFERING.dataCentres,
  accreditation: {
    status: 'accredited',
    baseline: 'intermediate',
    highestDataClass: 'restricted',
    validFrom: OFFERING.validFrom,
    validUntil: OFFERING.validUntil,
    conditions: [],
  },
};

/** On the register, not accredited: what a NOC for a non-accredited offering names. */
const UNACCREDITED_FACTS: OfferingFacts = {
  offeringId: 'off-mail',
  cspId: 'csp-nimbus',
  cspRegistered: true,
  name: 'Nimbus Mail',
  deploymentModel: 'public',
  dataCentres: [{ city: 'Frankfurt', country: 'DE' }],
};
const REGISTER: Record<string, OfferingFacts> = { [OFFERING_FACTS.offeringId]: OFFERING_FACTS, [UNACCREDITED_FACTS.offeringId]: UNACCREDITED_FACTS };

/** The fake NOC gateway, its events mirrored into the stream and the register as the projections would. */
export class MirroredNocGateway extends FakeNocGateway {
  constructor(
    private readonly store: FakeEventStore,
    private readonly register: FakeNocQueries,
  ) {
    super();
  }

  override async request(actor: Actor, payload: RequestNocPayload, commandId: string): Promise<NocView> {
    const view = await super.request(actor, payload, commandId);
    if (view.state.status !== 'none') this.mirror(view.state.request.nocId, actor);
    return view;
  }

  override async act(nocId: string, action: NocActionInput): Promise<NocView> {
    const view = await super.act(nocId, action);
    this.mirror(nocId, action.actor);
    return view;
  }

  private mirror(nocId: string, actor: Actor): void {
    const events = this.events.get(nocId) ?? [];
    const stream = `noc-${nocId}`;
    const stored = this.store.streams.get(stream)?.length ?? 0;
    for (const event of events.slice(stored)) this.store.add(stream, event.type, event.data, actor);
    const s = foldNoc(events);
    if (s.status === 'none') return;
    this.register.rows.set(
      nocId,
      registerRow({
        nocId,
        pseId: s.request.pseId,
        jurisdiction: s.request.jurisdiction,
        deviation: s.request.deviation,
        description: s.request.description,
        dataClass: s.request.dataClass,
        systems: s.request.systems,
        offeringId: s.request.offeringId ?? null,
        requestedMonths: s.request.requestedMonths,
        status: s.status,
        requestedAt: s.requestedAt,
        validFrom: s.validFrom ?? null,
        validUntil: s.validUntil ?? null,
        conditions: s.conditions,
        informationDueBy: s.informationDueBy ?? null,
        pendingExtensionMonths: s.pendingExtensionMonths ?? null,
        revision: events.length - 1,
      }),
    );
  }

  /** The NOC facts the procurement check reads, from the NOCs' own events. */
  nocFacts(pseId: string): NocFacts[] {
    return [...this.events.entries()].flatMap(([nocId, events]: [string, NocEvent[]]) => {
      const s = foldNoc(events);
      if (s.status === 'none' || s.request.pseId !== pseId) return [];
      const facts: NocFacts = { nocId, pseId, status: s.status, deviation: s.request.deviation, dataClass: s.request.dataClass };
      if (s.request.offeringId) facts.offeringId = s.request.offeringId;
      if (s.validFrom) facts.validFrom = s.validFrom;
      if (s.validUntil) facts.validUntil = s.validUntil;
      return [facts];
    });
  }
}

export function publicQueriesOver(nocs: MirroredNocGateway): PublicQueries {
  return {
    list: () => [OFFERING],
    changes: () => [],
    // The portal's pages never show an offering's public record.
    offering: () => undefined,
    procurementCheck: (query: ProcurementQuery, now: string) =>
      checkProcurement(
        {
          pse: { pseId: query.pse, jurisdiction: 'federal' },
          dataClass: query.dataClass,
          offeringId: query.offering,
          ...(REGISTER[query.offering] ? { offering: REGISTER[query.offering] } : {}),
          nocs: nocs.nocFacts(query.pse),
        },
        query.at ?? now,
      ),
  };
}

const REGISTRAR: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };

/** The PSE register's processes in memory: the real decider, the check asked as the gateway asks it. */
export class FakePseGateway implements PseGateway {
  readonly events = new Map<string, PseEvent[]>();
  private counter = 0;

  constructor(
    private readonly check: PublicQueries,
    entities: readonly string[],
  ) {
    for (const pseId of entities) {
      this.apply(pseId, { type: 'RegisterPse', actor: REGISTRAR, data: { pseId, name: pseId, ministry: 'Test ministry', jurisdiction: 'federal' } });
    }
  }

  private apply(pseId: string, command: PseCommand) {
    const events = this.events.get(pseId) ?? [];
    events.push(...decidePse(command, foldPse(events), { now: new Date().toISOString() }));
    this.events.set(pseId, events);
    return { state: foldPse(events), revision: events.length - 1 };
  }

  async register(): Promise<never> {
    throw new Error('not used');
  }

  /** The portal never corrects or moves an entity: the register's own pages do (test/ui/entity-pages). */
  async correct(): Promise<never> {
    throw new Error('not used');
  }

  async changeJurisdiction(): Promise<never> {
    throw new Error('not used');
  }

  async recordProcurement(actor: Actor, payload: { offeringId: string; dataClass: 'open' | 'public' | 'restricted' | 'confidential' | 'secret'; system: string }) {
    const pseId = actor.organisationId as string;
    if (!this.events.has(pseId)) throw new DomainError('PSE_NOT_REGISTERED', `No PSE ${pseId} is registered`);
    const check = this.check.procurementCheck({ pse: pseId, offering: payload.offeringId, dataClass: payload.dataClass }, new Date().toISOString());
    const procurementId = `proc-${++this.counter}`;
    const view = this.apply(pseId, { type: 'RecordProcurement', actor, data: { ...payload, procurementId, check } });
    if (view.state.status !== 'registered') throw new Error('unregistered');
    return { pseId, procurement: view.state.procurements[procurementId] as ProcurementRecord, revision: view.revision };
  }

  async endProcurement(actor: Actor, procurementId: string, reason: string) {
    const pseId = actor.organisationId as string;
    const view = this.apply(pseId, { type: 'EndProcurement', actor, data: { procurementId, reason } });
    if (view.state.status !== 'registered') throw new Error('unregistered');
    return { pseId, procurement: view.state.procurements[procurementId] as ProcurementRecord, revision: view.revision };
  }

  async state(pseId: string) {
    const events = this.events.get(pseId);
    return events === undefined ? undefined : { state: foldPse(events), revision: events.length - 1 };
  }
}

/** The adoption figures' buckets, as a test sets them. */
export function adoptionWith(buckets: { pseId: string; procurementId: string; bucket: WorkloadBucket }[]): AdoptionQueries {
  return {
    figures: () => {
      throw new Error('not used');
    },
    nonCompliant: () => [],
    buckets: () => buckets,
  };
}

export type EntityWorld = Pick<ApiDeps, 'nocGateway' | 'nocQueries' | 'pseGateway' | 'publicQueries' | 'adoptionQueries' | 'eventStore'>;
