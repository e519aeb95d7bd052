import { createCaseNotes, notesStream } from '../../api/case-notes';
import { openIdempotencyStore, type IdempotencyStore } from '../../api/idempotency-store';
import { createTemporalNocGateway } from '../../api/noc-gateway';
import { createTemporalPseGateway } from '../../api/pse-gateway';
import { DomainError } from '../../domain/shared/errors';
import { nocStateQuery } from '../../workflows/noc/messages';
import { decodedStream } from '../support/case-results';
import { FakeNocQueries, registerRow } from './fakes';
import { NOC_REQUEST } from './harness';
import { startWorkflowApi, type WorkflowApi } from './workflow-api';

/**
 * Issue 14, "nothing doubled", through the API over the real NOC process on the dev server: a request
 * sent with an Idempotency-Key is recorded with its answer (api/idempotency-store.ts); its resend gets
 * that answer even after the case closed, without reaching the process; the same key with another
 * request is refused; a failed answer is not recorded. Late resends after continue-as-new and the seal
 * window: idempotency-late.int.test.ts, on the time-skipping server.
 */
const TASK_QUEUE = 'api-idempotency';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ACCOUNTS = {
  pse: { username: 'pse-fed', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' },
  reviewer: { username: 'rev', role: 'reviewer', jurisdiction: 'federal' },
  director: { username: 'dir', role: 'director', jurisdiction: 'federal' },
} as const;
type Who = keyof typeof ACCOUNTS;

/** Which of the record's calls fail, as a full disk or a long-held lock would make them. */
const broken = { claim: false, answered: false };
function brokenWhenAsked(store: IdempotencyStore): IdempotencyStore {
  const fail = (): never => {
    throw new Error('SQLITE_FULL: database or disk is full');
  };
  return {
    ...store,
    claim: (...args) => (broken.claim ? fail() : store.claim(...args)),
    answered: (...args) => (broken.answered ? fail() : store.answered(...args)),
  };
}

let api: WorkflowApi<Who>;
let clockOffsetMs = 0;
let storageFull = false;
const nocQueries = new FakeNocQueries();

beforeAll(async () => {
  api = await startWorkflowApi({
    taskQueue: TASK_QUEUE,
    accounts: ACCOUNTS,
    deps: async ({ env, config, signing, store }) => {
      const register = createTemporalPseGateway({ client: env.client, config, signing, procurementCheck: () => { throw new Error('no procurements here'); } });
      const registrar = { userId: 'registrar', name: 'Registrar', role: 'admin', jurisdiction: 'federal' } as const;
      await register.register(registrar, { pseId: 'pse-moitt', name: 'MoITT', ministry: 'IT', jurisdiction: 'federal' }, 'reg-moitt');
      return {
        nocGateway: createTemporalNocGateway(env.client, config, signing),
        nocQueries,
        caseNotes: createCaseNotes({ eventStore: store }),
        idempotencyStore: brokenWhenAsked(openIdempotencyStore(':memory:', { retentionMs: 30 * DAY, now: () => Date.now() + clockOffsetMs })),
        storageGuard: async () => {
          if (storageFull) throw new DomainError('UNAVAILABLE', 'No space left in the event store; nothing was done');
        },
      };
    },
  });
});

afterAll(async () => {
  await api?.close();
});

async function post(who: Who, url: string, payload?: object, key?: string) {
  const headers = { authorization: `Bearer ${api.tokens[who]}`, ...(key === undefined ? {} : { 'idempotency-key': key }) };
  const res = await api.app.inject({ method: 'POST', url, headers, payload });
  return { status: res.statusCode, text: res.body, body: res.json(), replayed: res.headers['idempotent-replayed'] };
}

async function newNoc(): Promise<string> {
  const created = await post('pse', '/api/nocs', NOC_REQUEST);
  expect(created.status).toBe(201);
  const nocId = created.body.state.request.nocId as string;
  nocQueries.rows.set(nocId, registerRow({ nocId, pseId: 'pse-moitt' }));
  return nocId;
}

const notesSaying = async (nocId: string, text: string) =>
  (await decodedStream(api.store, notesStream('noc', nocId))).filter((e) => (e.data as { text?: string }).text === text);

describe('resends with an Idempotency-Key, answered from the API’s record', () => {
  it('refuses the same key with another body 422 IDEMPOTENCY_KEY_REUSED, naming the header, and writes nothing', async () => {
    const nocId = await newNoc();
    expect((await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'The first note under this key' }, 'note-reused-1')).status).toBe(201);
    const before = await decodedStream(api.store, notesStream('noc', nocId));
    const reused = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Another note under the same key' }, 'note-reused-1');
    expect(reused.status).toBe(422);
    expect(reused.body.error).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'Idempotency-Key' });
    expect(reused.body.error.message).toContain('note-reused-1');
    const elsewhere = await post('reviewer', `/api/nocs/${nocId}/start-review`, undefined, 'note-reused-1');
    expect(elsewhere.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await decodedStream(api.store, notesStream('noc', nocId))).toEqual(before);
    expect((await api.env.client.workflow.getHandle(`noc:${nocId}`).query(nocStateQuery)).state.status).toBe('requested');
    // Another person's key of the same name is theirs.
    expect((await post('director', `/api/nocs/${nocId}/notes`, { text: 'The director’s own note' }, 'note-reused-1')).status).toBe(201);
  });

  it('answers a recommendation resent after the NOC was decided and its process closed with the first answer, not "wrong state"', async () => {
    const nocId = await newNoc();
    expect((await post('reviewer', `/api/nocs/${nocId}/start-review`)).status).toBe(200);
    const recommended = await post('reviewer', `/api/nocs/${nocId}/recommend`, { recommendation: 'reject', reasons: 'Not justified' }, 'recommend-closed-1');
    expect(recommended.status).toBe(200);
    expect((await post('director', `/api/nocs/${nocId}/decide`, { decision: 'reject', reasons: 'Not justified' })).body.state.status).toBe('rejected');
    await api.env.client.workflow.getHandle(`noc:${nocId}`).result();
    clockOffsetMs += 10 * DAY;

    const again = await post('reviewer', `/api/nocs/${nocId}/recommend`, { recommendation: 'reject', reasons: 'Not justified' }, 'recommend-closed-1');
    expect(again).toEqual({ ...recommended, replayed: 'true' });
    expect(again.body.state.status).toBe('awaiting-decision');
    // The same recommendation under a new key is a new request, which the closed process refuses.
    const fresh = await post('reviewer', `/api/nocs/${nocId}/recommend`, { recommendation: 'reject', reasons: 'Not justified' }, 'recommend-closed-2');
    expect(fresh.status).toBe(409);
    expect(fresh.body.error.code).toBe('NOC_WRONG_STATE');
  });

  it('does the work on a retry with the same key after the first sending was answered 503', async () => {
    const nocId = await newNoc();
    storageFull = true;
    const refused = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Written once space is back' }, 'note-after-503');
    storageFull = false;
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('UNAVAILABLE');
    expect(await notesSaying(nocId, 'Written once space is back')).toHaveLength(0);

    const retried = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Written once space is back' }, 'note-after-503');
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBeUndefined();
    expect(await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Written once space is back' }, 'note-after-503')).toEqual({ ...retried, replayed: 'true' });
    expect(await notesSaying(nocId, 'Written once space is back')).toHaveLength(1);
  });

  it('answers 503 doing nothing when the record cannot be read, still answers the work done when it cannot be written, and calls a late resend of such an answer unknown', async () => {
    const nocId = await newNoc();
    broken.claim = true;
    const unrecorded = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Kept when the record is back' }, 'note-record-down');
    broken.claim = false;
    expect(unrecorded.status).toBe(503);
    expect(unrecorded.body.error.code).toBe('UNAVAILABLE');
    expect(await notesSaying(nocId, 'Kept when the record is back')).toHaveLength(0);

    broken.answered = true;
    const written = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Kept when the record is back' }, 'note-record-down');
    broken.answered = false;
    expect(written.status).toBe(201);
    // Recorded in flight only: the resend reaches the notes, whose note id answers it once.
    const resent = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Kept when the record is back' }, 'note-record-down');
    expect(resent.status).toBe(201);
    expect(resent.replayed).toBeUndefined();
    expect(await notesSaying(nocId, 'Kept when the record is back')).toHaveLength(1);

    // Past the seal window the process may have let go of the command: its outcome is the case's to tell.
    broken.answered = true;
    const lost = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Its answer lost' }, 'note-answer-lost');
    broken.answered = false;
    expect(lost.status).toBe(201);
    const before = clockOffsetMs;
    clockOffsetMs += 6 * MINUTE;
    try {
      const late = await post('reviewer', `/api/nocs/${nocId}/notes`, { text: 'Its answer lost' }, 'note-answer-lost');
      expect(late.status).toBe(409);
      expect(late.body.error).toMatchObject({ code: 'IDEMPOTENCY_OUTCOME_UNKNOWN', field: 'Idempotency-Key' });
      expect(late.body.error.message).toMatch(/look at the case/);
    } finally {
      clockOffsetMs = before;
    }
    expect(await notesSaying(nocId, 'Its answer lost')).toHaveLength(1);
  });
});
