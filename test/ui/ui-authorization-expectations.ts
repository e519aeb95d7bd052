/**
 * The UI's authorization matrix: one row per route the server-rendered UI registers (pages under /ui
 * and the public pages), naming for every role what it gets. The rules and building blocks are the
 * API matrix's (test/api/authorization-expectations.ts):
 *
 *   ROLE / OWNER  403 page, whoever the record belongs to (the UI answers both the same way)
 *   record(r)     served when rule r holds between the person and the record, else the 404 page,
 *                 answered exactly as for a record that does not exist
 *   record(r, then) as record(r), but where `then` does not hold the 403 page
 *   list(r)       served; the record is on the page when rule r holds
 *
 * "Served" is a page (200), a redirect that is not to sign-in (303 after a form), or the form shown
 * again with what was wrong with it (400, 409, 422: the person got past authorization). Without a
 * session, a page that is not public sends the person to sign in (303 to /ui/login?reason=required).
 *
 * Adding a UI route: add its row here (the matrix fails for a route without one). `params` fills path
 * parameters that do not name a record (an action's name); `form` is what a POST sends besides its
 * form token, a function when each request needs a fresh one.
 */
import { ROLES, type Role } from '../../domain/shared/vocabulary';
import type { Identity } from '../../identity';
import {
  FED_OR_OWN_JUR,
  NOC_REVIEWING,
  OWN_JUR,
  NOC_SIGHT,
  OWN_ORG,
  PROVIDER_RECORD,
  ROLE,
  YES,
  every,
  list,
  only,
  record,
  type Access,
  type SubjectKind,
} from '../api/authorization-expectations';
import { NOC_REQUEST, PASSWORD } from '../api/harness';
import { CSP, FRAMEWORK_EFFECTIVE, FRAMEWORK_NEXT, REGISTRATION_REQUEST } from '../api/matrix-world';
import FRAMEWORK_FILE from '../../framework/benchmark-framework-1.0.json';
import { testTotp } from '../support/mfa';

export interface UiExpectation {
  /** Whose record the route's path names. */
  subject: SubjectKind;
  /** Served to anyone, session or not. */
  public?: boolean;
  access: Record<Role, Access>;
  /** Path parameters that name no record (e.g. an action). */
  params?: Record<string, string>;
  query?: string;
  form?: Record<string, string> | ((identity: Identity) => Promise<Record<string, string>>);
  /** The form field that names the record, when the path does not: it is sent the subject's. */
  recordField?: string;
  /** The subject's parameter a list shows when it shows the record (else the subject's own `listed`). */
  listedParam?: string;
}

/** The account whose sign-in the sign-in routes go through, enrolled by the matrix. */
export const UI_LOGIN_ACCOUNT = 'matrix-ui-login';

/**
 * A case's action in the UI: the page loads the case first, so whoever may not see it gets the 404
 * page (as for a case that does not exist); of those who see it, the roles the action is not for get
 * the 403 page. `sight` is who sees the case, `allowed` who acts (the API matrix's rows for both).
 */
const act = (sight: Record<Role, Access>, allowed: Record<Role, Access>): Record<Role, Access> =>
  Object.fromEntries(
    ROLES.map((role) => {
      const seen = sight[role];
      const may = allowed[role];
      if (seen.kind !== 'record') return [role, seen];
      if (may.kind === 'role') return [role, record(seen.rule, 'never')];
      if (may.kind === 'record') return [role, record(seen.rule, may.then ?? may.rule)];
      return [role, may];
    }),
  ) as Record<Role, Access>;

const publicPage = (query?: string): UiExpectation => ({ subject: 'none', public: true, access: every(YES), ...(query ? { query } : {}) });
const page = (subject: SubjectKind, access: Record<Role, Access>, extra: Partial<UiExpectation> = {}): UiExpectation => ({ subject, access, ...extra });
/** A NOC request as the form sends it. */
const NOC_FORM = { ...NOC_REQUEST, systems: NOC_REQUEST.systems.join('\n'), requestedMonths: String(NOC_REQUEST.requestedMonths) };
const NOC_CASE = NOC_SIGHT((rule) => record(rule));

/** The entity portal is its officers' (role pse); a record of another entity is the 404 page, as a missing one. */
const ENTITY = only({ pse: YES });
const ENTITY_RECORD = only({ pse: OWN_ORG });
/** The provider portal is its representatives' (role csp); another provider's record is the 404 page. */
const PROVIDER = only({ csp: YES });
const PROVIDER_OWN = only({ csp: OWN_ORG });
const PROCUREMENT_FORM = { offeringId: CSP.offeringId, dataClass: 'open', system: 'Website' };
/**
 * The entity register is its keepers': administrators (federal ones every entity, a province's its own)
 * and the provincial officers of the entity's province; an entity they may not see is the 404 page.
 */
