/**
 * The authorization matrix's expectations, written by hand from the specification and kept apart from
 * the code they check: one row per route of the API, naming for every role what it gets.
 *
 *   ROLE      403 ROLE_NOT_ALLOWED, whoever the record belongs to
 *   record(r) allowed when rule r holds between the person and the record, else 404 NOT_FOUND,
 *             answered exactly as for a record that does not exist
 *   list(r)   200; the record is listed when rule r holds
 *   OWNER     allowed for the record's own organisation, else 403 NOT_CASE_OWNER (the body names
 *             the organisation; nothing about existence is at stake)
 *   record(r, then) as record(r), but of the records the person sees, only those where rule `then`
 *             holds are theirs to act on; the others answer 403 ROLE_NOT_ALLOWED (a provincial officer
 *             sees the NOCs of their jurisdiction, but a federal NOC is the reviewers' and directors');
 *             403 OUTSIDE_JURISDICTION counts as this refusal too (registering another province's entity)
 *
 * Rules: always, never, own-org (the person acts for the record's organisation), own-jurisdiction,
 * federal-or-own-jurisdiction (federal staff oversee every province), federal-subject (only records
 * of the federal jurisdiction: federal NOCs are the reviewers' and directors'), provincial-subject,
 * oversight (federal records, and every record when the person is federal: a federal director reads
 * every province's NOCs but acts only on federal ones), federal-person (the person is of the federal
 * jurisdiction, whatever the record's: only a federal administrator moves an entity between jurisdictions).
 */
import { ROLES, type Role } from '../../domain/shared/vocabulary';
import { ORGANISATION, GOV_CLOUD } from '../domain/csp-fixtures';
import { CSP, FRAMEWORK_EFFECTIVE, FRAMEWORK_NEXT } from './matrix-world';
import FRAMEWORK_FILE from '../../framework/benchmark-framework-1.0.json';
import { testTotp } from '../support/mfa';
import { NOC_REQUEST, PASSWORD } from './harness';

export type Rule =
  | 'always'
  | 'never'
  | 'own-org'
  | 'own-jurisdiction'
  | 'federal-or-own-jurisdiction'
  | 'federal-subject'
  | 'provincial-subject'
  | 'oversight'
  | 'federal-person';
export type Access = { kind: 'role' } | { kind: 'record'; rule: Rule; then?: Rule } | { kind: 'list'; rule: Rule } | { kind: 'owner' };
export type SubjectKind = 'csp' | 'pse' | 'noc' | 'none';

/** Whether a rule holds between a person (role, organisation, jurisdiction) and a record's owner; both matrices use it. */
export function holds(rule: Rule, who: { org?: string | undefined; jurisdiction: string }, subject: { org: string; jurisdiction: string }): boolean {
  switch (rule) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'own-org':
      return who.org === subject.org;
    case 'own-jurisdiction':
      return who.jurisdiction === subject.jurisdiction;
    case 'federal-or-own-jurisdiction':
      return who.jurisdiction === 'federal' || who.jurisdiction === subject.jurisdiction;
    case 'federal-subject':
      return subject.jurisdiction === 'federal';
    case 'provincial-subject':
      return subject.jurisdiction !== 'federal';
    case 'oversight':
      return subject.jurisdiction === 'federal' || who.jurisdiction === 'federal' || who.jurisdiction === subject.jurisdiction;
    case 'federal-person':
      return who.jurisdiction === 'federal';
  }
}

export interface Expectation {
  /** Whose record the route's path (or body) names. */
  subject: SubjectKind;
  /** Public routes answer anyone, token or not; the others answer 401 without one. */
  public?: boolean;
  access: Record<Role, Access>;
  /** A function when each request needs a fresh body (a sign-in's one-time code). */
  body?: unknown;
  query?: string;
  /** The body field that names the record, when the path does not. */
  recordField?: string;
}

export const ROLE: Access = { kind: 'role' };
export const OWNER: Access = { kind: 'owner' };
export const record = (rule: Rule, then?: Rule): Access => (then ? { kind: 'record', rule, then } : { kind: 'record', rule });
export const list = (rule: Rule): Access => ({ kind: 'list', rule });
export const YES = record('always');
export const HIDDEN = record('never');
export const OWN_ORG = record('own-org');
export const OWN_JUR = record('own-jurisdiction');
export const FED_OR_OWN_JUR = record('federal-or-own-jurisdiction');
export const FED_SUBJECT = record('federal-subject');

