import { appendFileSync } from 'node:fs';
import { ErrorBody } from '../../api/errors';
import type { Role } from '../../domain/shared/vocabulary';
import { exchangeAt, exchangeBefore, RecordingProxy, type Exchange } from '../fuzz/recording-proxy';
import { runSchemathesis } from '../fuzz/schemathesis';
import { testTotp } from '../support/mfa';
import { startStack, type Stack } from '../support/stack';

/**
 * Fuzzing from the OpenAPI document: Schemathesis drives every operation the document lists with
 * generated and malformed inputs, as each role and as nobody, through a proxy that serialises the
 * requests and notes the event log around each. Checks: no 5xx, every answer as documented (status,
 * content type, body schema — refusals as {"error":{"code","message","field"}}), and no event that a
 * refused request wrote. The document drives the operations, so new routes are fuzzed without a change
 * here. CI runs a few examples per operation and role; `npm run fuzz` sets FUZZ_MAX_EXAMPLES higher.
 */
const TASK_QUEUE = 'api-fuzz';
const PASSWORD = 'a long enough password';
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 3);
const SEED = Number(process.env.FUZZ_SEED ?? 20261206);
/** The coverage phase tries every boundary and malformed value of every field: thorough, and minutes long. */
const PHASES = (process.env.FUZZ_PHASES ?? 'examples,fuzzing').split(',');
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'] as const;

const ACCOUNTS = {
  csp: { username: 'fuzz-csp', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus', displayName: 'Nimbus representative' },
  pse: { username: 'fuzz-pse', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT officer' },
  reviewer: { username: 'fuzz-reviewer', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
  'security-reviewer': { username: 'fuzz-security', role: 'security-reviewer', jurisdiction: 'federal', displayName: 'Saima Security' },
  director: { username: 'fuzz-director', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
  'provincial-officer': { username: 'fuzz-officer', role: 'provincial-officer', jurisdiction: 'punjab', displayName: 'Punjab officer' },
  auditor: { username: 'fuzz-auditor', role: 'auditor', jurisdiction: 'federal', displayName: 'Asma Auditor' },
  // Last: an administrator's fuzzing may create or change accounts, which the others must not meet halfway.
  admin: { username: 'fuzz-admin', role: 'admin', jurisdiction: 'federal', displayName: 'Ada Admin' },
} as const satisfies Record<Role, { role: Role } & Record<string, string>>;
type Who = keyof typeof ACCOUNTS;

/**
 * Signing out would end the session the rest of the run relies on. Logging in needs no token, so it
 * is fuzzed once, by nobody (a rate limit there answers a documented 429).
 */
const SESSION_OPERATIONS = ['POST /api/auth/logout', 'POST /api/auth/login'];

let stack: Stack;
let proxy: RecordingProxy;
let origin: string;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    tokens[who] = (await stack.identity.login({ username: ACCOUNTS[who].username, password: PASSWORD, code: testTotp.code(ACCOUNTS[who].username) })).token;
  }
  proxy = new RecordingProxy(stack.base, stack.store);
  origin = await proxy.listen();
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

const describeExchange = (x: Exchange): string =>
  `#${x.seq} ${x.method} ${x.url} ${x.requestBody ? `body ${x.requestBody.slice(0, 300)} ` : ''}→ ${x.status} ${x.responseBody.slice(0, 300)}`;

/** Refusals whose body is not the documented error shape, whatever the document says about the status. */
function badlyShapedRefusals(exchanges: readonly Exchange[]): string[] {
  return exchanges
    .filter((x) => x.status >= 400)
    .filter((x) => {
      try {
        return !x.contentType?.startsWith('application/json') || !ErrorBody.safeParse(JSON.parse(x.responseBody)).success;
      } catch {
        return true;
      }
    })
    .map(describeExchange);
}

/** Events appended since `since` that no accepted request was being answered for. */
async function unexplainedEvents(run: readonly Exchange[], since: Exchange['headBefore']): Promise<string[]> {
  const events = await stack.store.readAll({ after: since });
  return events.flatMap((event) => {
    const during = exchangeAt(run, event.position);
    if (during && during.status < 400) return [];
    const blame = during ?? exchangeBefore(run, event.position);
    return [`${event.stream}#${event.revision} ${event.type}, ${during ? 'during' : 'after'} ${blame ? describeExchange(blame) : 'no request'}`];
  });
}

/** The failures section of the CLI's output: each failing operation, check, response and curl line. */
function failuresOf(output: string): string {
  const start = output.search(/={3,} FAILURES ={3,}/);
  const text = start >= 0 ? output.slice(start) : output;
  return text.length > 20_000 ? `${text.slice(0, 20_000)}\n…` : text;
}

async function fuzzAs(who: Who | 'nobody'): Promise<void> {
  proxy.who = who;
  const first = proxy.exchanges.length;
  const since = await stack.store.headPosition();
  const run = await runSchemathesis({
    schemaUrl: `${origin}/openapi.json`,
    token: who === 'nobody' ? undefined : tokens[who],
    maxExamples: MAX_EXAMPLES,
    seed: SEED,
    phases: PHASES,
    checks: CHECKS,
    exclude: who === 'nobody' ? ['POST /api/auth/logout'] : SESSION_OPERATIONS,
  });
  const exchanges = proxy.exchanges.slice(first);
  if (process.env.FUZZ_LOG) {
    const accepted = exchanges.filter((x) => x.status < 400).length;
    const events = (await stack.store.readAll({ after: since })).length;
    appendFileSync(process.env.FUZZ_LOG, `\n===== as ${who}: ${exchanges.length} requests, ${accepted} accepted, ${events} events =====\n${run.output}`);
  }
  // The next role meets read models that have caught up with what this one wrote.
  await stack.runner.waitFor(await stack.store.headPosition());

  expect(exchanges.length).toBeGreaterThan(0);
  expect({ who, failures: run.exitCode === 0 ? 'none' : failuresOf(run.output) }).toEqual({ who, failures: 'none' });
  expect({ who, badlyShapedRefusals: badlyShapedRefusals(exchanges) }).toEqual({ who, badlyShapedRefusals: [] });
  expect({ who, unexplainedEvents: await unexplainedEvents(exchanges, since) }).toEqual({ who, unexplainedEvents: [] });
}

const FUZZ_TIMEOUT_MS = PHASES.includes('coverage') ? 3_600_000 : Math.max(300_000, MAX_EXAMPLES * 60_000);

describe('the API fuzzed from its OpenAPI document', () => {
  it('answers nobody with documented refusals only, and writes nothing', () => fuzzAs('nobody'), FUZZ_TIMEOUT_MS);

  it.each(Object.keys(ACCOUNTS) as Who[])(
    'answers the %s role without a server error, as documented, and writes events only for accepted requests',
    (who) => fuzzAs(who),
    FUZZ_TIMEOUT_MS,
  );
});
