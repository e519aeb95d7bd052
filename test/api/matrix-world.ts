import { createHash } from 'node:crypto';
import { memoryEvidenceStore } from '../support/memory-evidence';
/**
 * The world the authorization matrix runs in: every gateway and read model the API has, in memory,
 * over the real deciders, seeded with one record of each kind per organisation. The gateways here
 * hide nothing: whatever exists they return to anyone, so what the matrix sees hidden, the routes hid.
 * (Opening a review or notifying a change names an application in the body; the real compliance
 * gateway answers one the actor may not see as missing, and so does this one.)
 */
import { createCaseNotes } from '../../api/case-notes';
import pino from 'pino';
import type { AccreditationGateway } from '../../api/accreditation-gateway';
import type { ComplianceGateway } from '../../api/compliance-gateway';
import type { CspGateway } from '../../api/csp-gateway';
import type { ApiDeps } from '../../api/deps';
import type { PseGateway } from '../../api/pse-gateway';
import { FRAMEWORK_REGISTER_STREAM, createFrameworkRegister } from '../../api/framework-register';
import { REGISTRATION_DESK_STREAM, createCspRegistrationDesk } from '../../api/csp-registration-desk';
import type { Identity } from '../../identity';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { decideAccreditation, foldAccreditation, type AccreditationCommand, type AccreditationEvent } from '../../domain/accreditation';
import { decideChange, decideMonitoring, decideReview, foldChange, foldMonitoring, foldReview } from '../../domain/compliance';
import type { ChangeCommand, ChangeEvent, MonitoringCommand, MonitoringEvent, ReviewCommand, ReviewEvent } from '../../domain/compliance';
import { decideCsp, foldCsp, type CspCommand, type CspEvent } from '../../domain/csp';
import { DEFAULT_NOC_POLICY, decideNoc, foldNoc } from '../../domain/noc';
import { decidePse, foldPse, type PseCommand, type PseEvent, type PseState } from '../../domain/pse';
import type { Actor } from '../../domain/shared/actor';
import { DomainError } from '../../domain/shared/errors';
import { canSeeCspRecord } from '../../domain/shared/visibility';
import type { Jurisdiction } from '../../domain/shared/vocabulary';
import { eventId } from '../../eventstore/envelope';
import type { EventStore } from '../../eventstore/port';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import { createAdoptionQueries, type NonCompliantProcurement } from '../../projections/adoption/queries';
import { createComplianceQueries } from '../../projections/compliance/queries';
import { allProjections } from '../../projections';
import { createPublicQueries } from '../../projections/procurement/queries';
import { h as accreditationHistory } from '../domain/accreditation-fixtures';
import { CHANGE, cev, mev, review } from '../domain/compliance-fixtures';
import { ORGANISATION, cspHistory } from '../domain/csp-fixtures';
import { answer } from '../domain/pse-fixtures';
import { memoryDb, project } from '../projections/support';
import { CaseScript } from '../support/case-script';
import { FakeEventStore, FakeNocGateway, FakeNocQueries, registerRow } from './fakes';
import { MemoryStreams } from './framework-register-store';
import { NOC_REQUEST } from './harness';
import { publicHistory } from './public-fixture';

const config = loadConfig({});
const frameworks = createFrameworkLibrary(config.framework);
const now = (): string => new Date().toISOString();
const OTHER_DIRECTOR: Actor = { userId: 'u-matrix-other-director', name: 'Other Director', role: 'director', jurisdiction: 'federal' };
/** The framework version every matrix row finds proposed, and the one a proposal names. */
/** The registration request every matrix row finds waiting. */
export const REGISTRATION_REQUEST = 'REG-2025-MATR1X00';
export const FRAMEWORK_PROPOSED = '1.1';
export const FRAMEWORK_NEXT = '1.2';
export const FRAMEWORK_EFFECTIVE = '2099-01-01T00:00:00.000Z';
const ctx = () => ({ now: now(), policy: config.compliancePolicy });