export const every = (access: Access): Record<Role, Access> => Object.fromEntries(ROLES.map((role) => [role, access])) as Record<Role, Access>;
/** Only the roles named get in; every other role is refused for its role. */
export const only = (allowed: Partial<Record<Role, Access>>): Record<Role, Access> => ({ ...every(ROLE), ...allowed });
export const STAFF = ['reviewer', 'security-reviewer', 'director', 'auditor', 'admin'] as const;
export const staff = (access: Access): Partial<Record<Role, Access>> => Object.fromEntries(STAFF.map((role) => [role, access]));

/** A provider's records: its own representatives and the Office's staff; nobody else, not even that it exists. */
export const PROVIDER_RECORD = { ...every(HIDDEN), ...staff(YES), csp: OWN_ORG };
/** A NOC: its entity, its province's officers, the federal reviewers for federal NOCs, federal directors for every province's (read only), auditors. */
export const NOC_SIGHT = (as: (rule: Rule) => Access): Record<Role, Access> => ({
  csp: as('never'),
  pse: as('own-org'),
  reviewer: as('federal-subject'),
  'security-reviewer': as('federal-subject'),
  director: as('oversight'),
  'provincial-officer': as('own-jurisdiction'),
  auditor: as('always'),
  admin: as('never'),
});
/** NOC actions: who may take them, limited to the NOCs they may see. */
export const OFFICER = record('own-jurisdiction', 'provincial-subject');
export const NOC_REVIEWING = only({ reviewer: FED_SUBJECT, 'provincial-officer': OFFICER });
/** A director sees every province's NOCs; a provincial one is not theirs to decide (403 ROLE_NOT_ALLOWED). */
export const NOC_DECIDING = only({ director: record('oversight', 'federal-subject'), 'provincial-officer': OFFICER });
export const NOC_APPLICANT = only({ pse: OWN_ORG });

const reasons = { reasons: 'Recorded for the authorization matrix' };
const NOTE = { text: 'Recorded for the authorization matrix' };
/** A NOC's notes: whoever of the office sees the NOC (auditors only to read); its entity, providers and administrators are refused. */
const NOTES_ON_NOC = (reading: boolean): Record<Role, Access> => ({ ...NOC_SIGHT(record), csp: ROLE, pse: ROLE, admin: ROLE, ...(reading ? {} : { auditor: ROLE }) });
/** A provider's case's notes: federal work, so the office's case workers (auditors to read); a provincial officer does not see it. */
const NOTES_ON_PROVIDER_CASE = (reading: boolean): Record<Role, Access> =>
  only({ reviewer: YES, 'security-reviewer': YES, director: YES, 'provincial-officer': HIDDEN, ...(reading ? { auditor: YES } : {}) });
let registrationNumbers = 1;
const publicRoute = (subject: SubjectKind = 'none', query?: string): Expectation => ({ subject, public: true, access: every(YES), ...(query ? { query } : {}) });
const action = (subject: SubjectKind, access: Record<Role, Access>, body: unknown = {}): Expectation => ({ subject, access, body });

