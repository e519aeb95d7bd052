import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../config/config';
import type { Actor } from '../../domain/shared/actor';
import type { ApiDeps } from '../../api/deps';
import { buildApi } from '../../api/server';
import type { HealthReport } from '../../api/health';
import type { LoginThrottleOptions } from '../../api/login-throttle';
import { type Identity, type IdentityOptions } from '../../identity';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { testTotp, type TestTotp } from '../support/mfa';
import { FakeEventStore, FakeNocGateway, FakeNocQueries, officeWithFakes } from './fakes';

export const PASSWORD = 'correct horse battery';

/** One account per role the tests need, keyed by a short name. */
const ACCOUNTS = {
  pse: { username: 'pse-officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
  otherPse: { username: 'other-pse', role: 'pse', jurisdiction: 'punjab', organisationId: 'pse-lahore', displayName: 'Omar PSE' },
  reviewer: { username: 'reviewer', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  director: { username: 'director', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  auditor: { username: 'auditor', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor' },
  admin: { username: 'root', role: 'admin', jurisdiction: 'federal', displayName: 'Admin' },
  csp: { username: 'csp-rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-one', displayName: 'Chaudhry CSP' },
} as const;
export type Who = keyof typeof ACCOUNTS;

export interface TestApi {
  app: FastifyInstance;
  identity: Identity;
  gateway: FakeNocGateway;
  queries: FakeNocQueries;
  eventStore: FakeEventStore;
  tokens: Record<Who, string>;
  actors: Record<Who, Actor>;
  /** Codes for the test accounts, which enrolled an authenticator when the harness started. */
  totp: TestTotp;
  setHealth(report: HealthReport | Error): void;
  /** Authorization header for one of the test accounts. */
  as(who: Who): { authorization: string };
  close(): Promise<void>;
}

export const HEALTHY: HealthReport = {
  status: 'ok',
  temporal: { ok: true },
  eventStore: { ok: true },
  projections: [{ name: 'noc-register', lag: 0, position: '12/12' }],
};

/** `deps` adds read models or gateways a test needs beyond the NOC fakes. */
export async function startTestApi(
  options: { loginThrottle?: Partial<LoginThrottleOptions>; deps?: Partial<ApiDeps>; identity?: Partial<Omit<IdentityOptions, 'store'>> } = {},
): Promise<TestApi> {
  const totp = testTotp;
  const identity = await createTestIdentity(options.identity);
  const gateway = new FakeNocGateway();
  const queries = new FakeNocQueries();
  const eventStore = new FakeEventStore();
  let health: HealthReport | Error = HEALTHY;
  const tokens = {} as Record<Who, string>;
  const actors = {} as Record<Who, Actor>;
  for (const [who, account] of Object.entries(ACCOUNTS) as [Who, (typeof ACCOUNTS)[Who]][]) {
    const session = await seedEnrolledAccount(identity, { ...account, password: PASSWORD });
    tokens[who] = session.token;
    actors[who] = session.actor;
  }
  const app = buildApi(
    officeWithFakes(
      { dataDir: loadConfig({}).dataDir, identity, eventStore },
      {
        nocGateway: gateway,
        nocQueries: queries,
        health: async () => {
          if (health instanceof Error) throw health;
          return health;
        },
        loginThrottle: options.loginThrottle,
        ...options.deps,
      },
    ),
  );
  await app.ready();
  return {
    app,
    identity,
    gateway,
    queries,
    eventStore,
    tokens,
    actors,
    totp,
    setHealth: (report) => {
      health = report;
    },
    as: (who) => ({ authorization: `Bearer ${tokens[who]}` }),
    close: async () => {
      await app.close();
      identity.close();
    },
  };
}

/** A valid RequestNoc body. */
export const NOC_REQUEST = {
  deviation: 'on-premises-hosting',
  description: 'Keep the land records system on premises during migration',
  justification: 'The accredited government cloud has no region with the required latency yet',
  dataClass: 'restricted',
  systems: ['land-records'],
  requestedMonths: 6,
};
