import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { AnyRoute } from '../../api/route';
import { apiRoutes, buildApi } from '../../api/server';
import type { Actor } from '../../domain/shared/actor';
import { ROLES, type Jurisdiction, type Role } from '../../domain/shared/vocabulary';
import type { Identity } from '../../identity';
import { createInbox } from '../../api/inbox';
import { allProjections } from '../../projections';
import { createInboxQueries } from '../../projections/notices/inbox';
import { memoryDb } from '../projections/support';
import { createTestIdentity, oneTimePasswordFor, seedAccount, seedEnrolledAccount } from '../support/identity';
import { testTotp } from '../support/mfa';
import { EXPECTATIONS, holds, type Access, type Expectation, type SubjectKind } from './authorization-expectations';
import { PASSWORD } from './harness';
import { CSP, FRAMEWORK_PROPOSED, OTHER_CSP, OTHER_PSE, PSES, REGISTRATION_REQUEST, matrixWorld, type MatrixWorld } from './matrix-world';

/**
 * The authorization matrix: every route of the API × every role × own or another organisation × own or
 * another jurisdiction, against the real API over an in-memory world, each answer compared with the
 * hand-written expectations (authorization-expectations.ts). A refusal must be logged once with the
 * actor and the route; a record answered as hidden must be answered exactly as a missing one.
 */

interface Subject {
  kind: SubjectKind;
  org: string;
  jurisdiction: Jurisdiction;
  params: Record<string, string>;
  /** What a list shows when it shows this record. */
  listed?: string;
}
const SUBJECTS: Record<SubjectKind, Subject[]> = {
  csp: [{ kind: 'csp', org: CSP.org, jurisdiction: 'federal', params: { cspId: CSP.org, offeringId: CSP.offeringId, applicationId: CSP.applicationId, reviewId: CSP.reviewId, changeId: CSP.changeId, sha256: CSP.evidence } }],
  pse: Object.values(PSES).map((p) => ({ kind: 'pse', org: p.pseId, jurisdiction: p.jurisdiction, params: { pseId: p.pseId, procurementId: p.procurementId }, listed: p.procurementId })),
  noc: Object.values(PSES).map((p) => ({ kind: 'noc', org: p.pseId, jurisdiction: p.jurisdiction, params: { nocId: p.nocId }, listed: p.nocId })),
  none: [{ kind: 'none', org: '-', jurisdiction: 'federal', params: { model: 'noc-register', stream: `noc-${PSES.federal.nocId}`, username: 'matrix-target', grantId: 'matrix-no-such-grant', version: FRAMEWORK_PROPOSED, requestId: REGISTRATION_REQUEST } }],
};
/** The path parameters that name a record whose existence is at stake. */
const RECORD_PARAMS = ['cspId', 'applicationId', 'reviewId', 'changeId', 'nocId', 'pseId', 'procurementId', 'sha256'];
const MISSING = 'MISSING-1';
/** A record named by a hash is missing under a well-formed hash nobody stored. */
const missingFor = (param: string | undefined): string => (param === 'sha256' ? '0'.repeat(64) : MISSING);
const JURISDICTIONS: Jurisdiction[] = ['federal', 'punjab', 'sindh'];

interface Profile {
  role: Role;
  org?: string;
  jurisdiction: Jurisdiction;
}
function profilesFor(subject: Subject): Profile[] {
  const orgs = (role: Role): (string | undefined)[] => {
    if (role === 'csp') return [CSP.org, OTHER_CSP];
    if (role === 'pse') return subject.kind === 'pse' || subject.kind === 'noc' ? [subject.org, OTHER_PSE] : [PSES.federal.pseId];
    return [undefined];
  };
  return ROLES.flatMap((role) => orgs(role).flatMap((org) => JURISDICTIONS.map((jurisdiction) => ({ role, org, jurisdiction }))));
}

type Answer = 'allowed' | 'unauthenticated' | 'role' | 'hidden' | 'not-owner' | 'listed' | 'unlisted';
function expected(access: Access, who: Profile, subject: Subject): Answer {
  switch (access.kind) {
    case 'role':
      return 'role';
    case 'owner':
      return who.org === subject.org ? 'allowed' : 'not-owner';
    case 'record':
      if (!holds(access.rule, who, subject)) return 'hidden';
      return access.then === undefined || holds(access.then, who, subject) ? 'allowed' : 'role';
    case 'list':
      return holds(access.rule, who, subject) ? 'listed' : 'unlisted';
  }
}

