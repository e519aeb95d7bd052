import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { apiRoutes, buildApi } from '../../api/server';
import { ROLES, type Jurisdiction, type Role } from '../../domain/shared/vocabulary';
import type { Identity } from '../../identity';
import { registerUi } from '../../ui/register-ui';
import { holds, type Access, type SubjectKind } from '../api/authorization-expectations';
import { PASSWORD } from '../api/harness';
import { CSP, FRAMEWORK_PROPOSED, OTHER_CSP, OTHER_PSE, PSES, REGISTRATION_REQUEST, matrixWorld, type MatrixWorld } from '../api/matrix-world';
import { createTestIdentity, seedEnrolledAccount } from '../support/identity';
import { InjectBrowser } from './inject-browser';
import { UI_EXPECTATIONS, UI_LOGIN_ACCOUNT, type UiExpectation } from './ui-authorization-expectations';

/**
 * The UI's authorization matrix: every route the UI registers on Fastify (collected by an onRoute
 * hook, so a new page is in the matrix the moment it exists) × every role × own or another
 * organisation × own or another jurisdiction, and without a session, against the expectations in
 * ui-authorization-expectations.ts. The world and the rules are the API matrix's. A refusal must be
 * logged once with the actor and the route; a record answered as hidden must be answered exactly as
 * a missing one.
 */

interface Subject {
  org: string;
  jurisdiction: Jurisdiction;
  params: Record<string, string>;
  /** What a list shows when it shows this record. */
  listed?: string;
}
const SUBJECTS: Record<SubjectKind, Subject[]> = {
  csp: [
    {
      org: CSP.org,
      jurisdiction: 'federal',
      params: { applicationId: CSP.applicationId, reviewId: CSP.reviewId, offeringId: CSP.offeringId, changeId: CSP.changeId, sha256: CSP.evidence },
      listed: CSP.offeringId,
    },
  ],
  pse: Object.values(PSES).map((p) => ({ org: p.pseId, jurisdiction: p.jurisdiction, params: { pseId: p.pseId, procurementId: p.procurementId }, listed: p.procurementId })),
  noc: Object.values(PSES).map((p) => ({ org: p.pseId, jurisdiction: p.jurisdiction, params: { nocId: p.nocId }, listed: p.nocId })),
  none: [
    {
      org: '-',
      jurisdiction: 'federal',
      params: {
        stream: `noc-${PSES.federal.nocId}`,
        username: 'matrix-target',
        grantId: 'matrix-no-such-grant',
        requestId: REGISTRATION_REQUEST,
        version: FRAMEWORK_PROPOSED,
      },
    },
  ],
};
/** The path parameters that name a record whose existence is at stake (a provider's offering is its own organisation's). */
const RECORD_PARAMS = ['applicationId', 'reviewId', 'nocId', 'pseId', 'procurementId', 'offeringId', 'changeId', 'sha256'];
const MISSING = 'MISSING-1';
const JURISDICTIONS: Jurisdiction[] = ['federal', 'punjab', 'sindh'];

interface Profile {
  role: Role;
  org?: string;
  jurisdiction: Jurisdiction;
}
function profilesFor(kind: SubjectKind, subject: Subject): Profile[] {
  const orgs = (role: Role): (string | undefined)[] => {
    if (role === 'csp') return [CSP.org, OTHER_CSP];
    if (role === 'pse') return kind === 'pse' || kind === 'noc' ? [subject.org, OTHER_PSE] : [PSES.federal.pseId];
    return [undefined];
  };
  return ROLES.flatMap((role) => orgs(role).flatMap((org) => JURISDICTIONS.map((jurisdiction) => ({ role, org, jurisdiction }))));
}

type Answer = 'served' | 'sign-in' | 'refused' | 'hidden' | 'listed' | 'unlisted';
function expected(access: Access, who: Profile, subject: Subject): Answer {
  switch (access.kind) {
    case 'role':
      return 'refused';
    case 'owner':
      return who.org === subject.org ? 'served' : 'refused';
    case 'record':
      if (!holds(access.rule, who, subject)) return 'hidden';
      return access.then === undefined || holds(access.then, who, subject) ? 'served' : 'refused';
    case 'list':
      return holds(access.rule, who, subject) ? 'listed' : 'unlisted';
  }
}