/** The evidence file the provider's review names. */
const EVIDENCE_CONTENT = Buffer.from('%PDF-1.7\nthe provider review evidence\n%%EOF\n');
const EVIDENCE_SHA256 = createHash('sha256').update(EVIDENCE_CONTENT).digest('hex');

/** The provider every provider-side record belongs to (the domain fixtures' provider). */
export const CSP = { org: 'csp-nimbus', offeringId: 'off-gov', applicationId: 'ACC-1', reviewId: 'REV-1', changeId: CHANGE.changeId, evidence: EVIDENCE_SHA256 };
/** The entities: one federal, one provincial; each holds a procurement and has requested a NOC. */
export const PSES = {
  federal: { pseId: 'pse-fed', jurisdiction: 'federal', procurementId: 'proc-fed', nocId: 'NOC-FED' },
  provincial: { pseId: 'pse-pun', jurisdiction: 'punjab', procurementId: 'proc-pun', nocId: 'NOC-PUN' },
} as const;
/** An entity of neither, for "another organisation". */
export const OTHER_PSE = 'pse-other';
export const OTHER_CSP = 'csp-other';

interface Cases<S, C, E> {
  events: Map<string, E[]>;
  decide(command: C, state: S): E[];
  fold(events: E[]): S;
}
function cases<S, C, E>(decide: (command: C, state: S) => E[], fold: (events: E[]) => S): Cases<S, C, E> {
  return { events: new Map(), decide, fold };
}
const view = <S, C, E>(c: Cases<S, C, E>, id: string) => {
  const events = c.events.get(id) ?? [];
  return { state: c.fold(events), revision: events.length - 1 };
};
function run<S, C, E>(c: Cases<S, C, E>, id: string, command: C) {
  const events = c.events.get(id) ?? [];
  c.events.set(id, [...events, ...c.decide(command, c.fold(events))]);
  return view(c, id);
}
const mustExist = <S, C, E>(c: Cases<S, C, E>, id: string, error: DomainError): void => {
  if (!c.events.has(id)) throw error;
};

export interface MatrixWorld {
  deps: Omit<ApiDeps, 'identity'>;
  /** Puts every record back as seeded: the matrix runs each row against the same world. */
  reset(): void;
  /** The identity approvals create accounts in: the matrix's own, made after the world. */
  bindIdentity(identity: Identity): void;
}