interface Reply {
  statusCode: number;
  body: string;
}
const errorOf = (res: Reply): { code?: string; message?: string; field?: string } => {
  try {
    return (JSON.parse(res.body) as { error?: { code?: string } }).error ?? {};
  } catch {
    return {};
  }
};
/** What the answer means for authorization; anything else a route may answer (409, 422, four eyes) is "allowed". */
function answerOf(res: Reply, listing: Subject['listed'] | undefined): Answer | string {
  const { code } = errorOf(res);
  if (res.statusCode === 401) return 'unauthenticated';
  if (res.statusCode === 403 && (code === 'ROLE_NOT_ALLOWED' || code === 'OUTSIDE_JURISDICTION')) return 'role';
  if (res.statusCode === 403 && code === 'NOT_CASE_OWNER') return 'not-owner';
  if (res.statusCode === 403 && code !== 'FOUR_EYES_VIOLATION') return `leaks ${code}`;
  if (res.statusCode === 404 && code === 'NOT_FOUND') return 'hidden';
  if (res.statusCode === 400 || res.statusCode >= 500) return `${res.statusCode} ${res.body}`;
  if (listing !== undefined && res.statusCode === 200) return res.body.includes(`"${listing}"`) ? 'listed' : 'unlisted';
  return 'allowed';
}

const keyOf = (route: AnyRoute): string => `${route.method} ${route.url}`;
const bodyOf = (expectation: Expectation): unknown => (typeof expectation.body === 'function' ? (expectation.body as () => unknown)() : expectation.body);
const urlOf = (route: AnyRoute, params: Record<string, string>, query?: string): string => {
  const path = route.url.replace(/:(\w+)/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`No value for :${name} in ${route.url}`);
    return encodeURIComponent(value);
  });
  return query ? `${path}?${query}` : path;
};

let world: MatrixWorld;
let identity: Identity;
let app: FastifyInstance;
let routes: AnyRoute[];
const logLines: Record<string, unknown>[] = [];
const sessions = new Map<string, { token: string; actor: Actor }>();

const describeProfile = (p: Profile): string => `${p.role}/${p.org ?? 'office'}/${p.jurisdiction}`;
/** Usernames are at most 32 characters: the role by its index, the jurisdiction by its first letters. */
const usernameOf = (p: Profile): string => `m${ROLES.indexOf(p.role)}-${p.org ?? 'office'}-${p.jurisdiction.slice(0, 3)}`;
async function signIn(p: Profile, fresh = false): Promise<{ token: string; actor: Actor }> {
  const username = usernameOf(p);
  const known = sessions.get(username);
  if (known && !fresh) return known;
  const session = known
    ? await identity.login({ username, password: PASSWORD, code: testTotp.code(username) })
    : await seedEnrolledAccount(identity, { username, role: p.role, jurisdiction: p.jurisdiction, password: PASSWORD, ...(p.org ? { organisationId: p.org } : {}) });
  sessions.set(username, session);
  return session;
}

beforeAll(async () => {
  world = await matrixWorld();
  identity = await createTestIdentity();
  await seedAccount(identity, { username: 'matrix-target', role: 'reviewer', jurisdiction: 'federal', password: PASSWORD });
  await seedEnrolledAccount(identity, { username: 'matrix-login', role: 'auditor', jurisdiction: 'federal', password: PASSWORD });
  // Its one-time password replaced by its own in a first enrolment it never confirms: each request starts the enrolment again.
  await seedAccount(identity, { username: 'matrix-enrol', role: 'reviewer', jurisdiction: 'federal', password: oneTimePasswordFor(PASSWORD) });
  await identity.beginMfaEnrolment({ username: 'matrix-enrol', password: oneTimePasswordFor(PASSWORD), newPassword: PASSWORD });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  world.bindIdentity(identity);
  const inbox = createInbox(createInboxQueries(memoryDb(...allProjections())), identity);
  const deps = { ...world.deps, identity, inbox, logger: pino({ level: 'warn' }, sink) };
  routes = apiRoutes(deps);
  app = buildApi(deps);
  await app.ready();
});
afterAll(async () => {
  await app.close();
  identity.close();
});

