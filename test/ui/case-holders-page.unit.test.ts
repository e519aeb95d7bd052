import type { Actor } from '../../domain/shared/actor';
import type { NocTaskRow } from '../../projections/noc/read-model';
import { taskKindOf } from '../../ui/case-holders';
import { FakeEventStore, FakeNocQueries, registerRow } from '../api/fakes';
import { NOC_REQUEST } from '../api/harness';
import { openPageHarness, type PageHarness } from './page-harness';

/** A NOC's staff page shows who holds its tasks and every reassignment of them, from the claim log. */
const NOC = 'NOC-2026-HELD';
const PAGE = `/ui/nocs/${NOC}`;

let page: PageHarness;
let idOf: (username: string) => string;

const reviewTask: NocTaskRow = {
  taskId: `${NOC}:review`,
  nocId: NOC,
  kind: 'review',
  jurisdiction: 'federal',
  role: 'reviewer',
  pseId: null,
  excludedUserIds: [],
  createdAt: '2026-11-02T09:00:00.000Z',
  dueAt: null,
  claimedBy: null,
  claimedAt: null,
};

beforeEach(async () => {
  page = await openPageHarness({
    name: 'case-holders-page',
    people: [
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
      { username: 'rashid', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rashid Reviewer' },
      { username: 'dawood', role: 'director', jurisdiction: 'federal', displayName: 'Dawood Director' },
      { username: 'parveen', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'Parveen PSE' },
    ],
    deps: ({ identity }) => {
      idOf = (username) => {
        const account = identity.listAccounts().find((a) => a.username === username);
        if (!account) throw new Error(`no account ${username}`);
        return account.id;
      };
      const officer: Actor = { userId: idOf('parveen'), name: 'Parveen PSE', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' };
      const store = new FakeEventStore();
      store.add(`noc-${NOC}`, 'NocRequested', { ...NOC_REQUEST, nocId: NOC, pseId: 'pse-moitt', jurisdiction: 'federal', requestedBy: officer.userId, requestedAt: '2026-11-02T09:00:00.000Z' }, officer);
      const queries = new FakeNocQueries();
      queries.rows.set(NOC, registerRow({ nocId: NOC, pseId: 'pse-moitt' }));
      queries.tasks.push(reviewTask);
      return { nocQueries: queries, eventStore: store as never };
    },
  });
});

afterEach(() => page.close());

const section = (body: string): string => body.slice(body.indexOf('<h2 id="holders">'), body.indexOf('<h2>History</h2>'));

describe("a case page's task holders", () => {
  it('say nobody holds a task while the case waits in the queue', async () => {
    const director = await page.signedIn('dawood');
    const body = (await director.request('GET', PAGE)).body;
    expect(section(body)).toContain('Nobody holds a task on this case now');
    expect(section(body)).toContain('No task on this case has been reassigned.');
  });

  it('show who holds the task now, and who held it, who reassigned it, when and why', async () => {
    const rania = await page.signedIn('rania');
    const csrfR = await rania.csrf('/ui/queue');
    expect((await rania.request('POST', '/ui/queue/claim', { _csrf: csrfR, taskId: reviewTask.taskId })).statusCode).toBe(303);
    expect(section((await rania.request('GET', PAGE)).body)).toMatch(/Review: held by Rania Reviewer since <time datetime="[^"]+">/);

    const director = await page.signedIn('dawood');
    const _csrf = await director.csrf('/ui/queue');
    const moved = await director.request('POST', '/ui/queue/reassign', { _csrf, taskId: reviewTask.taskId, from: idOf('rania'), to: idOf('rashid'), reason: 'Rania is on leave' });
    expect(moved.headers.location).toBe('/ui/queue?done=reassigned');

    const shown = section((await director.request('GET', PAGE)).body);
    expect(shown).toContain('Review: held by Rashid Reviewer since');
    const row = shown.slice(shown.indexOf('<tbody>'), shown.indexOf('</tbody>'));
    expect(row.replace(/<time datetime="[^"]+">[^<]+<\/time>/, 'WHEN')).toBe(
      '<tbody><tr><td>WHEN</td><td>Review</td><td>Rania Reviewer</td><td>Rashid Reviewer</td><td>Dawood Director</td><td>Rania is on leave</td></tr>',
    );
  });

  it('are not shown to the entity the case is about', async () => {
    const officer = await page.signedIn('parveen');
    const body = (await officer.request('GET', PAGE)).body;
    expect(body).toContain(NOC);
    expect(body).not.toContain('Who holds its tasks');
  });
});

describe('the kind of task a claim is on', () => {
  it('is read from queue task ids and significant change task ids alike', () => {
    expect(taskKindOf('NOC-1:decide-extension:7', 'NOC-1')).toBe('decide-extension');
    expect(taskKindOf('change:CHG-1:recommend-change', 'CHG-1')).toBe('recommend-change');
  });
});
