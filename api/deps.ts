import type { AsOfViews } from './as-of-views';
import type { AuditThread } from './audit-thread';
import type { AsOfSnapshots } from '../projections/as-of-snapshots';
import type { VerificationProgress } from '../eventstore/integrity/verification-progress';
import type { CheckpointIndex } from '../audit/checkpoint-index';
import type { Logger } from 'pino';
import type { Tracer } from '@opentelemetry/api';
import type { AppConfig } from '../config/config';
import type { EventStore } from '../eventstore/port';
import type { Identity, MfaOperations } from '../identity/identity';
import type { AccreditationQueueQueries } from '../projections/accreditation/queue';
import type { NocQueries } from '../projections/noc/read-model';
import type { PublicQueries } from '../projections/procurement/queries';
import type { PseRegisterQueries } from '../projections/pse/entities';
import type { AdoptionQueries } from '../projections/adoption/queries';
import type { ComplianceQueries } from '../projections/compliance/queries';
import type { HealthReport } from './health';
import type { AccreditationGateway } from './accreditation-gateway';
import type { ComplianceGateway } from './compliance-gateway';
import type { CspGateway } from './csp-gateway';
import type { FrameworkRegister } from './framework-register';
import type { NocGateway } from './noc-gateway';
import type { PseGateway } from './pse-gateway';
import type { ThrottleStore } from '../identity/throttle-store';
import type { IdempotencyStore } from './idempotency-store';
import type { LoginThrottleOptions, Window } from './login-throttle';
import type { CspRegistrationDesk } from './csp-registration-desk';
import type { Inbox } from './inbox';
import type { CaseNotes } from './case-notes';
import type { EvidenceStore } from '../evidence/port';
import type { EvidenceReferenceQueries } from '../projections/evidence/references';
import type { Registry } from 'prom-client';

export interface ApiDeps {
  config: AppConfig;
  identity: Pick<
    Identity,
    | 'login'
    | 'logout'
    | 'authenticate'
    | 'createAccount'
    | 'listAccounts'
    | 'changeAssignment'
    | 'setDisabled'
    | 'resetPassword'
    | 'approveGrant'
    | 'rejectGrant'
    | 'listPendingGrants'
    | 'changeEmail'
    | MfaOperations
  >;
  nocGateway: NocGateway;
  nocQueries: NocQueries;
  /** The CSP register processes; without it the CSP routes answer 503. */
  cspGateway?: CspGateway;
  /** Providers' registration requests (the public form, the administrators' decisions); without it their routes answer 503. */
  cspRegistrations?: CspRegistrationDesk;
  /** Public registration requests one address may send per window; defaults to DEFAULT_REGISTRATION_THROTTLE. */
  registrationThrottle?: Window;
  /** The PSE register processes (procurements); without it the PSE routes answer 503. */
  pseGateway?: PseGateway;
  /** The adoption figures; without them GET /api/adoption answers 503. */
  adoptionQueries?: AdoptionQueries;
  /** The benchmark framework's versions; without it the framework routes answer 503. */
  frameworkRegister?: FrameworkRegister;
  /** The PSE register as a list; without it GET /api/pses answers 503. */
  pseRegister?: PseRegisterQueries;
  /** The accreditation processes; without it the accreditation routes answer 503. */
  accreditationGateway?: AccreditationGateway;
  /** The accreditation work queue and list of applications, for the UI; without it they show none. */
  accreditationQueue?: AccreditationQueueQueries;
  /** The compliance processes (reviews, monthly monitoring, significant changes); without it their routes answer 503. */
  complianceGateway?: ComplianceGateway;
  /** The compliance dashboard and review queue; without them their routes answer 503. */
  complianceQueries?: ComplianceQueries;
  /** readAll, when given, feeds the auditors' global event log in the UI. */
  eventStore: Pick<EventStore, 'readStream'> & Partial<Pick<EventStore, 'readAll'>>;
  health: () => Promise<HealthReport>;
  /** Refuses every write but signing in before it starts while the event store is (nearly) full (api/storage-guard.ts). */
  storageGuard?: () => Promise<void>;
  /** Defaults to a pino logger at config.logLevel. */
  logger?: Logger;
  /** The process's metrics registry: requests are counted and timed into it. None when absent (tests, tools). */
  metrics?: Registry;
  /** The process's tracer when tracing is on (tracing/setup.ts): every request is a span. */
  tracer?: Tracer;
  /** What auditors' routes need: the whole store and the keys checkpoints may be signed with. */
  audit?: {
    store: EventStore;
    trustedKeys: Record<string, string>;
    /** Where verifications record the last checkpoint they found intact; without it every verification is full. */
    progress?: VerificationProgress;
    /** Read-model snapshots an as-of view of a recent instant starts from; without them it replays from position 0. */
    snapshots?: AsOfSnapshots;
    /** Which checkpoint last named each stream, kept between dossiers; without it each dossier reads the whole feed. */
    checkpoints?: CheckpointIndex;
    /** As-of views kept between answers on this thread (the audit thread keeps its own). */
    views?: AsOfViews;
    /**
     * The thread that runs as-of replays and verifications off the API's event loop (api/audit-thread.ts),
     * when the store is a file it can open; without it they run on the API's thread in slices.
     */
    thread?: AuditThread;
  };
  /** The public half of the key that signs audit checkpoints, published for auditors. */
  auditKey?: { keyId: string; publicKeyPem: string };
  /** The public read side (accredited list, its change log, the procurement check); without it those routes answer 503. */
  publicQueries?: PublicQueries;
  /** The office's internal notes on cases; without it the notes routes answer 503 and case pages show none. */
  caseNotes?: CaseNotes;
  /** Every person's notices; without it the inbox answers 503. */
  inbox?: Inbox;
  /**
   * Evidence files: where they are stored, which cases name them (who may open them), the largest
   * accepted; without it the evidence routes answer 503 and commands naming files are refused.
   */
  evidence?: { store: EvidenceStore; references: EvidenceReferenceQueries; maxBytes: number };
  /** Sign-in throttling, API and UI alike; defaults to DEFAULT_LOGIN_THROTTLE. */
  loginThrottle?: Partial<LoginThrottleOptions>;
  /**
   * Where the sign-in throttle counts (identity/throttle-store.ts): the identity database in a
   * deployment, shared by every API process; without it, a private in-memory one.
   */
  throttleStore?: ThrottleStore;
  /**
   * The record of requests sent with an Idempotency-Key and their answers (api/idempotency-store.ts):
   * `DATA_DIR/idempotency.db` in a deployment, shared by every API process; without it, a private in-memory one.
   */
  idempotencyStore?: IdempotencyStore;
}
