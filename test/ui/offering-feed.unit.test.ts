import type { FastifyInstance } from 'fastify';
import { HISTORY, startPublicApi } from '../api/public-fixture';
import { childText, childrenNamed, readXml, type XmlTree } from '../support/xml-reader';

const PUBLIC_URL = 'https://office.example.gov.pk';
let api: { app: FastifyInstance; close(): Promise<void> };
beforeAll(async () => {
  api = await startPublicApi({ env: { PUBLIC_URL } });
});
afterAll(() => api.close());

const get = (url: string) => api.app.inject({ method: 'GET', url });

function mainText(body: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

describe("an offering's public page", () => {
  it('is linked from the accredited list and the change log', async () => {
    expect((await get('/accredited-list')).body).toContain('<a href="/offerings/off-gov">Sovereign Gov Cloud</a>');
    expect((await get('/accredited-list/changes')).body).toContain('<a href="/offerings/off-pub">Global Public Cloud</a>');
  });

  it('shows the provider, baseline, the data classes it may hold, the offering and every change with its reason', async () => {
    const res = await get('/offerings/off-gov');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const text = mainText(res.body);
    expect(text).toContain('Sovereign Gov Cloud');
    expect(text).toContain('provided by One Cloud, "Pvt" Ltd (csp-one)');
    expect(text).toContain('Security baseline Intermediate');
    expect(text).toContain('Data it may hold Up to Restricted: Open, Public, Restricted');
    expect(text).toContain('Conditions None');
    expect(text).toContain('Deployment model Government');
    expect(text).toContain('Data centres Islamabad (PK) Karachi (PK)');
    expect(text).toContain('3 changes, newest first');
    expect(text).toContain('Suspended Accredited → Suspended Breach <under> investigation');
    expect(res.body).toContain('Breach &lt;under&gt; investigation');
    expect(res.body).toContain('<link rel="alternate" type="application/atom+xml" title="Changes to Sovereign Gov Cloud" href="/accredited-list/changes.atom?offering=off-gov">');
  });

  it('says an offering whose accreditation ended holds none, with how it ended and the migration deadline', async () => {
    const text = mainText((await get('/offerings/off-pub')).body);
    expect(text).toContain('Not accredited. The accreditation was revoked on 2025-08-01');
    expect(text).toContain('must leave by 2025-12-01 00:00 UTC');
    expect(text).not.toContain('Security baseline');
  });

  it('answers a page saying so, with status 404, for an offering never accredited, unknown or malformed', async () => {
    for (const id of ['off-new', 'no-such-offering', '%3Cscript%3E']) {
      const res = await get(`/offerings/${id}`);
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('<h1>Offering not found</h1>');
      expect(res.body).not.toContain('<script>');
    }
  });
});

describe('the Atom feed of changes to the accredited list', () => {
  const entries = (feed: XmlTree): XmlTree[] => childrenNamed(feed, 'entry');

  it('is announced by the list and its change log, and linked from the home page', async () => {
    for (const url of ['/accredited-list', '/accredited-list/changes']) {
      expect((await get(url)).body).toContain('<link rel="alternate" type="application/atom+xml" title="Changes to the accredited list" href="/accredited-list/changes.atom">');
    }
    expect((await get('/')).body).toContain('<a href="/accredited-list/changes.atom">');
  });

  it('is well-formed Atom with one entry per change, newest first, ids from the events, links absolute from PUBLIC_URL', async () => {
    const res = await get('/accredited-list/changes.atom');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    const feed = readXml(res.body);
    expect(feed.name).toBe('feed');
    expect(feed.attributes.xmlns).toBe('http://www.w3.org/2005/Atom');
    expect(childText(feed, 'id')).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(childText(feed, 'updated')).toBe(HISTORY.revoked);
    expect(childrenNamed(feed, 'link').map((l) => l.attributes)).toEqual([
      { rel: 'self', type: 'application/atom+xml', href: `${PUBLIC_URL}/accredited-list/changes.atom` },
      { rel: 'alternate', type: 'text/html', href: `${PUBLIC_URL}/accredited-list/changes` },
    ]);
    expect(childText(childrenNamed(feed, 'author')[0] as XmlTree, 'name')).toBe('Cloud Office');

    const log = (await get('/api/accredited-list/changes')).json().items as { eventId: string; kind: string; at: string }[];
    expect(entries(feed).map((e) => childText(e, 'id'))).toEqual(log.map((c) => `urn:uuid:${c.eventId}`));
    expect(entries(feed).map((e) => childText(e, 'title'))).toEqual([
      'Global Public Cloud accreditation revoked',
      'Sovereign Gov Cloud reinstated',
      'Sovereign Gov Cloud suspended',
      'Sovereign Gov Cloud accredited',
      'Global Public Cloud accredited',
    ]);
    const suspended = entries(feed)[2] as XmlTree;
    expect(childText(suspended, 'updated')).toBe(HISTORY.suspended);
    expect(childText(suspended, 'summary')).toBe('Breach <under> investigation. Status: accredited → suspended. Decided by Dawood Director (director).');
    expect(childrenNamed(suspended, 'link')[0]?.attributes).toEqual({ rel: 'alternate', type: 'text/html', href: `${PUBLIC_URL}/offerings/off-gov` });
    expect(childrenNamed(suspended, 'category')[0]?.attributes.term).toBe('suspended');
    expect(childText(entries(feed)[0] as XmlTree, 'summary')).toContain('workloads already on it must leave by 2025-12-01T00:00:00.000Z');
  });

  it('gives the same ids on every request, and one offering’s changes with ?offering=, under a feed id of its own', async () => {
    const all = readXml((await get('/accredited-list/changes.atom')).body);
    const again = readXml((await get('/accredited-list/changes.atom')).body);
    expect(entries(again).map((e) => childText(e, 'id'))).toEqual(entries(all).map((e) => childText(e, 'id')));
    const one = readXml((await get('/accredited-list/changes.atom?offering=off-pub')).body);
    expect(entries(one).map((e) => childText(e, 'title'))).toEqual(['Global Public Cloud accreditation revoked', 'Global Public Cloud accredited']);
    expect(childText(one, 'id')).not.toBe(childText(all, 'id'));
    expect(childrenNamed(one, 'link')[0]?.attributes.href).toBe(`${PUBLIC_URL}/accredited-list/changes.atom?offering=off-pub`);
  });
});
