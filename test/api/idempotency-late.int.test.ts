import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { notesStream } from '../../api/case-notes';
import { openIdempotencyStore, type IdempotencyStore } from '../../api/idempotency-store';
import { createTemporalNocGateway } from '../../api/noc-gateway';
import { nocStateQuery, type NocWorkflowInput } from '../../workflows/noc/messages';
import { decodedStream } from '../support/case-results';
import { followServerClock, testSigning } from '../support/command-keys';
import { startStack, type Stack } from '../support/stack';
import { timeSkippingEnv } from '../support/temporal';
import { timeSkippingApiDeps } from '../support/time-skipping-stack';
import { eventually } from './compliance-api-support';
import { NOC_REQUEST } from './harness';

/**
 * Issue 14, "nothing doubled": a note and an answer to the reviewer's questions, each sent with an
 * Idempotency-Key, resent after the NOC's process has continued as new and more than the 5-minute seal
 * window has passed on the process's clock — when the process no longer remembers the command as taken
 * (workflows/shared/taken-commands.ts) and Temporal no longer knows the update id — are answered with
 * their first answers from the API's record (api/idempotency-store.ts), and each is taken once.
 *
 * The time-skipping test server moves the processes' clock; the record's clock follows it. The
 * record is a file in the stack's data folder, as server/main.ts opens it. One scenario per file: a
 * second long case in the same file hangs the time-skipping server.
 */
const TASK_QUEUE = 'api-idempotency-late';
const PASSWORD = 'a long enough password';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ACCOUNTS = {
  pse: { username: 'pse-fed', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' },
  reviewer: { username: 'rev', role: 'reviewer', jurisdiction: 'federal' },
} as const;
type Who = keyof typeof ACCOUNTS;

/** NOC processes here hand over to a new run after this many history events, as a long-lived one does. */
const CONTINUE_AFTER_EVENTS = 30;

/** The client, with every process it starts set to continue as new early (NocWorkflowInput.continueAfterEvents). */
function continuingEarly(client: Client): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, prop) {
      const early = (args: readonly unknown[] | undefined): [NocWorkflowInput] => [{ ...(args?.[0] as NocWorkflowInput), continueAfterEvents: CONTINUE_AFTER_EVENTS }];
      if (prop === 'start') {
        return (type: string, options: Parameters<typeof target.start>[1]) => target.start(type, { ...options, args: early(options.args) });
      }
      if (prop === 'executeUpdateWithStart') {
        // A NOC request starts its process with its first update (api/case-start.ts).
        return (update: Parameters<typeof target.executeUpdateWithStart>[0], options: Parameters<typeof target.executeUpdateWithStart>[1]) => {
          const operation = options.startWorkflowOperation;
          operation.options = { ...operation.options, args: early(operation.options.args) };
          return target.executeUpdateWithStart(update, options);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(client, { get: (target, prop) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, target)) });
}

let stack: Stack;
let record: IdempotencyStore;
/** How far the test server's clock is ahead of this process's: the record's clock follows the processes'. */
let serverAheadMs = 0;
const tokens = {} as Record<Who, string>;

beforeAll(async () => {
  const env = timeSkippingEnv();
  stack = await startStack({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    password: PASSWORD,
    env,
    apiDeps: (deps, skipping) => {
      record = openIdempotencyStore(join(deps.config.dataDir, 'idempotency.db'), { retentionMs: 30 * DAY, now: () => Date.now() + serverAheadMs });
      return { ...timeSkippingApiDeps(deps, skipping), nocGateway: createTemporalNocGateway(continuingEarly(skipping.client), deps.config, testSigning()), idempotencyStore: record };
    },
  });
  for (const who of Object.keys(ACCOUNTS) as Who[]) {
    const { username } = ACCOUNTS[who];
    const res = await stack.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD, code: stack.totp.code(username) } });
    tokens[who] = res.json<{ token: string }>().token;
  }
});

afterAll(async () => {
  await stack?.close();
  record?.close();
});

