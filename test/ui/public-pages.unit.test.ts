import type { FastifyInstance } from 'fastify';
import { HISTORY, startPublicApi } from '../api/public-fixture';
import { adoptionMain } from '../../ui/routes/adoption';

let api: { app: FastifyInstance; close(): Promise<void> };
beforeAll(async () => {
  api = await startPublicApi();
});
afterAll(() => api.close());

const get = (url: string) => api.app.inject({ method: 'GET', url });

/** The text of the page's <main>, tags stripped and spaces collapsed, for assertions about what a reader sees. */
function mainText(body: string): string {
  const main = /<main[^>]*>([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
  return main
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('the public pages', () => {
  it('links the list, its change log and the procurement check from the home page', async () => {
    const res = await get('/');
    expect(res.body).toContain('<a href="/accredited-list">');
    expect(res.body).toContain('<a href="/accredited-list/changes">');
    expect(res.body).toContain('<a href="/procurement-check">');
  });

  it('shows the accredited list without signing in, as an accessible table with a CSV link', async () => {
    const res = await get('/accredited-list');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('<html lang="en">');
    expect(res.body).toContain('<caption>1 accredited offering, by name</caption>');
    expect(res.body).toContain('<th scope="col">Offering</th>');
    expect(res.body).toContain('<a href="/api/accredited-list?format=csv" download>');
    const text = mainText(res.body);
    expect(text).toContain('Sovereign Gov Cloud off-gov One Cloud, "Pvt" Ltd Accredited Government IaaS, PaaS Islamabad (PK), Karachi (PK) Intermediate Restricted');
    expect(text).not.toContain('Global Public Cloud');
  });

  it('shows the change log with reasons escaped, who decided, and a revocation’s transition period', async () => {
    const res = await get('/accredited-list/changes');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Breach &lt;under&gt; investigation');
    expect(res.body).not.toContain('<under>');
    const text = mainText(res.body);
    expect(text).toContain('5 changes, newest first');
    expect(text).toContain('Global Public Cloud off-pub Accreditation revoked Accredited Revoked Data found abroad Nothing new may go on it; workloads already on it must leave by 2025-12-01 00:00 UTC . Dawood Director (Director)');
  });

  it('filters the change log by offering', async () => {
    const text = mainText((await get('/accredited-list/changes?offering=off-pub')).body);
    expect(text).toContain('Showing offering off-pub only.');
    expect(text).toContain('2 changes, newest first');
    expect(text).not.toContain('Sovereign Gov Cloud');
  });

  it('shows an empty procurement-check form with labelled fields', async () => {
    const res = await get('/procurement-check');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<form class="stack" method="get" action="/procurement-check">');
    for (const field of ['pse', 'offering', 'dataClass', 'at']) expect(res.body).toContain(`<label for="pc-${field}">`);
    expect(res.body).not.toContain('id="answer"');
  });

  it('answers the check with the verdict, the rule and every reason', async () => {
    const res = await get('/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted&at=2025-06-15T00:00:00Z');
    expect(res.statusCode).toBe(200);
    const text = mainText(res.body);
    expect(text).toContain('Denied: pse-moitt putting restricted data on off-gov at 2025-06-15T00:00:00.000Z.');
    expect(text).toContain('Rule applied: cloud-first-2022/hosting-1/restricted');
    expect(text).toContain('Not met The accreditation of Sovereign Gov Cloud (off-gov) is suspended');
    expect(text).toContain('Not met No NOC in force for pse-moitt excuses ACCREDITATION_SUSPENDED NO_NOC_COVERS');
    expect(res.body).toContain('value="pse-moitt"');
  });

  it('lists the conditions met when the check allows', async () => {
    const text = mainText((await get('/procurement-check?pse=pse-moitt&offering=off-gov&dataClass=restricted')).body);
    expect(text).toContain('Allowed: pse-moitt putting restricted data on off-gov at');
    expect(text).toContain('Met Sovereign Gov Cloud (off-gov) is a government cloud GOVERNMENT_CLOUD');
    expect(text).toContain('Met Every data centre of Sovereign Gov Cloud (off-gov) is in Pakistan: Islamabad, Karachi DATA_CENTRES_IN_PAKISTAN');
  });

  it('says a NOC in force allows it, and until when, without naming the NOC', async () => {
    const body = (await get('/procurement-check?pse=pse-moitt&offering=off-new&dataClass=public&at=2025-05-01T00:00:00Z')).body;
    expect(mainText(body)).toContain(`Allowed by a NOC in force until ${HISTORY.nocValidUntil.replace('T', ' ').replace(':00.000Z', ' UTC')}`);
    expect(body).not.toContain('NOC-1');
  });

  it('shows nothing of a pending NOC', async () => {
    const body = (await get('/procurement-check?pse=pse-moitt&offering=off-new&dataClass=restricted&at=2025-05-01T00:00:00Z')).body;
    expect(mainText(body)).toContain('Denied');
    expect(body).not.toMatch(/NOC-\d/);
  });

  it('refuses a half-filled form with each problem linked to its field', async () => {
    const res = await get('/procurement-check?pse=pse-moitt&dataClass=secret-ish');
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="#pc-offering">Offering: is required: the id of the offering</a>');
    expect(res.body).toContain('<a href="#pc-dataClass">Data class: must be one of');
    expect(res.body).toContain('aria-invalid="true"');
    expect(res.body).not.toContain('id="answer"');
  });
});

describe('the public pages without their read models', () => {
  it('say the register is not available, with status 503', async () => {
    const bare = await startPublicApi({ withPublic: false });
    try {
      for (const url of ['/accredited-list', '/accredited-list/changes', '/procurement-check', '/offerings/off-gov']) {
        const res = await bare.app.inject({ method: 'GET', url });
        expect(res.statusCode).toBe(503);
        expect(res.body).toContain('<h1>Not available</h1>');
      }
      const feed = await bare.app.inject({ method: 'GET', url: '/accredited-list/changes.atom' });
      expect(feed.statusCode).toBe(503);
      expect(feed.body).toContain('not available');
    } finally {
      await bare.close();
    }
  });
});

describe('the public list filters and adoption charts', () => {
  it('filters the accredited list by text, data class, deployment model and status, keeping the choices', async () => {
    const restricted = await get('/accredited-list?dataClass=restricted&deployment=government');
    expect(mainText(restricted.body)).toContain('Sovereign Gov Cloud');
    expect(restricted.body).toMatch(/<option value="restricted" selected>/);
    const secret = mainText((await get('/accredited-list?dataClass=secret')).body);
    expect(secret).toContain('No offering is accredited at present.');
    expect(mainText((await get('/accredited-list?q=nothing-like-it')).body)).not.toContain('Sovereign Gov Cloud');
    // Unknown values narrow nothing.
    expect(mainText((await get('/accredited-list?deployment=%3Cscript%3E')).body)).toContain('Sovereign Gov Cloud');
  });

  it('shows adoption figures without signing in, linked from the home page', async () => {
    const res = await get('/adoption');
    expect(res.statusCode).toBe(200);
    expect(mainText(res.body)).toContain('Cloud adoption across public service entities');
    expect((await get('/')).body).toContain('<a href="/adoption">');
  });

  it("shows one jurisdiction's figures when asked, with links to the others and to the whole country", async () => {
    const res = await get('/adoption?jurisdiction=punjab');
    expect(res.statusCode).toBe(200);
    expect(mainText(res.body)).toContain('Cloud adoption in the Punjab jurisdiction');
    expect(res.body).toContain('<a href="/adoption?jurisdiction=all">');
    expect(res.body).toContain('<a href="/api/adoption?jurisdiction=punjab">');
    expect(mainText((await get('/adoption?jurisdiction=all')).body)).toContain('Cloud adoption across public service entities');
  });

  it('draws each figure as a bar scaled to the largest, with no inline style, and the numbers in a table', () => {
    const row = { workloadsOnAccredited: 8, workloadsUnderNoc: 2, activeNocs: 4, nocsExpiringWithin30Days: 0, workloadsInTransition: 0, workloadsNonCompliant: 0 };
    const markup = adoptionMain({
      asOf: '2026-11-28T00:00:00.000Z',
      totals: { workloadsOnAccredited: 9, workloadsUnderNoc: 2, activeNocs: 4, nocsExpiringWithin30Days: 0, workloadsInTransition: 0, workloadsNonCompliant: 0 },
      byJurisdiction: [{ jurisdiction: 'federal', ...row }, { jurisdiction: 'sindh', ...row, workloadsOnAccredited: 1 }],
      byMinistry: [{ jurisdiction: 'federal', ministry: 'Ministry of IT & Telecom', ...row }],
    }).toString();
    expect(markup).not.toContain('style=');
    expect(markup).toContain('class="bar bar-good w100"');
    expect(markup).toContain('class="bar bar-warn w25"');
    expect(markup).toContain('class="bar bar-bad w0"');
    expect(markup).toContain('Ministry of IT &amp; Telecom (Federal)');
    expect(mainText(`<main>${markup}</main>`)).toContain('Sindh 1 2 4 0');
  });
});