export const EXPECTATIONS: Record<string, Expectation> = {
  // matrix-login has enrolled an authenticator: every sign-in sends a code of a fresh time step.
  'POST /api/auth/login': { ...publicRoute(), body: () => ({ username: 'matrix-login', password: PASSWORD, code: testTotp.code('matrix-login') }) },
  // matrix-enrol has not: each request starts its enrolment again.
  'POST /api/auth/mfa/enrolment': { ...publicRoute(), body: { username: 'matrix-enrol', password: PASSWORD } },
  'POST /api/auth/logout': { subject: 'none', access: every(YES) },
  'GET /api/me': { subject: 'none', access: every(YES) },
  'POST /api/accounts': action('none', only({ admin: YES }), { username: 'matrix-new', role: 'auditor', jurisdiction: 'federal' }),
  'GET /api/accounts': { subject: 'none', access: only({ admin: YES }) },
  'GET /api/accounts/grants/pending': { subject: 'none', access: only({ admin: YES }) },
  'PUT /api/accounts/:username/role': action('none', only({ admin: YES }), { role: 'provincial-officer', jurisdiction: 'sindh' }),
  // The person themselves may change their own address; the matrix names another account (403 for all but admin).
  'PUT /api/accounts/:username/email': action('none', only({ admin: YES }), { email: 'matrix@example.gov.pk' }),
  'POST /api/accounts/:username/grants/:grantId/approve': action('none', only({ admin: YES })),
  'POST /api/accounts/:username/grants/:grantId/reject': action('none', only({ admin: YES }), { reason: 'Recorded for the authorization matrix' }),
  'POST /api/accounts/:username/disable': action('none', only({ admin: YES })),
  'POST /api/accounts/:username/enable': action('none', only({ admin: YES })),
  'POST /api/accounts/:username/reset-password': action('none', only({ admin: YES }), { password: 'another long enough password' }),
  'DELETE /api/accounts/:username/mfa': { subject: 'none', access: only({ admin: YES }) },

  'POST /api/nocs': action('none', only({ pse: YES }), NOC_REQUEST),
  'GET /api/nocs': { subject: 'noc', access: NOC_SIGHT(list) },
  'GET /api/nocs/:nocId': { subject: 'noc', access: NOC_SIGHT(record) },
  'GET /api/queue': { subject: 'none', access: every(YES) },
  'GET /api/notifications': { subject: 'none', access: every(YES) },
  'GET /api/inbox': { subject: 'none', access: every(YES) },
  'POST /api/inbox/read': action('none', every(YES), { ids: ['no-such-notice'] }),
  'POST /api/nocs/:nocId/start-review': action('noc', NOC_REVIEWING),
  'POST /api/nocs/:nocId/request-information': action('noc', NOC_REVIEWING, { questions: 'Which systems?' }),
  'POST /api/nocs/:nocId/provide-information': action('noc', NOC_APPLICANT, { answer: 'The land records system' }),
  'POST /api/nocs/:nocId/recommend': action('noc', NOC_REVIEWING, { recommendation: 'approve', ...reasons }),
  'POST /api/nocs/:nocId/decide': action('noc', NOC_DECIDING, { decision: 'approve', ...reasons }),
  'POST /api/nocs/:nocId/request-extension': action('noc', NOC_APPLICANT, { months: 3, justification: 'Migration slipped' }),
  'POST /api/nocs/:nocId/decide-extension': action('noc', NOC_DECIDING, { decision: 'approve', ...reasons }),
  'POST /api/nocs/:nocId/revoke': action('noc', NOC_DECIDING, reasons),
  'POST /api/nocs/:nocId/withdraw': action('noc', NOC_APPLICANT, { reason: 'No longer needed' }),

  'GET /api/audit/read-models/:model': { subject: 'none', access: only({ auditor: YES }) },
  'GET /api/audit/cases/:stream/dossier': { subject: 'none', access: only({ auditor: YES }) },
  'GET /api/audit/verification': { subject: 'none', access: only({ auditor: YES }) },
  'GET /healthz': publicRoute(),
  'GET /openapi.json': publicRoute(),
  'GET /api/audit/public-key': publicRoute(),
  'GET /api/audit/checkpoints': publicRoute(),
  'GET /api/frameworks': publicRoute(),
  'GET /api/frameworks/current': publicRoute(),
  // Publishing a framework version is a director's decision; the matrix's directors did not propose 1.1.
  'POST /api/frameworks': action('none', only({ director: YES }), {
    framework: { ...FRAMEWORK_FILE, version: FRAMEWORK_NEXT, effectiveFrom: FRAMEWORK_EFFECTIVE },
    changes: 'Recorded for the authorization matrix',
  }),
  'POST /api/frameworks/:version/approve': action('none', only({ director: YES })),
  'POST /api/frameworks/:version/reject': action('none', only({ director: YES }), reasons),
  'GET /api/accredited-list': publicRoute(),
  'GET /api/accredited-list/changes': publicRoute(),
  // An offering's public record names the offering in its path (off-gov of the public fixture); anyone reads it, an unknown one answers 404.
  'GET /api/offerings/:offeringId': publicRoute('csp'),
  'GET /api/procurement-check': publicRoute('none', `pse=pse-fed&offering=${CSP.offeringId}&dataClass=open`),
  'GET /api/adoption': publicRoute(),

  'POST /api/csps': action('csp', only({ admin: YES, csp: OWNER }), { ...ORGANISATION, cspId: CSP.org }),
  // Anyone may ask to be registered (a fresh registration number each time); only administrators see and decide requests.
  'POST /api/csp-registrations': {
    ...publicRoute(),
    body: () => ({
      organisationName: 'Matrix Cloud',
      registrationNumber: `MATRIX-${++registrationNumbers}`,
      contactName: 'Matrix Contact',
      contactEmail: 'contact@matrix.example',
      username: 'matrix-applicant',
    }),
  },
  'GET /api/csp-registrations': { subject: 'none', access: only({ admin: YES }) },
  'GET /api/csp-registrations/:requestId': { subject: 'none', access: only({ admin: YES }) },
  'POST /api/csp-registrations/:requestId/approve': action('none', only({ admin: YES })),
  'POST /api/csp-registrations/:requestId/refuse': action('none', only({ admin: YES }), reasons),
  'GET /api/csps/:cspId': { subject: 'csp', access: PROVIDER_RECORD },
  'POST /api/csps/:cspId/offerings': action('csp', only({ csp: OWN_ORG }), { ...GOV_CLOUD, offeringId: 'off-matrix' }),
  'PUT /api/csps/:cspId/offerings/:offeringId': action('csp', only({ csp: OWN_ORG }), { name: 'Renamed by the matrix' }),
  'DELETE /api/csps/:cspId/offerings/:offeringId': action('csp', only({ csp: OWN_ORG }), { reason: 'End of life' }),

  'POST /api/accreditations': action('none', only({ csp: YES }), {
    offeringId: CSP.offeringId,
    requestedBaseline: 'baseline',
    evidence: [{ kind: 'iso-27001', reference: 'Certificate 1' }],
  }),
  'GET /api/accreditations/:applicationId': { subject: 'csp', access: PROVIDER_RECORD },
  'POST /api/accreditations/:applicationId/start-screening': action('csp', only({ reviewer: YES })),
  'POST /api/accreditations/:applicationId/request-information': action('csp', only({ reviewer: YES }), { questions: 'SOC 2?' }),
  'POST /api/accreditations/:applicationId/provide-information': action('csp', only({ csp: OWN_ORG }), { answer: 'Attached' }),
  'POST /api/accreditations/:applicationId/complete-screening': action('csp', only({ reviewer: YES }), { notes: 'Complete' }),
  'POST /api/accreditations/:applicationId/score': action('csp', only({ reviewer: YES }), { scores: { 'SEC-01': 3 }, rationale: 'Seen' }),
  'POST /api/accreditations/:applicationId/security-review': action('csp', only({ 'security-reviewer': YES }), { outcome: 'passed', notes: 'Fine' }),
  'POST /api/accreditations/:applicationId/decide': action('csp', only({ director: YES }), { decision: 'reject', ...reasons }),
  'POST /api/accreditations/:applicationId/suspend': action('csp', only({ director: YES }), reasons),
  'POST /api/accreditations/:applicationId/reinstate': action('csp', only({ director: YES }), reasons),
  'POST /api/accreditations/:applicationId/revoke': action('csp', only({ director: YES }), { ...reasons, transitionDays: 90 }),
  'POST /api/accreditations/:applicationId/withdraw': action('csp', only({ csp: OWN_ORG }), { reason: 'Leaving the market' }),
  'POST /api/accreditations/:applicationId/renew': action('csp', only({ director: YES }), reasons),

  'POST /api/pses': action('none', only({ admin: record('always', 'federal-or-own-jurisdiction'), 'provincial-officer': record('always', 'own-jurisdiction') }), { pseId: 'pse-matrix', name: 'Matrix Entity', ministry: 'IT', jurisdiction: 'federal' }),
  // Who sees which entity on the list is canSeePseRecord's rule, as for GET /api/pses/:pseId; the list itself answers every role but a provider's.
  'GET /api/pses': { subject: 'none', access: { ...every(YES), csp: ROLE } },
  'GET /api/pses/:pseId': {
    subject: 'pse',
    access: { ...every(FED_OR_OWN_JUR), csp: HIDDEN, pse: OWN_ORG, 'provincial-officer': OWN_JUR },
  },
  // An entity's registrars keep its entry; an entity they may not see answers as a missing one.
  'POST /api/pses/:pseId/details': action('pse', only({ admin: FED_OR_OWN_JUR, 'provincial-officer': OWN_JUR }), { name: 'Matrix Entity Renamed', reason: 'Renamed by notification' }),
  // A province's administrator sees its entities but does not move them: that is a federal decision.
  'POST /api/pses/:pseId/jurisdiction': action('pse', only({ admin: record('federal-or-own-jurisdiction', 'federal-person') }), { jurisdiction: 'sindh', reason: 'Devolved' }),
  'POST /api/procurements': action('none', only({ pse: YES }), { offeringId: CSP.offeringId, dataClass: 'open', system: 'Website' }),
  'POST /api/procurements/:procurementId/end': action('pse', only({ pse: OWN_ORG }), { reason: 'Moved' }),
  'GET /api/adoption/non-compliant': {
    subject: 'pse',
    access: { ...every(list('federal-or-own-jurisdiction')), csp: ROLE, pse: list('own-org'), 'provincial-officer': list('own-jurisdiction') },
  },
  'GET /api/compliance/dashboard': { subject: 'none', access: only({ ...staff(YES), admin: ROLE, csp: YES }) },
  'GET /api/compliance/queue': { subject: 'none', access: only({ reviewer: YES, director: YES }) },

  'POST /api/reviews': {
    ...action('csp', only({ reviewer: YES }), { applicationId: CSP.applicationId, trigger: 'incident', description: 'Outage' }),
    recordField: 'applicationId',
  },
  'GET /api/reviews/:reviewId': { subject: 'csp', access: PROVIDER_RECORD },
  // A file is uploaded by a provider before its evidence names it; it is opened by whoever may see a case that names it.
  'POST /api/evidence': { ...action('none', only({ csp: YES }), { note: 'uploaded as a JSON file' }), query: 'filename=matrix.json' },
  'GET /api/evidence/:sha256': { subject: 'csp', access: PROVIDER_RECORD },
  'POST /api/reviews/:reviewId/request-evidence': action('csp', only({ reviewer: YES }), { request: 'Logs, please' }),
  'POST /api/reviews/:reviewId/submit-evidence': action('csp', only({ csp: OWN_ORG }), { summary: 'Logs attached' }),
  'POST /api/reviews/:reviewId/assess': action('csp', only({ reviewer: YES }), { summary: 'Fine', findings: [] }),
  'POST /api/reviews/:reviewId/submit-remediation': action('csp', only({ csp: OWN_ORG }), { findingId: 'F-1', description: 'Patched' }),
  'POST /api/reviews/:reviewId/verify-finding': action('csp', only({ reviewer: YES }), { findingId: 'F-1', outcome: 'verified', notes: 'Seen' }),
  'POST /api/reviews/:reviewId/extend-deadline': action('csp', only({ director: YES }), { newDeadline: '2099-01-01T00:00:00.000Z', ...reasons }),
  'POST /api/reviews/:reviewId/decide-suspend': action('csp', only({ director: YES }), reasons),
  'POST /api/reviews/:reviewId/decide-revoke': action('csp', only({ director: YES }), reasons),
  'POST /api/reviews/:reviewId/recommend-reinstatement': action('csp', only({ reviewer: YES }), reasons),
  'GET /api/monitoring/:applicationId': { subject: 'csp', access: PROVIDER_RECORD },
  'POST /api/monitoring/:applicationId/reports': action('csp', only({ csp: OWN_ORG }), {
    period: '2025-02',
    summary: 'Quiet month',
    vulnerabilities: { high: 0, moderate: 1, low: 2 },
  }),
  'POST /api/changes': {
    ...action('csp', only({ csp: OWN_ORG }), {
      applicationId: CSP.applicationId,
      kind: 'data-centre-location',
      description: 'A second data centre',
      plannedFor: '2099-01-01T00:00:00.000Z',
    }),
    recordField: 'applicationId',
  },
  'GET /api/changes/:changeId': { subject: 'csp', access: PROVIDER_RECORD },
  'POST /api/changes/:changeId/recommend': action('csp', only({ reviewer: YES }), { recommendation: 'approve', ...reasons }),
  'POST /api/changes/:changeId/decide': action('csp', only({ director: YES }), { decision: 'approve', ...reasons }),

  // Internal notes: the office's case workers write them, auditors also read them, organisations and administrators never.
  'GET /api/nocs/:nocId/notes': { subject: 'noc', access: NOTES_ON_NOC(true) },
  'POST /api/nocs/:nocId/notes': action('noc', NOTES_ON_NOC(false), NOTE),
  'GET /api/accreditations/:applicationId/notes': { subject: 'csp', access: NOTES_ON_PROVIDER_CASE(true) },
  'POST /api/accreditations/:applicationId/notes': action('csp', NOTES_ON_PROVIDER_CASE(false), NOTE),
  'GET /api/reviews/:reviewId/notes': { subject: 'csp', access: NOTES_ON_PROVIDER_CASE(true) },
  'POST /api/reviews/:reviewId/notes': action('csp', NOTES_ON_PROVIDER_CASE(false), NOTE),
  'GET /api/changes/:changeId/notes': { subject: 'csp', access: NOTES_ON_PROVIDER_CASE(true) },
  'POST /api/changes/:changeId/notes': action('csp', NOTES_ON_PROVIDER_CASE(false), NOTE),
};