describe('the authorization matrix', () => {
  it('has an expectation for every route of the API, and none for a route that does not exist', () => {
    expect(routes.map(keyOf).filter((key) => EXPECTATIONS[key] === undefined)).toEqual([]);
    expect(Object.keys(EXPECTATIONS).filter((key) => !routes.some((route) => keyOf(route) === key))).toEqual([]);
  });

  it('sends every route a body and query its schemas accept, so no refusal hides behind a 400', () => {
    for (const route of routes) {
      const expectation = EXPECTATIONS[keyOf(route)] as Expectation;
      if (route.body) expect([keyOf(route), route.body.safeParse(bodyOf(expectation) ?? {}).success]).toEqual([keyOf(route), true]);
      if (route.query) expect([keyOf(route), route.query.safeParse(Object.fromEntries(new URLSearchParams(expectation.query ?? ''))).success]).toEqual([keyOf(route), true]);
    }
  });

  it('answers every route × role × organisation × jurisdiction as expected, logs every refusal, and hides records exactly as missing ones', async () => {
    const mismatches: string[] = [];
    let rows = 0;
    const send = (route: AnyRoute, expectation: Expectation, params: Record<string, string>, token?: string, body = bodyOf(expectation)) =>
      app.inject({
        method: route.method,
        url: urlOf(route, params, expectation.query),
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(route.method === 'GET' ? {} : { payload: (body ?? {}) as object }),
      });

    for (const route of routes) {
      const key = keyOf(route);
      const expectation = EXPECTATIONS[key] as Expectation;
      for (const subject of SUBJECTS[expectation.subject]) {
        const listing = Object.values(expectation.access).some((a) => a.kind === 'list') ? subject.listed : undefined;
        const cases: { who: string; profile?: Profile; want: Answer }[] = [
          { who: 'anonymous', want: expectation.public ? (listing ? 'unlisted' : 'allowed') : 'unauthenticated' },
          ...profilesFor(subject).map((profile) => ({ who: describeProfile(profile), profile, want: expected(expectation.access[profile.role], profile, subject) })),
        ];
        for (const { who, profile, want } of cases) {
          rows += 1;
          world.reset();
          const session = profile ? await signIn(profile) : undefined;
          logLines.length = 0;
          const res = await send(route, expectation, subject.params, session?.token);
          const got = answerOf(res, listing);
          const row = `${key} [${subject.org}/${subject.jurisdiction}] as ${who}`;
          if (got !== want) mismatches.push(`${row}: expected ${want}, got ${got}`);
          const refused = ['unauthenticated', 'role', 'hidden', 'not-owner'].includes(want);
          const logged = logLines.filter((l) => l.msg === 'access refused');
          if (refused && (logged.length !== 1 || logged[0]?.route !== route.url || logged[0]?.actorId !== session?.actor.userId)) {
            mismatches.push(`${row}: refusal not logged once with actor and route (${JSON.stringify(logged)})`);
          }
          if (!refused && logged.length > 0) mismatches.push(`${row}: logged a refusal for an allowed request`);
          if (want === 'hidden' && profile) {
            const param = RECORD_PARAMS.find((name) => route.url.includes(`:${name}`));
            const field = expectation.recordField;
            const named = param !== undefined ? subject.params[param] : field !== undefined ? (bodyOf(expectation) as Record<string, string>)[field] : undefined;
            if (named === undefined) {
              mismatches.push(`${row}: hidden, but neither the path nor the body names a record`);
            } else {
              const missing =
                param !== undefined
                  ? await send(route, expectation, { ...subject.params, [param]: missingFor(param) }, session?.token)
                  : await send(route, expectation, subject.params, session?.token, { ...(bodyOf(expectation) as object), [field as string]: MISSING });
              const hidden = errorOf(res);
              const asMissing = { ...hidden, message: hidden.message?.split(named).join(missingFor(param)) };
              if (missing.statusCode !== res.statusCode || JSON.stringify(errorOf(missing)) !== JSON.stringify(asMissing)) {
                mismatches.push(`${row}: hidden answer ${res.body} differs from the missing one ${missing.body}`);
              }
            }
          }
          if (key === 'POST /api/auth/logout' && profile) await signIn(profile, true);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(rows).toBeGreaterThan(routes.length * ROLES.length * 2);
    if (process.env.MATRIX_ROWS) process.stdout.write(`authorization matrix: ${rows} rows over ${routes.length} routes\n`);
  });
});