interface Reply {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
}
function answerOf(res: Reply, listing: string | undefined): Answer | string {
  const location = String(res.headers.location ?? '');
  if (res.statusCode === 303 && location.startsWith('/ui/login?reason=required')) return 'sign-in';
  if (res.statusCode === 403) return 'refused';
  if (res.statusCode === 404) return 'hidden';
  if (res.statusCode === 401 || res.statusCode >= 500) return `${res.statusCode} ${(/<h1>(.*?)<\/h1>/.exec(res.body) ?? [])[1] ?? res.body.slice(0, 200)}`;
  if (listing !== undefined && res.statusCode === 200) return res.body.includes(listing) ? 'listed' : 'unlisted';
  return [200, 303, 400, 409, 422].includes(res.statusCode) ? 'served' : `${res.statusCode}`;
}
/** The part of an error page that could tell a hidden record from a missing one. */
const errorOf = (body: string): string => /<main[^>]*>([\s\S]*?)<\/main>/.exec(body)?.[1] ?? body;

const urlOf = (route: string, params: Record<string, string>, query?: string): string => {
  const path = route.replace(/:(\w+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${route}`);
    return encodeURIComponent(value);
  });
  return query ? `${path}?${query}` : path;
};

let dir: string;
let world: MatrixWorld;
let identity: Identity;
let app: FastifyInstance;
const uiRoutes: string[] = [];
const logLines: Record<string, unknown>[] = [];
/** One signed-in browser per profile, with its form token; signed in again after it signs out. */
const browsers = new Map<string, { browser: InjectBrowser; csrf: string; actorId: string }>();
const anonymous: { browser?: InjectBrowser; csrf?: string } = {};

const describeProfile = (p: Profile): string => `${p.role}/${p.org ?? 'office'}/${p.jurisdiction}`;
const usernameOf = (p: Profile): string => `u${ROLES.indexOf(p.role)}-${p.org ?? 'office'}-${p.jurisdiction.slice(0, 3)}`;
const seeded = new Map<string, string>();
async function browserOf(p: Profile, fresh = false) {
  const username = usernameOf(p);
  const known = browsers.get(username);
  if (known && !fresh) return known;
  if (!seeded.has(username)) {
    const session = await seedEnrolledAccount(identity, { username, role: p.role, jurisdiction: p.jurisdiction, password: PASSWORD, ...(p.org ? { organisationId: p.org } : {}) });
    seeded.set(username, session.actor.userId);
  }
  const browser = new InjectBrowser(app);
  const signedIn = await browser.signIn(username, PASSWORD);
  if (signedIn.statusCode !== 303) throw new Error(`${username} could not sign in to the UI (${signedIn.statusCode})`);
  // Every page a signed-in person gets carries the sign-out form, and with it the session's form token.
  const csrf = await browser.csrf('/ui/matrix-no-such-page');
  const entry = { browser, csrf, actorId: seeded.get(username) as string };
  browsers.set(username, entry);
  return entry;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ui-matrix-'));
  world = await matrixWorld();
  identity = await createTestIdentity();
  // Approving a provider's registration request creates its account here.
  world.bindIdentity(identity);
  await seedEnrolledAccount(identity, { username: UI_LOGIN_ACCOUNT, role: 'auditor', jurisdiction: 'federal', password: PASSWORD });
  await seedEnrolledAccount(identity, { username: 'matrix-target', role: 'reviewer', jurisdiction: 'federal', password: PASSWORD });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const deps = { ...world.deps, config: { ...world.deps.config, dataDir: dir }, identity, logger: pino({ level: 'warn' }, sink) };
  app = buildApi(deps);
  const api = new Set(apiRoutes(deps).map((r) => `${r.method} ${r.url}`));
  // Every route registered from here on is the UI's: the API's are in place already.
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const key = `${method} ${route.url}`;
      if (method !== 'HEAD' && !api.has(key)) uiRoutes.push(key);
    }
  });
  registerUi(app, deps);
  await app.ready();
  anonymous.browser = new InjectBrowser(app);
  anonymous.csrf = await anonymous.browser.csrf('/ui/login');
});
afterAll(async () => {
  await app.close();
  identity.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the UI authorization matrix', () => {
  it('has an expectation for every route of the UI, and none for a route that does not exist', () => {
    expect(uiRoutes.length).toBeGreaterThan(20);
    expect(uiRoutes.filter((key) => UI_EXPECTATIONS[key] === undefined)).toEqual([]);
    expect(Object.keys(UI_EXPECTATIONS).filter((key) => !uiRoutes.includes(key))).toEqual([]);
  });

  it('answers every route × role × organisation × jurisdiction as expected, logs every refusal, and hides records exactly as missing ones', async () => {
    const mismatches: string[] = [];
    let rows = 0;
    const send = async (key: string, expectation: UiExpectation, params: Record<string, string>, who: { browser: InjectBrowser; csrf: string }) => {
      const [method, route] = key.split(' ') as ['GET' | 'POST', string];
      // A form that names its record (recordField) names the subject's, or MISSING when the missing answer is asked for.
      const named = expectation.recordField !== undefined ? { [expectation.recordField]: params[expectation.recordField] ?? '' } : {};
      const form = method === 'POST' ? { _csrf: who.csrf, ...(typeof expectation.form === 'function' ? await expectation.form(identity) : (expectation.form ?? {})), ...named } : undefined;
      // Straight through the app, not the browser: a sign-in or sign-out in a row must not change whose browser it is.
      return app.inject({
        method,
        url: urlOf(route, { ...params, ...expectation.params }, expectation.query),
        headers: {
          cookie: [...who.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(form ? { payload: new URLSearchParams(form).toString() } : {}),
      });
    };

    // A route without a row fails the test above; here it has nothing to be compared with.
    for (const key of uiRoutes.filter((k) => UI_EXPECTATIONS[k] !== undefined)) {
      const expectation = UI_EXPECTATIONS[key] as UiExpectation;
      const route = key.split(' ')[1] as string;
      for (const subject of SUBJECTS[expectation.subject]) {
        const shown = expectation.listedParam !== undefined ? subject.params[expectation.listedParam] : subject.listed;
        const listing = Object.values(expectation.access).some((a) => a.kind === 'list') ? shown : undefined;
        const cases: { who: string; profile?: Profile; want: Answer }[] = [
          { who: 'anonymous', want: expectation.public ? 'served' : 'sign-in' },
          ...profilesFor(expectation.subject, subject).map((profile) => ({ who: describeProfile(profile), profile, want: expected(expectation.access[profile.role], profile, subject) })),
        ];
        for (const { who, profile, want } of cases) {
          rows += 1;
          world.reset();
          const session = profile ? await browserOf(profile) : { browser: anonymous.browser as InjectBrowser, csrf: anonymous.csrf as string, actorId: undefined };
          logLines.length = 0;
          const res = await send(key, expectation, subject.params, session);
          const got = answerOf(res, listing);
          const row = `${key} [${subject.org}/${subject.jurisdiction}] as ${who}`;
          if (got !== want) mismatches.push(`${row}: expected ${want}, got ${got}`);
          const refused = ['sign-in', 'refused', 'hidden'].includes(want);
          const logged = logLines.filter((l) => l.msg === 'access refused');
          if (refused && (logged.length !== 1 || logged[0]?.route !== route || logged[0]?.actorId !== session.actorId)) {
            mismatches.push(`${row}: refusal not logged once with actor and route (${JSON.stringify(logged)})`);
          }
          if (!refused && logged.length > 0) mismatches.push(`${row}: logged a refusal for an allowed request (${JSON.stringify(logged)})`);
          if (want === 'hidden' && profile) {
            const param = RECORD_PARAMS.find((name) => route.includes(`:${name}`)) ?? expectation.recordField;
            const named = param !== undefined ? subject.params[param] : undefined;
            if (param === undefined || named === undefined) {
              mismatches.push(`${row}: hidden, but neither the path nor the form names a record`);
            } else {
              const missing = await send(key, expectation, { ...subject.params, [param]: MISSING }, session);
              if (missing.statusCode !== res.statusCode || errorOf(missing.body) !== errorOf(res.body).split(named).join(MISSING)) {
                mismatches.push(`${row}: hidden answer differs from the missing one: ${errorOf(res.body)} / ${errorOf(missing.body)}`);
              }
            }
          }
          if (key === 'POST /ui/logout' && profile) await browserOf(profile, true);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(rows).toBeGreaterThan(uiRoutes.length * ROLES.length * 2);
    if (process.env.MATRIX_ROWS) process.stdout.write(`UI authorization matrix: ${rows} rows over ${uiRoutes.length} routes\n`);
  });
});