async function skip(ms: number): Promise<void> {
  await stack.env.sleep(ms);
  await followServerClock(stack.env);
  serverAheadMs = (await stack.env.currentTimeMs()) - Date.now();
}

async function post(who: Who, url: string, payload?: object, key?: string) {
  const headers = { authorization: `Bearer ${tokens[who]}`, ...(key === undefined ? {} : { 'idempotency-key': key }) };
  const res = await stack.app.inject({ method: 'POST', url, headers, payload });
  return { status: res.statusCode, text: res.body, body: res.json(), replayed: res.headers['idempotent-replayed'] };
}

const currentRun = async (nocId: string): Promise<string> => (await stack.env.client.workflow.getHandle(`noc:${nocId}`).describe()).runId;

/** Rounds of questions and answers until the process has handed over to a new run. */
async function untilHandedOver(nocId: string, label: string): Promise<void> {
  const run = await currentRun(nocId);
  for (let round = 0; (await currentRun(nocId)) === run; round++) {
    if (round >= 20) throw new Error('the NOC process never continued as new');
    expect((await post('reviewer', `/api/nocs/${nocId}/request-information`, { questions: `${label} ${round}?` })).status).toBe(200);
    expect((await post('pse', `/api/nocs/${nocId}/provide-information`, { answer: `${label} ${round} answer` })).status).toBe(200);
  }
}

describe('late resends with an Idempotency-Key, after continue-as-new and the seal window', () => {
  it('answers a note and an answer resent after the process handed over twice and 6 minutes passed with their first answers, taking each once', async () => {
    const created = await post('pse', '/api/nocs', NOC_REQUEST);
    expect(created.status).toBe(201);
    const nocId = created.body.state.request.nocId as string;
    const notes = `/api/nocs/${nocId}/notes`;
    // Notes are on cases the register shows the person: wait for the projector to record this one.
    await eventually(async () => (await stack.app.inject({ method: 'GET', url: notes, headers: { authorization: `Bearer ${tokens.reviewer}` } })).statusCode, (s) => s === 200, 'the NOC in the register');
    expect((await post('reviewer', `/api/nocs/${nocId}/start-review`)).status).toBe(200);
    const note = await post('reviewer', notes, { text: 'Spoke to the entity: migration starts in March.' }, 'note-late-1');
    expect(note.status).toBe(201);
    expect((await post('reviewer', `/api/nocs/${nocId}/request-information`, { questions: 'Which region?' })).status).toBe(200);
    const answer = await post('pse', `/api/nocs/${nocId}/provide-information`, { answer: 'Islamabad, the first answer' }, 'answer-late-1');
    expect(answer.status).toBe(200);

    // A hand-over within the seal window carries the answer as taken; past the window, the next one drops it.
    await untilHandedOver(nocId, 'Early round');
    await skip(6 * MINUTE);
    await untilHandedOver(nocId, 'Late round');
    // The process asks again, so that the answer would be taken a second time if it reached it.
    expect((await post('reviewer', `/api/nocs/${nocId}/request-information`, { questions: 'One more?' })).status).toBe(200);

    expect(await post('reviewer', notes, { text: 'Spoke to the entity: migration starts in March.' }, 'note-late-1')).toEqual({ ...note, replayed: 'true' });
    expect(await post('pse', `/api/nocs/${nocId}/provide-information`, { answer: 'Islamabad, the first answer' }, 'answer-late-1')).toEqual({ ...answer, replayed: 'true' });

    const noted = (await decodedStream(stack.store, notesStream('noc', nocId))).filter((e) => e.type === 'CaseNoteAdded');
    expect(noted.map((e) => (e.data as { text: string }).text)).toEqual(['Spoke to the entity: migration starts in March.']);
    const answered = (await decodedStream(stack.store, `noc-${nocId}`)).filter((e) => e.type === 'NocInformationProvided' && (e.data as { answer: string }).answer === 'Islamabad, the first answer');
    expect(answered).toHaveLength(1);
    expect((await stack.env.client.workflow.getHandle(`noc:${nocId}`).query(nocStateQuery)).state.status).toBe('awaiting-pse');
  });
});