const REGISTER_KEEPERS = only({ admin: FED_OR_OWN_JUR, 'provincial-officer': OWN_JUR });
/** The framework register's pages are the directors', of every jurisdiction (the API's rows). */
const DIRECTORS = only({ director: YES });
/**
 * Significant changes as the staff work them: the API shows a change to the Office's staff and its own
 * provider; these pages are the compliance staff's (the dashboard's: reviewers, security reviewers,
 * directors, auditors), so a provider (who has its own pages) and an administrator are refused.
 */
const CHANGE_STAFF = only({ reviewer: YES, 'security-reviewer': YES, director: YES, auditor: YES });
const CHANGE_LIST = only({ reviewer: list('always'), 'security-reviewer': list('always'), director: list('always'), auditor: list('always') });
const reasons = { reasons: 'Recorded for the UI authorization matrix' };
let registrationNumbers = 1;
const NOTE_FORM = { text: 'Recorded for the UI authorization matrix' };
/** A provider's case is federal work: a provincial officer does not see it at all. */
const NOTES_ON_PROVIDER_CASE = { ...only({ reviewer: YES, 'security-reviewer': YES, director: YES, 'provincial-officer': record('never') }), auditor: record('always', 'never') };
const MATRIX_COMMAND = '6f1c2a9e-8d3b-4c7a-9e21-3b5d7f0a1c42';

