import { createHash } from 'node:crypto';
import type { ComplianceGateway } from '../../api/compliance-gateway';
import type { Actor } from '../../domain/shared/actor';
import { createFsEvidenceStore } from '../../evidence/fs-store';
import type { EvidenceStore } from '../../evidence/port';
import type { ReviewActionInput, ReviewView } from '../../workflows/compliance/messages';
import { FakeEventStore } from '../api/fakes';
import { openPageHarness, type PageHarness } from './page-harness';

/** The provider hands in files with the review evidence form; the review page lists them and opens them for those who may see the review. */
const REVIEW = 'REV-2026-FILES001';
const STREAM = `review-${REVIEW}`;
const REPORT = Buffer.from('%PDF-1.7\nincident report\n%%EOF\n');
const SHA = createHash('sha256').update(REPORT).digest('hex');
const rania: Actor = { userId: 'u-rania', name: 'Rania Reviewer', role: 'reviewer', jurisdiction: 'federal' };
const nimbus: Actor = { userId: 'u-nimbus', name: 'Nimbus Rep', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus' };

let page: PageHarness;
let store: FakeEventStore;
let files: EvidenceStore;
let actions: ReviewActionInput[];

const gateway = {
  async reviewAction(_reviewId: string, action: ReviewActionInput) {
    actions.push(action);
    return { state: { status: 'none' }, revision: 0 } as ReviewView;
  },
  review: async () => undefined,
} as unknown as ComplianceGateway;

beforeEach(async () => {
  store = new FakeEventStore();
  actions = [];
  const references = {
    referencesTo: (sha256: string) => (sha256 === SHA ? [{ stream: STREAM, cspId: 'csp-nimbus', filename: 'incident.pdf', size: REPORT.length, contentType: 'application/pdf' }] : []),
  };
  page = await openPageHarness({
    name: 'review-files',
    people: [
      { username: 'rania', role: 'reviewer', jurisdiction: 'federal', displayName: 'Rania Reviewer' },
      { username: 'nimbus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-nimbus', displayName: 'Nimbus Rep' },
      { username: 'stratus', role: 'csp', jurisdiction: 'federal', organisationId: 'csp-stratus', displayName: 'Stratus Rep' },
    ],
    deps: ({ config }) => {
      files = createFsEvidenceStore(config.dataDir, { maxBytes: 1024 });
      return { complianceGateway: gateway, eventStore: store, evidence: { store: files, references, maxBytes: 1024 } };
    },
  });
  store.add(
    STREAM,
    'ReviewOpened',
    { reviewId: REVIEW, applicationId: 'ACC-2026-AAAA', offeringId: 'off-gov', cspId: 'csp-nimbus', trigger: 'incident', description: 'Outage', openedBy: rania.userId, openedAt: '2026-10-01T00:00:00.000Z' },
    rania,
  );
  store.add(STREAM, 'ReviewEvidenceRequested', { request: 'Incident report', dueBy: '2026-11-01T00:00:00.000Z', requestedBy: rania.userId }, rania);
});

afterEach(() => page.close());

const signedIn = (username: string) => page.signedIn(username);

describe('evidence files in the review pages', () => {
  it('offers the provider a file input, stores the uploaded file and names it by its hash in the evidence it submits', async () => {
    const provider = await signedIn('nimbus');
    const page = await provider.request('GET', `/ui/reviews/${REVIEW}`);
    expect(page.body).toMatch(/action="\/ui\/reviews\/[^"]+\/submit-evidence" enctype="multipart\/form-data"/);
    expect(page.body).toContain('type="file" multiple');
    const _csrf = await provider.csrf(`/ui/reviews/${REVIEW}`);
    const res = await provider.upload(`/ui/reviews/${REVIEW}/submit-evidence`, { _csrf, summary: 'The report', documents: 'IR-7' }, [
      { name: 'files', filename: 'incident.pdf', contentType: 'application/pdf', content: REPORT },
    ]);
    expect(res.statusCode).toBe(303);
    expect(actions).toEqual([
      expect.objectContaining({
        type: 'SubmitEvidence',
        data: { summary: 'The report', documents: ['IR-7'], files: [{ sha256: SHA, filename: 'incident.pdf', size: REPORT.length, contentType: 'application/pdf' }] },
      }),
    ]);
    expect(await files.check(SHA)).toBe('intact');
  });

  it('refuses a file of a type not accepted, keeping the summary typed, and sends nothing', async () => {
    const provider = await signedIn('nimbus');
    const _csrf = await provider.csrf(`/ui/reviews/${REVIEW}`);
    const res = await provider.upload(`/ui/reviews/${REVIEW}/submit-evidence`, { _csrf, summary: 'Kept summary' }, [
      { name: 'files', filename: 'tool.exe', contentType: 'application/pdf', content: Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03]) },
    ]);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('tool.exe: The file is none of the accepted types');
    expect(res.body).toContain('Kept summary');
    expect(actions).toEqual([]);
  });

  it('refuses a multipart form without its form token', async () => {
    const provider = await signedIn('nimbus');
    const res = await provider.upload(`/ui/reviews/${REVIEW}/submit-evidence`, { summary: 'No token' }, []);
    expect(res.statusCode).toBe(403);
    expect(actions).toEqual([]);
  });

  it('lists the submitted files as links that open for the reviewer, and for another provider as for a file that does not exist', async () => {
    await files.put(REPORT, { filename: 'incident.pdf', contentType: 'application/pdf' });
    store.add(STREAM, 'ReviewEvidenceSubmitted', { summary: 'Report attached', documents: [], files: [{ sha256: SHA, filename: 'incident.pdf', size: REPORT.length, contentType: 'application/pdf' }], submittedBy: nimbus.userId }, nimbus);
    const reviewer = await signedIn('rania');
    const page = await reviewer.request('GET', `/ui/reviews/${REVIEW}`);
    expect(page.body).toContain(`<a href="/ui/evidence/${SHA}" download>incident.pdf</a>`);
    const opened = await reviewer.request('GET', `/ui/evidence/${SHA}`);
    expect(opened.statusCode).toBe(200);
    expect(opened.rawPayload.equals(REPORT)).toBe(true);
    expect(opened.headers['content-type']).toBe('application/pdf');
    expect(opened.headers['content-disposition']).toContain('attachment; filename="incident.pdf"');
    expect(opened.headers['x-content-type-options']).toBe('nosniff');
    const other = await signedIn('stratus');
    expect((await other.request('GET', `/ui/evidence/${SHA}`)).statusCode).toBe(404);
    expect((await other.request('GET', `/ui/evidence/${'0'.repeat(64)}`)).statusCode).toBe(404);
  });
});
