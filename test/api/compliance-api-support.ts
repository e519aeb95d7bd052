import { loadConfig } from '../../config/config';
import { createFrameworkLibrary } from '../../config/framework';
import { allCriteria } from '../../domain/framework/schema';
import { apiClient as genericApiClient, type ApiClient as GenericApiClient, type Reply } from '../support/api-client';
import type { Stack } from '../support/stack';

/** What the compliance API tests share: the people, HTTP calls against a running stack, and an accredited offering. */
export const PASSWORD = 'a long enough password';
export const CSP_ID = 'csp-nimbus';
export const ACCOUNTS = {
  csp: { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: CSP_ID, displayName: 'Nimbus representative' },
  otherCsp: { username: 'stratus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-stratus', displayName: 'Stratus representative' },
  reviewer: { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  security: { username: 'saima', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
} as const;
export type Who = keyof typeof ACCOUNTS;

export const frameworks = createFrameworkLibrary(loadConfig({}).framework);

export type ApiClient = GenericApiClient<Who>;

export const errorOf = (res: Reply): { code?: string; field?: string } | undefined => res.body.error as { code?: string; field?: string } | undefined;

/** The stack's API as the compliance tests' people. */
export const apiClient = (stack: Stack): Promise<ApiClient> => genericApiClient(stack, ACCOUNTS, PASSWORD);

/** Polls until what `read` answers passes the check (a timer's step, a signal, a projection). */
export async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const GOV_CLOUD = {
  offeringId: 'off-gov',
  name: 'Nimbus Government Cloud',
  serviceModels: ['IaaS', 'PaaS'],
  deploymentModel: 'government',
  dataCentres: [{ city: 'Islamabad', country: 'PK' }],
};

/** The CSP registered with its government cloud, accredited at intermediate through the API; answers the application id. */
export async function accreditedOffering({ ok }: ApiClient): Promise<string> {
  await ok('POST', '/api/csps', 'csp', {
    cspId: CSP_ID,
    name: 'Nimbus Cloud (Pvt) Ltd',
    registrationNumber: '0123456',
    contact: { name: 'Ayesha Khan', email: 'compliance@nimbus.example.pk' },
  });
  await ok('POST', `/api/csps/${CSP_ID}/offerings`, 'csp', GOV_CLOUD);
  const submitted = await ok('POST', '/api/accreditations', 'csp', {
    offeringId: 'off-gov',
    requestedBaseline: 'intermediate',
    evidence: [{ kind: 'iso-27001', reference: 'ISO/IEC 27001 certificate IS 712345' }],
  });
  const id = (submitted.state as { application: { applicationId: string } }).application.applicationId;
  const scores = Object.fromEntries(allCriteria(frameworks.load('1.0')).map((c) => [c.id, c.minimum.intermediate]));
  await ok('POST', `/api/accreditations/${id}/start-screening`, 'reviewer', {});
  await ok('POST', `/api/accreditations/${id}/complete-screening`, 'reviewer', { notes: 'Complete' });
  await ok('POST', `/api/accreditations/${id}/score`, 'reviewer', { scores, rationale: 'Evidence reviewed' });
  await ok('POST', `/api/accreditations/${id}/security-review`, 'security', { outcome: 'passed', notes: 'Penetration test clean' });
  const granted = await ok('POST', `/api/accreditations/${id}/decide`, 'director', {
    decision: 'approve',
    baseline: 'intermediate',
    highestDataClass: 'restricted',
    reasons: 'Meets the intermediate baseline',
  });
  expect((granted.state as { status: string }).status).toBe('accredited');
  return id;
}
