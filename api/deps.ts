import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import type { EventStore } from '../eventstore/port';
import type { Identity } from '../identity/identity';
import type { NocQueries } from '../projections/noc/read-model';
import type { HealthReport } from './health';
import type { NocGateway } from './noc-gateway';
import type { RateLimitOptions } from './rate-limit';

export interface ApiDeps {
  config: AppConfig;
  identity: Pick<Identity, 'login' | 'logout' | 'authenticate' | 'createAccount' | 'listAccounts'>;
  nocGateway: NocGateway;
  nocQueries: NocQueries;
  /** readAll, when given, feeds the auditors' global event log in the UI. */
  eventStore: Pick<EventStore, 'readStream'> & Partial<Pick<EventStore, 'readAll'>>;
  health: () => Promise<HealthReport>;
  /** Defaults to a pino logger at config.logLevel. */
  logger?: Logger;
  /** What auditors' routes need: the whole store and the keys checkpoints may be signed with. */
  audit?: { store: EventStore; trustedKeys: Record<string, string> };
  /** The public half of the key that signs audit checkpoints, published for auditors. */
  auditKey?: { keyId: string; publicKeyPem: string };
  /** Defaults to LOGIN_RATE_LIMIT (10 attempts a minute per username and address). */
  loginRateLimit?: RateLimitOptions;
}