export async function matrixWorld(): Promise<MatrixWorld> {
  const csps = cases<ReturnType<typeof foldCsp>, CspCommand, CspEvent>((c, s) => decideCsp(c, s, { now: now() }), foldCsp);
  const pses = cases<ReturnType<typeof foldPse>, PseCommand, PseEvent>((c, s) => decidePse(c, s, { now: now() }), foldPse);
  const applications = cases<ReturnType<typeof foldAccreditation>, AccreditationCommand, AccreditationEvent>(
    (c, s) => decideAccreditation(c, s, { now: now(), policy: config.accreditationPolicy, framework: frameworks.load('1.0') }),
    foldAccreditation,
  );
  const reviews = cases<ReturnType<typeof foldReview>, ReviewCommand, ReviewEvent>((c, s) => decideReview(c, s, ctx()), foldReview);
  const monitorings = cases<ReturnType<typeof foldMonitoring>, MonitoringCommand, MonitoringEvent>((c, s) => decideMonitoring(c, s, ctx()), foldMonitoring);
  const changes = cases<ReturnType<typeof foldChange>, ChangeCommand, ChangeEvent>((c, s) => decideChange(c, s, ctx()), foldChange);
  const nocGateway = new FakeNocGateway();
  const frameworkStreams = new MemoryStreams();
  const frameworkRegister = createFrameworkRegister({ eventStore: frameworkStreams, genesis: frameworks.load('1.0') });
  const nocQueries = new FakeNocQueries();
  let created = 0;
  let identity: Identity | undefined;
  const bound = (): Identity => {
    if (identity === undefined) throw new Error('bindIdentity first');
    return identity;
  };

  const cspGateway: CspGateway = {
    register: async (actor, payload) => run(csps, payload.cspId, { type: 'RegisterCsp', actor, data: payload }),
    async act(cspId, action) {
      mustExist(csps, cspId, new DomainError('CSP_NOT_REGISTERED', `No CSP ${cspId} is registered`));
      return run(csps, cspId, { type: action.type, actor: action.actor, data: action.data } as CspCommand);
    },
    state: async (cspId) => (csps.events.has(cspId) ? view(csps, cspId) : undefined),
  };

  const accreditationGateway: AccreditationGateway = {
    async submit(actor, payload) {
      const csp = view(csps, actor.organisationId ?? '').state;
      if (csp.status === 'none') throw new DomainError('CSP_NOT_REGISTERED', `CSP ${actor.organisationId} is not registered`);
      const offering = csp.offerings[payload.offeringId];
      if (offering === undefined) throw new DomainError('OFFERING_NOT_FOUND', `No offering ${payload.offeringId}`, 'offeringId');
      const { status: _status, ...facts } = offering;
      const applicationId = `ACC-NEW-${++created}`;
      const data = { applicationId, cspId: csp.cspId, offering: facts, requestedBaseline: payload.requestedBaseline, evidence: payload.evidence, frameworkVersion: '1.0' };
      return { ...run(applications, applicationId, { type: 'Submit', actor, data }), complianceRefusals: [] };
    },
    async act(applicationId, action) {
      mustExist(applications, applicationId, new DomainError('NOT_FOUND', `No application ${applicationId}`));
      return { ...run(applications, applicationId, { type: action.type, actor: action.actor, data: action.data } as AccreditationCommand), complianceRefusals: [] };
    },
    state: async (id) => (applications.events.has(id) ? { ...view(applications, id), complianceRefusals: [] } : undefined),
  };

  const procurementResult = (v: ReturnType<typeof view<PseState, PseCommand, PseEvent>>, procurementId: string) => {
    if (v.state.status !== 'registered') throw new Error('the PSE vanished');
    const procurement = v.state.procurements[procurementId];
    if (procurement === undefined) throw new Error(`no procurement ${procurementId}`);
    return { pseId: v.state.pseId, procurement, revision: v.revision };
  };
  const pseGateway: PseGateway = {
    register: async (actor, payload) => run(pses, payload.pseId, { type: 'RegisterPse', actor, data: payload }),
    async recordProcurement(actor, payload) {
      const pseId = actor.organisationId ?? '';
      mustExist(pses, pseId, new DomainError('PSE_NOT_REGISTERED', `No PSE ${pseId} is registered`));
      const procurementId = `proc-new-${++created}`;
      const check = answer('allowed', { pseId, offeringId: payload.offeringId, dataClass: payload.dataClass });
      return procurementResult(run(pses, pseId, { type: 'RecordProcurement', actor, data: { ...payload, procurementId, check } }), procurementId);
    },
    async endProcurement(actor, procurementId, reason) {
      const pseId = actor.organisationId ?? '';
      mustExist(pses, pseId, new DomainError('PSE_NOT_REGISTERED', `No PSE ${pseId} is registered`));
      return procurementResult(run(pses, pseId, { type: 'EndProcurement', actor, data: { procurementId, reason } }), procurementId);
    },
    correct: async (actor, pseId, payload) => run(pses, pseId, { type: 'CorrectPseDetails', actor, data: payload }),
    changeJurisdiction: async (actor, pseId, payload) => run(pses, pseId, { type: 'ChangePseJurisdiction', actor, data: payload }),
    state: async (pseId) => (pses.events.has(pseId) ? view(pses, pseId) : undefined),
  };

  /** As the real gateway: the application a new case is about must be held and visible to the actor. */
  const heldApplication = (actor: Actor, applicationId: string) => {
    const state = view(applications, applicationId).state;
    if (state.status === 'none' || !canSeeCspRecord(actor, state.application.cspId)) {
      throw new DomainError('NOT_FOUND', `No application ${applicationId}`, 'applicationId');
    }
    return state;
  };
  const complianceGateway: ComplianceGateway = {
    async openReview(actor, payload) {
      const held = heldApplication(actor, payload.applicationId);
      const reviewId = `REV-NEW-${++created}`;
      const data = { reviewId, applicationId: payload.applicationId, offeringId: held.application.offering.offeringId, cspId: held.application.cspId, trigger: payload.trigger, description: payload.description };
      return run(reviews, reviewId, { type: 'OpenReview', actor, data });
    },
    async reviewAction(reviewId, action) {
      mustExist(reviews, reviewId, new DomainError('NOT_FOUND', `No review ${reviewId}`));
      return run(reviews, reviewId, { type: action.type, actor: action.actor, data: action.data } as ReviewCommand);
    },
    review: async (_actor, reviewId) => (reviews.events.has(reviewId) ? view(reviews, reviewId) : undefined),
    async submitReport(applicationId, action) {
      mustExist(monitorings, applicationId, new DomainError('NOT_FOUND', `No monitoring of application ${applicationId}`));
      return run(monitorings, applicationId, { type: action.type, actor: action.actor, data: action.data } as MonitoringCommand);
    },
    monitoring: async (_actor, applicationId) => (monitorings.events.has(applicationId) ? view(monitorings, applicationId) : undefined),
    async requestChange(actor, payload) {
      const held = heldApplication(actor, payload.applicationId);
      const changeId = `CHG-NEW-${++created}`;
      const data = { ...payload, changeId, offeringId: held.application.offering.offeringId, cspId: held.application.cspId };
      return run(changes, changeId, { type: 'RequestSignificantChange', actor, data });
    },
    async changeAction(changeId, action) {
      mustExist(changes, changeId, new DomainError('NOT_FOUND', `No significant change ${changeId}`));
      return run(changes, changeId, { type: action.type, actor: action.actor, data: action.data } as ChangeCommand);
    },
    change: async (_actor, changeId) => (changes.events.has(changeId) ? view(changes, changeId) : undefined),
  };

  const admin: Actor = { userId: 'u-admin', name: 'Admin', role: 'admin', jurisdiction: 'federal' };
  const officerOf = (pseId: string, jurisdiction: Jurisdiction): Actor => ({ userId: `u-${pseId}`, name: pseId, role: 'pse', jurisdiction, organisationId: pseId });
  const nocEvents = (pseId: string, jurisdiction: Jurisdiction, nocId: string) =>
    decideNoc(
      { type: 'RequestNoc', actor: officerOf(pseId, jurisdiction), data: { ...NOC_REQUEST, nocId, pseId, jurisdiction } as never },
      { status: 'none' },
      { now: now(), policy: DEFAULT_NOC_POLICY },
    );

  function reset(): void {
    for (const c of [csps, pses, applications, reviews, monitorings, changes] as Cases<unknown, unknown, unknown>[]) c.events.clear();
    nocGateway.events.clear();
    // Version 1.1 awaits approval, proposed by a director none of the matrix's people is.
    frameworkStreams.streams.clear();
    const proposed = { ...frameworks.load('1.0'), version: FRAMEWORK_PROPOSED, effectiveFrom: FRAMEWORK_EFFECTIVE };
    frameworkStreams.appendNow(
      FRAMEWORK_REGISTER_STREAM,
      [
        {
          id: eventId(FRAMEWORK_REGISTER_STREAM, 0),
          type: 'FrameworkVersionProposed',
          data: { version: FRAMEWORK_PROPOSED, framework: proposed, effectiveFrom: FRAMEWORK_EFFECTIVE, changes: 'Seeded for the matrix', proposedBy: OTHER_DIRECTOR.userId },
          metadata: { schemaVersion: 1, actor: OTHER_DIRECTOR, occurredAt: now(), correlationId: 'framework:1.1', causationId: 'matrix-seed', policyVersion: 'framework-register-1' },
        },
      ],
      'no-stream',
    );
    frameworkStreams.appendNow(
      REGISTRATION_DESK_STREAM,
      [
        {
          id: eventId(REGISTRATION_DESK_STREAM, 0),
          type: 'CspRegistrationRequested',
          data: { requestId: REGISTRATION_REQUEST, organisation: { ...ORGANISATION, registrationNumber: 'MATRIX-1' }, username: 'matrix-applicant', requestedAt: now() },
          metadata: { schemaVersion: 1, actor: { userId: `applicant:${REGISTRATION_REQUEST}`, role: 'csp' }, occurredAt: now(), correlationId: `registration:${REGISTRATION_REQUEST}`, causationId: 'matrix-seed', policyVersion: 'csp-registration-1' },
        },
      ],
      'no-stream',
    );
    nocQueries.rows.clear();
    csps.events.set(CSP.org, [...cspHistory.withOffering]);
    const [registered] = cspHistory.registered as [Extract<CspEvent, { type: 'CspRegistered' }>];
    csps.events.set(OTHER_CSP, [{ ...registered, data: { ...registered.data, cspId: OTHER_CSP } }]);
    applications.events.set(CSP.applicationId, [...accreditationHistory.accredited]);
    reviews.events.set(CSP.reviewId, [...review.opened]);
    monitorings.events.set(CSP.applicationId, [mev.started()]);
    changes.events.set(CSP.changeId, [cev.requested()]);
    for (const pse of [...Object.values(PSES), { pseId: OTHER_PSE, jurisdiction: 'federal', procurementId: 'proc-other', nocId: 'NOC-OTHER' } as const]) {
      run(pses, pse.pseId, { type: 'RegisterPse', actor: admin, data: { pseId: pse.pseId, name: `Entity ${pse.pseId}`, ministry: 'IT', jurisdiction: pse.jurisdiction } });
      const check = answer('allowed', { pseId: pse.pseId, offeringId: CSP.offeringId, dataClass: 'public' });
      const data = { procurementId: pse.procurementId, offeringId: CSP.offeringId, dataClass: 'public' as const, system: 'e-Office', check };
      run(pses, pse.pseId, { type: 'RecordProcurement', actor: officerOf(pse.pseId, pse.jurisdiction), data });
      nocGateway.events.set(pse.nocId, nocEvents(pse.pseId, pse.jurisdiction, pse.nocId));
      nocQueries.rows.set(pse.nocId, registerRow({ nocId: pse.nocId, pseId: pse.pseId, jurisdiction: pse.jurisdiction }));
    }
  }
  reset();

  // The auditors' store holds the federal NOC's stream, so its dossier exists.
  const store: EventStore = await openSqliteEventStore({ path: ':memory:' });
  const script = new CaseScript({
    stream: `noc-${PSES.federal.nocId}`,
    correlationId: `noc:${PSES.federal.nocId}`,
    policyVersion: DEFAULT_NOC_POLICY.version,
    initial: { status: 'none' } as ReturnType<typeof foldNoc>,
    decide: (command: Parameters<typeof decideNoc>[0], state, at: string) => decideNoc(command, state, { now: at, policy: DEFAULT_NOC_POLICY }),
    evolve: (state, event) => foldNoc([event], state),
  });
  const step = script.take(
    { type: 'RequestNoc', actor: officerOf(PSES.federal.pseId, 'federal'), data: { ...NOC_REQUEST, nocId: PSES.federal.nocId, pseId: PSES.federal.pseId, jurisdiction: 'federal' } as never },
    now(),
  );
  await store.append(step.stream, step.envelopes, step.expectedRevision === -1 ? 'no-stream' : step.expectedRevision);

  // The compliance read model knows the provider's change request, so the staff's list of changes shows it.
  const complianceDb = memoryDb(...allProjections());
  const requested = cev.requested();
  project(complianceDb, allProjections(), [new FakeEventStore().add(`change-${CSP.changeId}`, requested.type, requested.data, OTHER_DIRECTOR)]);

  const publicDb = publicHistory();
  const adoption = createAdoptionQueries(publicDb);
  const nonCompliant: NonCompliantProcurement[] = Object.values(PSES).map((pse) => ({
    pseId: pse.pseId,
    name: `Entity ${pse.pseId}`,
    ministry: 'IT',
    jurisdiction: pse.jurisdiction,
    procurementId: pse.procurementId,
    offeringId: CSP.offeringId,
    system: 'e-Office',
    dataClass: 'public',
    migrateBy: '2025-06-01T00:00:00.000Z',
    flaggedAt: '2025-06-01T00:00:00.000Z',
    reason: 'migration-deadline',
  }));

  /**
   * The cases as their streams, as the UI reads them to show a case (noc-, accreditation-, review-, change-):
   * recorded afresh on each read from the records as they stand.
   */
  const caseStreams = {
    async readStream(stream: string) {
      const id = stream.slice(stream.indexOf('-') + 1);
      const events: { type: string; data: unknown }[] | undefined = stream.startsWith('noc-')
        ? nocGateway.events.get(id)
        : stream.startsWith('accreditation-')
          ? applications.events.get(id)
          : stream.startsWith('review-')
            ? reviews.events.get(id)
            : stream.startsWith('change-')
              ? changes.events.get(id)
              : undefined;
      const recorded = new FakeEventStore();
      for (const event of events ?? []) recorded.add(stream, event.type, event.data, OTHER_DIRECTOR);
      return recorded.readStream(stream);
    },
  };

  const evidenceStore = memoryEvidenceStore(1024 * 1024);
  evidenceStore.files.set(EVIDENCE_SHA256, EVIDENCE_CONTENT);

  return {
    reset,
    bindIdentity(given) {
      identity = given;
    },
    deps: {
      cspRegistrations: createCspRegistrationDesk({
        eventStore: frameworkStreams,
        identity: { createAccount: (actor, input) => bound().createAccount(actor, input), listAccounts: () => bound().listAccounts() },
        csps: cspGateway,
      }),
      caseNotes: createCaseNotes({ eventStore: frameworkStreams }),
      registrationThrottle: { max: 1_000_000, windowMs: 60_000 },
      config,
      nocGateway,
      nocQueries,
      cspGateway,
      pseGateway,
      accreditationGateway,
      frameworkRegister,
      complianceGateway,
      complianceQueries: createComplianceQueries(complianceDb),
      publicQueries: createPublicQueries(publicDb),
      pseRegister: {
        list: (filter) =>
          [...pses.events.keys()]
            .map((pseId) => view(pses, pseId).state)
            .flatMap((state) => (state.status === 'registered' ? [state] : []))
            .filter((state) => filter.jurisdiction === undefined || state.jurisdiction === filter.jurisdiction)
            .map(({ pseId, name, ministry, jurisdiction, registeredAt }) => ({ pseId, name, ministry, jurisdiction, registeredAt })),
      },
      adoptionQueries: {
        figures: adoption.figures,
        buckets: adoption.buckets,
        nonCompliant: (_at, filter = {}) => nonCompliant.filter((row) => filter.jurisdiction === undefined || row.jurisdiction === filter.jurisdiction),
      },
      eventStore: { readStream: caseStreams.readStream, readAll: (options) => store.readAll(options) },
      audit: { store, trustedKeys: {} },
      auditKey: { keyId: 'matrix', publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----' },
      health: async () => ({ status: 'ok', temporal: { ok: true }, eventStore: { ok: true }, projections: [] }),
      logger: pino({ level: 'silent' }),
      loginThrottle: { perAddress: { max: 1_000_000, windowMs: 60_000 } },
      evidence: {
        store: evidenceStore,
        references: {
          referencesTo: (sha256) =>
            sha256 === EVIDENCE_SHA256 ? [{ stream: `review-${CSP.reviewId}`, cspId: CSP.org, filename: 'evidence.pdf', size: EVIDENCE_CONTENT.length, contentType: 'application/pdf' }] : [],
        },
        maxBytes: 1024 * 1024,
      },
    },
  };
}
