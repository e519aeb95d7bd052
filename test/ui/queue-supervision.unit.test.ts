import type { NocRegisterRow, NocTaskRow } from '../../projections/noc/read-model';
import { FakeNocQueries, registerRow } from '../api/fakes';
import { openPageHarness, type PageHarness } from './page-harness';

/** The queue's due dates from service levels, its overdue tasks, and a director reassigning held tasks. */
const DAY = 24 * 60 * 60 * 1000;

let page: PageHarness;
let queries: FakeNocQueries;

/** An account's id, once the harness has enrolled the people. */
let idOf: (username: string) => string;

/** A federal NOC request that entered the review queue at `requestedAt`. */
const noc = (nocId: string, requestedAt: string): NocRegisterRow => registerRow({ nocId, pseId: 'pse-fed', requestedAt, updatedAt: requestedAt });

function reviewTask(nocId: string, createdAt: string, excludedUserIds: string[] = []): NocTaskRow {
  return { taskId: `${nocId}:review`, nocId, kind: 'review', jurisdiction: 'federal', role: 'reviewer', pseId: null, excludedUserIds, createdAt, dueAt: null, claimedBy: null, claimedAt: null };
}

beforeEach(async () => {
  queries = new FakeNocQueries();
  page = await openPageHarness({
    name: 'queue-supervision',
    people: (
      [
        ['rania', 'reviewer'],
        ['rashid', 'reviewer'],
        ['rubina', 'reviewer'],
        ['dawood', 'director'],
      ] as const
    ).map(([username, role]) => ({ username, role, jurisdiction: 'federal' as const, displayName: username[0]?.toUpperCase() + username.slice(1) })),
    env: { SERVICE_LEVELS: '{"noc.review":5}' },
    deps: ({ identity }) => {
      idOf = (username) => {
        const account = identity.listAccounts().find((a) => a.username === username);
        if (!account) throw new Error(`no account ${username}`);
        return account.id;
      };
      const old = new Date(Date.now() - 30 * DAY).toISOString();
      const fresh = new Date().toISOString();
      queries.rows.set('NOC-OLD', noc('NOC-OLD', old));
      queries.rows.set('NOC-NEW', noc('NOC-NEW', fresh));
      queries.tasks.push(reviewTask('NOC-NEW', fresh), reviewTask('NOC-OLD', old, [idOf('rubina')]));
      return { nocQueries: queries };
    },
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

const rowOf = (body: string, nocId: string): string => {
  const start = body.indexOf(`<a href="/ui/nocs/${nocId}">`);
  if (start < 0) throw new Error(`${nocId} is not on the page`);
  return body.slice(body.lastIndexOf('<tr', start), body.indexOf('</tr>', start));
};

describe('the queue’s service levels', () => {
  it('give each task a due date from when it entered the queue, put the overdue first and say so in words', async () => {
    const reviewer = await signedIn('rania');
    const queue = (await reviewer.request('GET', '/ui/queue')).body;
    expect(queue.indexOf('/ui/nocs/NOC-OLD')).toBeLessThan(queue.indexOf('/ui/nocs/NOC-NEW'));
    expect(rowOf(queue, 'NOC-OLD')).toContain('<strong class="overdue-flag">Overdue</strong>');
    expect(rowOf(queue, 'NOC-OLD')).toContain('class="overdue"');
    expect(rowOf(queue, 'NOC-NEW')).not.toContain('Overdue');
    expect(rowOf(queue, 'NOC-NEW')).toMatch(/<time datetime="\d{4}-\d\d-\d\dT/);
    expect(queue).toContain('Overdue: <strong>1</strong>');
  });

  it('filter the queue to the overdue tasks only', async () => {
    const reviewer = await signedIn('rania');
    const queue = (await reviewer.request('GET', '/ui/queue?overdue=only')).body;
    expect(queue).toContain('/ui/nocs/NOC-OLD');
    expect(queue).not.toContain('/ui/nocs/NOC-NEW');
    expect(queue).toContain('<option value="only" selected>Overdue only</option>');
  });
});

describe('reassigning a held task', () => {
  async function claimOld(): Promise<void> {
    const reviewer = await signedIn('rania');
    const _csrf = await reviewer.csrf('/ui/queue');
    expect((await reviewer.request('POST', '/ui/queue/claim', { _csrf, taskId: 'NOC-OLD:review' })).statusCode).toBe(303);
  }

  it('lets a director hand it to an eligible reviewer, with a reason, and the new holder sees it as theirs', async () => {
    await claimOld();
    const director = await signedIn('dawood');
    const page = (await director.request('GET', '/ui/queue')).body;
    expect(page).toContain('Tasks held by staff');
    const held = page.slice(page.indexOf('Tasks held by staff'));
    expect(held).toContain('Rania');
    expect(held).toContain(`<option value="${idOf('rashid')}">Rashid</option>`);
    expect(held).not.toContain(`<option value="${idOf('rubina')}">`);
    const _csrf = await director.csrf('/ui/queue');
    const done = await director.request('POST', '/ui/queue/reassign', { _csrf, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('rashid'), reason: 'Rania is on leave' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/ui/queue?done=reassigned');
    const after = (await director.request('GET', '/ui/queue?done=reassigned')).body;
    const heldNow = after.slice(after.indexOf('Tasks held by staff'));
    expect(heldNow).toContain('Rashid<br>');
    expect(heldNow).toContain('Reassigned by Dawood: Rania is on leave');
    const rashid = await signedIn('rashid');
    expect(rowOf((await rashid.request('GET', '/ui/queue')).body, 'NOC-OLD')).toContain('Claimed by you');
  });

  it('refuses someone who already acted on the case (four eyes) and someone of another role, in the task’s row with the reason kept', async () => {
    await claimOld();
    const director = await signedIn('dawood');
    const _csrf = await director.csrf('/ui/queue');
    const fourEyes = await director.request('POST', '/ui/queue/reassign', { _csrf, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('rubina'), reason: 'Rania is on leave' });
    expect(fourEyes.statusCode).toBe(403);
    expect(fourEyes.body).toContain('four eyes');
    const refusedRow = rowOf(fourEyes.body.slice(fourEyes.body.indexOf('Tasks held by staff')), 'NOC-OLD');
    expect(refusedRow).toMatch(/<p class="field-error" id="reassign-[\w-]+-to-error">That person may not take this task: they already acted on this case \(four eyes\)<\/p>/);
    expect(refusedRow).toContain('value="Rania is on leave" required maxlength="500">');
    expect(fourEyes.body).not.toContain('queue-refresh.js');
    const otherRole = await director.request('POST', '/ui/queue/reassign', { _csrf, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('dawood'), reason: 'I will do it' });
    expect(otherRole.statusCode).toBe(403);
    expect(otherRole.body).toContain('not work of their role');
    const rania = await signedIn('rania');
    expect(rowOf((await rania.request('GET', '/ui/queue')).body, 'NOC-OLD')).toContain('Claimed by you');
  });

  it('changes nothing when the task was released meanwhile, and says so', async () => {
    await claimOld();
    const director = await signedIn('dawood');
    const _csrf = await director.csrf('/ui/queue');
    const rania = await signedIn('rania');
    const csrfR = await rania.csrf('/ui/queue');
    await rania.request('POST', '/ui/queue/release', { _csrf: csrfR, taskId: 'NOC-OLD:review' });
    const late = await director.request('POST', '/ui/queue/reassign', { _csrf, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('rashid'), reason: 'Rania is on leave' });
    expect(late.headers.location).toBe('/ui/queue?done=moved');
    expect((await director.request('GET', '/ui/queue?done=moved')).body).toContain('released or reassigned meanwhile');
    expect(rowOf((await (await signedIn('rashid')).request('GET', '/ui/queue')).body, 'NOC-OLD')).toContain('>Claim</button>');
  });

  it('is for directors only, and needs a reason, naming the field', async () => {
    await claimOld();
    const reviewer = await signedIn('rashid');
    const _csrf = await reviewer.csrf('/ui/queue');
    expect((await reviewer.request('GET', '/ui/queue')).body).not.toContain('Tasks held by staff');
    const refused = await reviewer.request('POST', '/ui/queue/reassign', { _csrf, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('rashid'), reason: 'Mine now' });
    expect(refused.statusCode).toBe(403);
    const director = await signedIn('dawood');
    const csrfD = await director.csrf('/ui/queue');
    const noReason = await director.request('POST', '/ui/queue/reassign', { _csrf: csrfD, taskId: 'NOC-OLD:review', from: idOf('rania'), to: idOf('rashid'), reason: ' ' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.body).toMatch(/<p class="field-error" id="reassign-[\w-]+-reason-error">Reason: say why the task moves<\/p>/);
    expect(rowOf(noReason.body.slice(noReason.body.indexOf('Tasks held by staff')), 'NOC-OLD')).toContain(`<option value="${idOf('rashid')}" selected>Rashid</option>`);
  });
});
