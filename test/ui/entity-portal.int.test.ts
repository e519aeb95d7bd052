import type { Actor } from '../../domain/shared/actor';
import type { WorkloadBucket } from '../../projections/adoption/queries';
import { FakeEventStore, FakeNocQueries } from '../api/fakes';
import { adoptionWith, FakePseGateway, MirroredNocGateway, publicQueriesOver } from './entity-world';
import type { InjectBrowser as Browser } from './inject-browser';
import { openPageHarness, type PageHarness } from './page-harness';

/** The entity portal's pages through HTTP, over the real deciders and check behind in-memory ports. */
const reviewer: Actor = { userId: 'u-rania', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const director: Actor = { userId: 'u-dawood', name: 'Dawood Director', role: 'director', jurisdiction: 'federal' };

let store: FakeEventStore;
let nocs: MirroredNocGateway;
let pses: FakePseGateway;
let buckets: { pseId: string; procurementId: string; bucket: WorkloadBucket }[];
let page: PageHarness;

beforeEach(async () => {
  store = new FakeEventStore();
  const register = new FakeNocQueries();
  nocs = new MirroredNocGateway(store, register);
  const publicQueries = publicQueriesOver(nocs);
  pses = new FakePseGateway(publicQueries, ['pse-moitt', 'pse-fbr']);
  buckets = [];
  page = await openPageHarness({
    name: 'entity-portal',
    people: [
      { username: 'moitt', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt', displayName: 'MoITT Officer' },
      { username: 'fbr', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-fbr', displayName: 'FBR Officer' },
      { username: 'newbie', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-new', displayName: 'New Officer' },
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
    ],
    deps: () => ({
      nocGateway: nocs,
      nocQueries: register,
      pseGateway: pses,
      publicQueries,
      adoptionQueries: { ...adoptionWith([]), buckets: () => buckets },
      eventStore: store,
    }),
  });
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

const moitt: Actor = { userId: 'u-moitt', name: 'MoITT Officer', role: 'pse', jurisdiction: 'federal', organisationId: 'pse-moitt' };
const NOC_FORM = {
  deviation: 'non-accredited-offering',
  offeringId: 'off-gov',
  description: 'Confidential case files on the government cloud',
  justification: 'No offering is accredited for confidential data yet',
  dataClass: 'confidential',
  systems: 'case-files',
  requestedMonths: '6',
};

/** A NOC of pse-moitt requested through the gateway, then taken as far as `until` by the office. */
async function nocOfMoitt(until: 'requested' | 'awaiting-pse' | 'active'): Promise<string> {
  const view = await nocs.request(moitt, { deviation: 'non-accredited-offering', offeringId: 'off-gov', description: 'Case files', justification: 'Needed', dataClass: 'confidential', systems: ['case-files'], requestedMonths: 6 }, 'c-1');
  const nocId = view.state.status === 'none' ? '' : view.state.request.nocId;
  const act = (actor: Actor, type: string, data: unknown) => nocs.act(nocId, { type, actor, data, commandId: `${type}-1` } as never);
  if (until === 'requested') return nocId;
  await act(reviewer, 'StartReview', {});
  if (until === 'awaiting-pse') {
    await act(reviewer, 'RequestInformation', { questions: 'Which ministry owns the files?' });
    return nocId;
  }
  await act(reviewer, 'Recommend', { recommendation: 'approve', reasons: 'Justified', conditions: ['Encrypt at rest'] });
  await act(director, 'Decide', { decision: 'approve', reasons: 'Agreed' });
  return nocId;
}

const form = async (browser: Browser, pageUrl: string, action: string, fields: Record<string, string>) =>
  browser.request('POST', action, { _csrf: await browser.csrf(pageUrl), ...fields });

describe('the entity home', () => {
  it('lists its NOCs with their deadlines and its procurements with their standing, and links to its notices', async () => {
    const asking = await nocOfMoitt('awaiting-pse');
    const active = await nocOfMoitt('active');
    const open = await pses.recordProcurement(moitt, { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll' });
    const ended = await pses.recordProcurement(moitt, { offeringId: 'off-gov', dataClass: 'open', system: 'Website' });
    await pses.endProcurement(moitt, ended.procurement.procurementId, 'Moved');
    buckets = [{ pseId: 'pse-moitt', procurementId: open.procurement.procurementId, bucket: 'migrating' }];

    const res = await (await signedIn('moitt')).request('GET', '/ui/entity');
    expect(res.statusCode).toBe(200);
    const row = (text: string) => new RegExp(`<tr>(?:(?!</tr>).)*${text}(?:(?!</tr>).)*</tr>`, 's').exec(res.body)?.[0] ?? '';
    expect(row(asking)).toContain('Awaiting pse');
    expect(row(asking)).toMatch(/Information requested: answer by .*\(in \d+ days\)/s);
    expect(row(active)).toContain('Active');
    expect(row(active)).toMatch(/Expires in 1\d\d days/);
    expect(row('Payroll')).toContain('Nimbus Government Cloud');
    expect(row('Payroll')).toContain('Open');
    expect(row('Payroll')).toContain('Migrating');
    expect(row('Website')).toContain('Ended');
    expect(res.body).toContain('href="/ui/inbox"');
    expect(res.body).toContain('aria-current="page">My entity');
  });

  it('tells an entity that is not on the register yet that it can do nothing until it is', async () => {
    const res = await (await signedIn('newbie')).request('GET', '/ui/entity');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Your entity is not on the PSE register yet');
    expect(res.body).toContain('Your entity has recorded no procurement.');
  });

  it('is for entities only: staff are refused on every page and form, and a visitor is sent to sign in', async () => {
    const nocId = await nocOfMoitt('active');
    const { procurement } = await pses.recordProcurement(moitt, { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll' });
    const pages = [
      '/ui/entity',
      '/ui/entity/offerings?q=nimbus',
      '/ui/entity/nocs/new',
      `/ui/entity/nocs/${nocId}`,
      '/ui/entity/procurements/new',
      `/ui/entity/procurements/${procurement.procurementId}`,
      '/ui/entity/procurement-check?offering=off-gov&dataClass=restricted',
    ];
    const forms = ['/ui/entity/nocs', `/ui/entity/nocs/${nocId}/withdraw`, '/ui/entity/procurements/check', '/ui/entity/procurements', `/ui/entity/procurements/${procurement.procurementId}/end`];
    const staff = await signedIn('rania');
    const _csrf = await staff.csrf('/ui/queue');
    for (const url of pages) expect({ url, status: (await staff.request('GET', url)).statusCode }).toEqual({ url, status: 403 });
    for (const url of forms) expect({ url, status: (await staff.request('POST', url, { _csrf, reason: 'x' })).statusCode }).toEqual({ url, status: 403 });
    const visitor = page.visitor();
    for (const url of pages) {
      const res = await visitor.request('GET', url);
      expect({ url, status: res.statusCode, location: res.headers.location }).toEqual({ url, status: 303, location: expect.stringMatching(/^\/ui\/login/) });
    }
    expect(nocs.callsOf('act').filter(([, a]) => (a as { actor: Actor }).actor.role === 'reviewer' && (a as { type: string }).type === 'Withdraw')).toEqual([]);
  });
});

describe('requesting a NOC with the offering from the accredited list', () => {
  it('offers the accredited list as suggestions and as a search by provider or offering name', async () => {
    const entity = await signedIn('moitt');
    const form = (await entity.request('GET', '/ui/entity/nocs/new')).body;
    expect(form).toMatch(/<input id="noc-offeringId" name="offeringId" type="text" list="noc-offeringId-list"/);
    expect(form).toContain('<option value="off-gov" label="Nimbus Government Cloud — Nimbus Cloud (Accredited, data up to restricted)">');
    const found = await entity.request('GET', '/ui/entity/offerings?for=noc&q=nimbus%20cloud');
    expect(found.body).toContain('href="/ui/entity/nocs/new?offeringId=off-gov"');
    expect((await entity.request('GET', '/ui/entity/offerings?for=noc&q=stratus')).body).toContain('No accredited offering matches');
    expect((await entity.request('GET', '/ui/entity/nocs/new?offeringId=off-gov')).body).toContain('value="off-gov"');
  });

  it('sends an officer who follows an old link to the retired /ui/nocs/new on to the form, with what the link carried, and tells staff there is no such NOC', async () => {
    const entity = await signedIn('moitt');
    const old = await entity.request('GET', '/ui/nocs/new?offeringId=off-gov');
    expect({ status: old.statusCode, location: old.headers.location }).toEqual({ status: 303, location: '/ui/entity/nocs/new?offeringId=off-gov' });
    expect((await entity.request('GET', '/ui/nocs/new')).headers.location).toBe('/ui/entity/nocs/new');
    const staff = await (await signedIn('rania')).request('GET', '/ui/nocs/new');
    expect(staff.statusCode).toBe(404);
    expect(staff.body).toContain('There is no NOC new that you may see');
    const visitor = await page.visitor().request('GET', '/ui/nocs/new');
    expect(visitor.headers.location).toMatch(/^\/ui\/login/);
  });

  it('records a request naming the offering chosen by its name, and shows the NOC page with its timeline', async () => {
    const entity = await signedIn('moitt');
    const res = await form(entity, '/ui/entity/nocs/new', '/ui/entity/nocs', { ...NOC_FORM, offeringId: 'Nimbus Government Cloud' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/ui/entity/nocs/NOC-TEST-0001?done=requested');
    expect(nocs.callsOf('request')[0]?.[1]).toMatchObject({ offeringId: 'off-gov', systems: ['case-files'], requestedMonths: 6 });
    const shown = await entity.request('GET', '/ui/entity/nocs/NOC-TEST-0001?done=requested');
    expect(shown.body).toContain('Your NOC request has been recorded.');
    expect(shown.body).toMatch(/Requested the NOC<\/strong> — MoITT Officer/);
    expect(shown.body).toContain('action="/ui/entity/nocs/NOC-TEST-0001/withdraw"');
  });

  it('takes an offering the register knows but the list does not, as a NOC for a non-accredited offering names one', async () => {
    const entity = await signedIn('moitt');
    const res = await form(entity, '/ui/entity/nocs/new', '/ui/entity/nocs', { ...NOC_FORM, offeringId: 'off-mail' });
    expect(res.statusCode).toBe(303);
    expect(nocs.callsOf('request')[0]?.[1]).toMatchObject({ offeringId: 'off-mail' });
  });

  it('refuses an offering that is not on the list, naming the field and keeping what was typed, and sends nothing', async () => {
    const entity = await signedIn('moitt');
    const res = await form(entity, '/ui/entity/nocs/new', '/ui/entity/nocs', { ...NOC_FORM, offeringId: 'off-unknown', justification: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<p class="field-error" id="noc-offeringId-error">Offering: &quot;off-unknown&quot; is not an offering on the accredited list');
    expect(res.body).toContain('id="noc-justification-error">Why it is needed: this is required');
    expect(res.body).toContain('Confidential case files on the government cloud</textarea>');
    expect(res.body).toContain('value="off-unknown"');
    expect(nocs.callsOf('request')).toEqual([]);
  });
});

describe("the entity's NOC page", () => {
  it('answers an information request, refusing an empty answer next to its field', async () => {
    const nocId = await nocOfMoitt('awaiting-pse');
    const entity = await signedIn('moitt');
    const page = `/ui/entity/nocs/${nocId}`;
    expect((await entity.request('GET', page)).body).toMatch(/Information requested: answer by/);
    const empty = await form(entity, page, `${page}/provide-information`, { answer: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="act-provide-information-answer-error">Enter the answer');
    const sent = await form(entity, page, `${page}/provide-information`, { answer: 'The Ministry of Interior' });
    expect(sent.statusCode).toBe(303);
    expect((await entity.request('GET', page)).body).toContain('Answered the questions');
  });

  it('asks for the one extension, then refuses a second next to the form, and withdraws', async () => {
    const nocId = await nocOfMoitt('active');
    const entity = await signedIn('moitt');
    const page = `/ui/entity/nocs/${nocId}`;
    const shown = (await entity.request('GET', page)).body;
    expect(shown).toContain('Encrypt at rest');
    expect(shown).toContain('action="/ui/entity/nocs/NOC-TEST-0001/request-extension"');
    const asked = await form(entity, page, `${page}/request-extension`, { months: '3', justification: 'Migration slipped' });
    expect(asked.statusCode).toBe(303);
    const again = await form(entity, page, `${page}/request-extension`, { months: '2', justification: 'Once more' });
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
    expect(again.body).toMatch(/id="act-request-extension-months-error">[^<]*extension/i);
    expect(again.body).toContain('Once more</textarea>');
    const withdrawn = await form(entity, page, `${page}/withdraw`, { reason: 'No longer needed' });
    expect(withdrawn.statusCode).toBe(303);
    expect((await entity.request('GET', page)).body).toContain('<span class="status">Withdrawn</span>');
  });

  it("answers another entity's NOC, and a staff action, with the same 404 as a NOC that does not exist", async () => {
    const nocId = await nocOfMoitt('active');
    const other = await signedIn('fbr');
    expect((await other.request('GET', `/ui/entity/nocs/${nocId}`)).statusCode).toBe(404);
    expect((await other.request('GET', '/ui/entity/nocs/NOC-NONE')).statusCode).toBe(404);
    expect((await form(other, '/ui/entity', `/ui/entity/nocs/${nocId}/withdraw`, { reason: 'Not mine' })).statusCode).toBe(404);
    const own = await signedIn('moitt');
    expect((await form(own, '/ui/entity', `/ui/entity/nocs/${nocId}/revoke`, { reasons: 'x' })).statusCode).toBe(404);
    expect(nocs.callsOf('act').filter(([, a]) => (a as { actor: Actor }).actor.role === 'pse')).toEqual([]);
  });
});

describe('recording and ending procurements', () => {
  it("shows the check's full answer before confirming, then records the procurement", async () => {
    const entity = await signedIn('moitt');
    const checked = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements/check', { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll' });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain('<strong>Allowed:</strong>');
    expect(checked.body).toContain('HOSTING_RULE_MET');
    expect(pses.events.get('pse-moitt')?.map((e) => e.type)).toEqual(['PseRegistered']);
    const commandId = /name="commandId" value="([^"]+)"/.exec(checked.body)?.[1] as string;
    const confirmed = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements', { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll', seenDecision: 'allowed', commandId });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('/ui/entity/procurements/proc-1?done=recorded');
    const shown = await entity.request('GET', '/ui/entity/procurements/proc-1?done=recorded');
    expect(shown.body).toContain('The procurement has been recorded.');
    expect(shown.body).toContain('Payroll');
  });

  it('shows a denied answer with nothing to confirm, and records nothing when it is confirmed anyway', async () => {
    const entity = await signedIn('moitt');
    const checked = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements/check', { offeringId: 'off-gov', dataClass: 'confidential', system: 'Case files' });
    expect(checked.body).toContain('<strong>Denied:</strong>');
    expect(checked.body).toContain('BASELINE_TOO_LOW');
    expect(checked.body).not.toContain('Confirm and record');
    const forced = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements', { offeringId: 'off-gov', dataClass: 'confidential', system: 'Case files', seenDecision: 'allowed' });
    expect(forced.statusCode).toBe(422);
    expect(forced.body).toContain('nothing was recorded');
    expect(pses.events.get('pse-moitt')?.map((e) => e.type)).toEqual(['PseRegistered']);
  });

  it("shows the entity's own NOC covering the procurement, with its id, validity and conditions", async () => {
    const nocId = await nocOfMoitt('active');
    const entity = await signedIn('moitt');
    const checked = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements/check', { offeringId: 'off-gov', dataClass: 'confidential', system: 'Case files' });
    expect(checked.body).toContain(`<strong>Allowed by your NOC ${nocId}</strong>`);
    expect(checked.body).toMatch(new RegExp(`href="/ui/entity/nocs/${nocId}">${nocId}</a><br><strong>Covers this</strong>`));
    expect(checked.body).toContain('<li>Encrypt at rest</li>');
    expect(checked.body).toContain('name="seenDecision" value="allowed-by-noc"');
  });

  it('shows the answer again instead of recording when it changed since it was seen', async () => {
    const entity = await signedIn('moitt');
    const res = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements', { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll', seenDecision: 'allowed-by-noc' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('read it again');
    expect(pses.events.get('pse-moitt')?.map((e) => e.type)).toEqual(['PseRegistered']);
  });

  it('names the refused fields of a procurement and keeps what was typed', async () => {
    const entity = await signedIn('moitt');
    const res = await form(entity, '/ui/entity/procurements/new', '/ui/entity/procurements/check', { offeringId: 'off-nowhere', dataClass: '', system: 'Payroll' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="proc-offeringId-error">Offering: &quot;off-nowhere&quot; is not an offering on the accredited list');
    expect(res.body).toContain('id="proc-dataClass-error">Data class: this is required');
    expect(res.body).toContain('value="Payroll"');
  });

  it("ends a procurement with a reason, refuses one without, and answers another entity's with 404", async () => {
    const { procurement } = await pses.recordProcurement(moitt, { offeringId: 'off-gov', dataClass: 'restricted', system: 'Payroll' });
    const page = `/ui/entity/procurements/${procurement.procurementId}`;
    const other = await signedIn('fbr');
    expect((await other.request('GET', page)).statusCode).toBe(404);
    expect((await form(other, '/ui/entity', `${page}/end`, { reason: 'Not mine' })).statusCode).toBe(404);
    const entity = await signedIn('moitt');
    const empty = await form(entity, page, `${page}/end`, { reason: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('id="end-reason-error">Reason: this is required');
    const ended = await form(entity, page, `${page}/end`, { reason: 'Moved to the new data centre' });
    expect(ended.statusCode).toBe(303);
    const shown = (await entity.request('GET', `${page}?done=ended`)).body;
    expect(shown).toContain('The procurement has been ended.');
    expect(shown).not.toContain('End procurement</button>');
  });
});

describe("the entity's own procurement check", () => {
  it('shows the entity its own NOCs with their details, and another entity none of them', async () => {
    const nocId = await nocOfMoitt('active');
    const query = '/ui/entity/procurement-check?offering=off-gov&dataClass=confidential';
    const own = (await (await signedIn('moitt')).request('GET', query)).body;
    expect(own).toContain(`Allowed by your NOC ${nocId}`);
    expect(own).toContain('<li>Encrypt at rest</li>');
    expect(own).toContain('<code>NOC_COVERS</code>');
    const other = await (await signedIn('fbr')).request('GET', query);
    expect(other.statusCode).toBe(200);
    expect(other.body).toContain('<strong>Denied:</strong>');
    expect(other.body).not.toContain(nocId);
    expect(other.body).toContain('None of your NOCs bears on this question.');
  });

  it('names a missing data class and keeps the offering typed', async () => {
    const res = await (await signedIn('moitt')).request('GET', '/ui/entity/procurement-check?offering=off-gov');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="check-dataClass-error">Data class: is required');
    expect(res.body).toContain('value="off-gov"');
  });
});