export const UI_EXPECTATIONS: Record<string, UiExpectation> = {
  'GET /': publicPage(),
  'GET /accredited-list': publicPage(),
  'GET /accredited-list/changes': publicPage(),
  'GET /procurement-check': publicPage('pse=pse-fed&offering=off-gov&dataClass=open'),
  'GET /frameworks': publicPage(),
  'GET /adoption': publicPage(),
  // An offering's public page names it in the path (off-gov of the public fixture): anyone reads it.
  'GET /offerings/:offeringId': { ...publicPage(), subject: 'csp' },
  'GET /accredited-list/changes.atom': publicPage(),
  'GET /frameworks/:version': { ...publicPage(), params: { version: '1.0' } },
  'GET /ui/static/ui.css': publicPage(),
  'GET /ui/static/queue-refresh.js': publicPage(),

  // Signing in is for anyone; the rows go through a real sign-in of an enrolled account each time.
  'GET /ui/login': publicPage(),
  'POST /ui/login': { ...publicPage(), form: { username: UI_LOGIN_ACCOUNT, password: PASSWORD } },
  'POST /ui/login/code': {
    ...publicPage(),
    form: async (identity) => {
      const { challenge } = await identity.startSignIn({ username: UI_LOGIN_ACCOUNT, password: PASSWORD });
      return { challenge, code: testTotp.code(UI_LOGIN_ACCOUNT) };
    },
  },
  'POST /ui/logout': publicPage(),

  'GET /ui/queue': page('none', every(YES)),
  'POST /ui/queue/claim': page('none', every(YES), { form: { taskId: 'matrix-no-such-task' } }),
  'POST /ui/queue/release': page('none', every(YES), { form: { taskId: 'matrix-no-such-task' } }),
  'POST /ui/queue/reassign': page('none', only({ director: YES }), { form: { taskId: 'matrix-no-such-task', from: 'matrix-nobody', to: 'matrix-nobody-else', reason: 'Recorded for the UI authorization matrix' } }),

  'GET /ui/nocs': page('noc', NOC_SIGHT(list)),
  'GET /ui/nocs.csv': page('noc', NOC_SIGHT(list)),
  'GET /ui/nocs/:nocId': page('noc', NOC_CASE),
  'POST /ui/nocs/:nocId/:action': page('noc', act(NOC_CASE, NOC_REVIEWING), { params: { action: 'start-review' } }),

  'GET /ui/accreditations': page('none', every(YES)),
  'GET /ui/accreditations/new': page('none', only({ csp: YES })),
  'POST /ui/accreditations/csp': page('none', only({ csp: YES })),
  'POST /ui/accreditations/offerings': page('none', only({ csp: YES })),
  'POST /ui/accreditations': page('none', only({ csp: YES })),
  'GET /ui/accreditations/:applicationId': page('csp', PROVIDER_RECORD),
  'POST /ui/accreditations/:applicationId/:action': page('csp', act(PROVIDER_RECORD, only({ reviewer: YES })), { params: { action: 'start-screening' } }),

  'GET /ui/reviews/:reviewId': page('csp', PROVIDER_RECORD),
  // An evidence file opens for whoever may see a case that names it (the matrix world's review names it).
  'GET /ui/evidence/:sha256': page('csp', PROVIDER_RECORD),
  'POST /ui/reviews/:reviewId/:action': page('csp', act(PROVIDER_RECORD, only({ reviewer: YES })), { params: { action: 'request-evidence' }, form: { request: 'Logs, please' } }),
  // Every signed-in person gets the page; complianceQueries.dashboard(actor) shows the rows of the
  // Office's compliance staff and a provider's own, and nobody else any (projections' own tests).
  'GET /ui/compliance': page('none', every(YES)),

  'GET /ui/audit/log': page('none', only({ auditor: YES })),
  'GET /ui/audit/as-of': page('none', only({ auditor: YES })),
  'GET /ui/audit/verification': page('none', only({ auditor: YES })),
  'GET /ui/audit/cases/:stream/dossier': page('none', only({ auditor: YES })),

  // The entity's home lists its own NOCs, never another entity's.
  'GET /ui/entity': page('noc', only({ pse: list('own-org') })),
  'GET /ui/entity/offerings': page('none', ENTITY, { query: 'q=gov&for=procurement' }),
  'GET /ui/entity/nocs/new': page('none', ENTITY),
  'POST /ui/entity/nocs': page('none', ENTITY, { form: NOC_FORM }),
  'GET /ui/entity/nocs/:nocId': page('noc', ENTITY_RECORD),
  'POST /ui/entity/nocs/:nocId/:action': page('noc', ENTITY_RECORD, { params: { action: 'withdraw' }, form: { reason: 'No longer needed' } }),
  'GET /ui/entity/procurements/new': page('none', ENTITY),
  'POST /ui/entity/procurements/check': page('none', ENTITY, { form: PROCUREMENT_FORM }),
  'POST /ui/entity/procurements': page('none', ENTITY, { form: { ...PROCUREMENT_FORM, seenDecision: 'allowed' } }),
  'GET /ui/entity/procurements/:procurementId': page('pse', ENTITY_RECORD),
  'POST /ui/entity/procurements/:procurementId/end': page('pse', ENTITY_RECORD, { form: { reason: 'Moved' } }),
  'GET /ui/entity/procurement-check': page('none', ENTITY, { query: `offering=${CSP.offeringId}&dataClass=open` }),

  // Anyone may ask to be registered (a fresh registration number each time); only administrators decide.
  'GET /ui/provider-registration': publicPage(),
  'GET /ui/provider-registration/sent': publicPage(`request=${REGISTRATION_REQUEST}`),
  'POST /ui/provider-registration': {
    ...publicPage(),
    form: async () => ({
      organisationName: 'Matrix Cloud',
      registrationNumber: `MATRIX-UI-${++registrationNumbers}`,
      contactName: 'Matrix Contact',
      contactEmail: 'contact@matrix.example',
      username: 'matrix-ui-applicant',
    }),
  },
  'GET /ui/provider-registrations': page('none', only({ admin: YES })),
  'POST /ui/provider-registrations/:requestId/approve': page('none', only({ admin: YES }), { form: { cspId: 'csp-matrix' } }),
  'POST /ui/provider-registrations/:requestId/refuse': page('none', only({ admin: YES }), { form: { reasons: 'Recorded for the UI authorization matrix' } }),

  // The provider's home lists its own offerings, never another provider's.
  'GET /ui/provider': page('csp', only({ csp: list('own-org') })),
  'POST /ui/provider/offerings': page('none', PROVIDER, {
    form: { offeringId: 'off-matrix', name: 'Matrix Cloud', serviceModels: 'IaaS', deploymentModel: 'public', dataCentres: 'Islamabad, PK' },
  }),
  // The offering retired is one of the provider's own: another provider's is answered as one that does not exist.
  'POST /ui/provider/offerings/:offeringId/retire': page('csp', PROVIDER_OWN, { form: { reason: 'End of life' } }),
  'GET /ui/provider/reports/:applicationId': page('csp', PROVIDER_OWN),
  'POST /ui/provider/reports/:applicationId': page('csp', PROVIDER_OWN, {
    form: { period: '2025-02', summary: 'Quiet month', high: '0', moderate: '1', low: '2' },
  }),
  'GET /ui/provider/changes/new': page('none', PROVIDER, { query: `application=${CSP.applicationId}` }),
  'POST /ui/provider/changes': page('csp', PROVIDER_OWN, {
    recordField: 'applicationId',
    // As the page's form sends it, with its command id (a fresh one on every page would differ between two answers).
    form: { kind: 'data-centre-location', description: 'A second data centre', plannedFor: '2099-01-01', commandId: MATRIX_COMMAND },
  }),
  'GET /ui/provider/apply': page('none', PROVIDER),
  'POST /ui/provider/apply': page('csp', PROVIDER_OWN, {
    recordField: 'offeringId',
    form: { requestedBaseline: 'baseline', 'evidence-1-kind': 'iso-27001', 'evidence-1-reference': 'Certificate 1', frameworkVersion: '1.0' },
  }),

  'GET /ui/accounts': page('none', only({ admin: YES })),
  // The office's own pace (timer lateness, lag, outbox, open cases per province): its administrators and directors.
  'GET /ui/operations': page('none', only({ admin: YES, director: YES })),
  // The row names another's account: only administrators change it here (a person keeps their own in the inbox).
  'POST /ui/accounts/:username/email': page('none', only({ admin: YES }), { form: { email: 'matrix@example.gov.pk' } }),
  'POST /ui/accounts/:username/grants/:grantId/approve': page('none', only({ admin: YES })),
  'POST /ui/accounts/:username/grants/:grantId/reject': page('none', only({ admin: YES }), { form: { reason: 'Recorded for the UI authorization matrix' } }),

  // The register lists the entities the keeper sees; registering a federal entity is a federal
  // administrator's or a federal provincial officer's (any other: 403 OUTSIDE_JURISDICTION on the form).
  'GET /ui/entities': page('pse', only({ admin: list('federal-or-own-jurisdiction'), 'provincial-officer': list('own-jurisdiction') }), { listedParam: 'pseId' }),
  'POST /ui/entities': page('none', only({ admin: record('always', 'federal-or-own-jurisdiction'), 'provincial-officer': record('always', 'own-jurisdiction') }), {
    form: { pseId: 'pse-matrix', name: 'Matrix Entity', ministry: 'IT', jurisdiction: 'federal' },
  }),
  'GET /ui/entities/:pseId': page('pse', REGISTER_KEEPERS),
  'POST /ui/entities/:pseId/details': page('pse', REGISTER_KEEPERS, { form: { name: 'Matrix Entity Renamed', ministry: 'IT', reason: 'Renamed by notification' } }),
  // A province's administrator sees its entities but does not move them; a provincial officer moves none.
  'POST /ui/entities/:pseId/jurisdiction': page('pse', only({ admin: record('federal-or-own-jurisdiction', 'federal-person') }), {
    form: { jurisdiction: 'sindh', reason: 'Devolved' },
  }),

  // Version 1.1 awaits a decision, proposed by a director none of the matrix's people is.
  'GET /ui/frameworks': page('none', DIRECTORS),
  'POST /ui/frameworks': page('none', DIRECTORS, {
    form: {
      framework: JSON.stringify({ ...FRAMEWORK_FILE, version: FRAMEWORK_NEXT, effectiveFrom: FRAMEWORK_EFFECTIVE }),
      changes: 'Recorded for the UI authorization matrix',
      intent: 'propose',
    },
  }),
  'GET /ui/frameworks/:version': page('none', DIRECTORS),
  'POST /ui/frameworks/:version/approve': page('none', DIRECTORS),
  'POST /ui/frameworks/:version/reject': page('none', DIRECTORS, { form: reasons }),

  // The provider's change request (CHG-1): on the staff's list, on its page; reviewers recommend, directors decide.
  'GET /ui/changes': page('csp', CHANGE_LIST, { listedParam: 'changeId' }),
  'GET /ui/changes/:changeId': page('csp', CHANGE_STAFF),
  'POST /ui/changes/:changeId/recommend': page('csp', act(CHANGE_STAFF, only({ reviewer: YES })), { form: { recommendation: 'approve', ...reasons } }),
  'POST /ui/changes/:changeId/decide': page('csp', act(CHANGE_STAFF, only({ director: YES })), { form: { decision: 'approve', ...reasons } }),

  // Everyone's own inbox: the page, marking read (another's notice id is ignored) and their own address.
  'GET /ui/inbox': page('none', every(YES)),
  'POST /ui/inbox/read': page('none', every(YES), { form: { id: 'matrix-no-such-notice' } }),
  'POST /ui/inbox/email': page('none', every(YES), { form: { email: 'matrix@example.gov.pk' } }),

  // Internal notes, added from the case's page: the office's case workers; an auditor reads them but is refused the form; organisations and administrators never.
  'POST /ui/nocs/:nocId/notes': page('noc', { ...NOC_CASE, csp: ROLE, pse: ROLE, admin: ROLE, auditor: record('always', 'never') }, { form: NOTE_FORM }),
  'POST /ui/accreditations/:applicationId/notes': page('csp', NOTES_ON_PROVIDER_CASE, { form: NOTE_FORM }),
  'POST /ui/reviews/:reviewId/notes': page('csp', NOTES_ON_PROVIDER_CASE, { form: NOTE_FORM }),
  'POST /ui/changes/:changeId/notes': page('csp', NOTES_ON_PROVIDER_CASE, { form: NOTE_FORM }),
};
