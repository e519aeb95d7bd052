import { createHash } from 'node:crypto';
import { startStack, type Stack } from '../support/stack';
import { ACCOUNTS, PASSWORD, accreditedOffering, apiClient, errorOf, type ApiClient } from './compliance-api-support';

/**
 * Evidence as files through the HTTP API: the provider uploads a report, names it by its hash in the
 * evidence a review asked for, the event records the hash, the reviewer opens the file from the case,
 * and another provider cannot tell it exists.
 */
const TASK_QUEUE = 'api-evidence-files';
const REPORT = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\nThe incident report and its root cause\n%%EOF\n');

let stack: Stack;
let api: ApiClient;
const tokens: Partial<Record<keyof typeof ACCOUNTS, string>> = {};

async function tokenOf(who: keyof typeof ACCOUNTS): Promise<string> {
  const known = tokens[who];
  if (known !== undefined) return known;
  const account = ACCOUNTS[who];
  const res = await fetch(`${stack.base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: PASSWORD, code: stack.totp.code(account.username) }),
  });
  const token = ((await res.json()) as { token: string }).token;
  tokens[who] = token;
  return token;
}

async function upload(who: keyof typeof ACCOUNTS, body: Buffer, contentType: string, filename: string) {
  const res = await fetch(`${stack.base}/api/evidence?filename=${encodeURIComponent(filename)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await tokenOf(who)}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function download(who: keyof typeof ACCOUNTS, sha256: string) {
  const res = await fetch(`${stack.base}/api/evidence/${sha256}`, { headers: { authorization: `Bearer ${await tokenOf(who)}` } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

beforeAll(async () => {
  stack = await startStack({ taskQueue: TASK_QUEUE, accounts: ACCOUNTS, password: PASSWORD });
  api = await apiClient(stack);
});

afterAll(async () => {
  await stack?.close();
});

describe('evidence files through the API', () => {
  it('stores an uploaded report by its hash, records the hash in the review, and lets the reviewer open it but not another provider', async () => {
    const { call, ok } = api;
    const applicationId = await accreditedOffering(api);
    const opened = await ok('POST', '/api/reviews', 'reviewer', { applicationId, trigger: 'incident', description: 'Six hours of outage in Islamabad' });
    const reviewId = (opened.state as { subject: { reviewId: string } }).subject.reviewId;
    await ok('POST', `/api/reviews/${reviewId}/request-evidence`, 'reviewer', { request: 'The incident report' });

    // Only a provider uploads; the type is found from the bytes, not the header.
    expect((await upload('reviewer', REPORT, 'application/pdf', 'report.pdf')).status).toBe(403);
    const refused = await upload('csp', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]), 'application/pdf', 'report.pdf');
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'EVIDENCE_TYPE_NOT_ALLOWED' } } });
    const stored = await upload('csp', REPORT, 'application/octet-stream', 'incident report.pdf');
    const sha256 = createHash('sha256').update(REPORT).digest('hex');
    expect(stored).toEqual({ status: 201, body: { sha256, filename: 'incident report.pdf', size: REPORT.length, contentType: 'application/pdf' } });

    // A hash nobody uploaded is refused, naming the field; nothing is recorded.
    const unknown = { sha256: 'f'.repeat(64), filename: 'x.pdf', size: 10, contentType: 'application/pdf' };
    const bad = await call('POST', `/api/reviews/${reviewId}/submit-evidence`, 'csp', { summary: 'Attached', files: [unknown] });
    expect(bad.status).toBe(422);
    expect(errorOf(bad)).toMatchObject({ code: 'EVIDENCE_FILE_UNKNOWN', field: 'files.0.sha256' });

    await ok('POST', `/api/reviews/${reviewId}/submit-evidence`, 'csp', { summary: 'The incident report is attached', files: [stored.body] });
    const detail = (await ok('GET', `/api/reviews/${reviewId}`, 'reviewer')) as { history: { type: string; data: { files?: unknown[] } }[] };
    expect(detail.history.find((e) => e.type === 'ReviewEvidenceSubmitted')?.data.files).toEqual([stored.body]);

    // At once, without waiting for the read models: the references include the events not yet projected.
    const opening = await download('reviewer', sha256);
    expect(opening.status).toBe(200);
    expect(opening.body.equals(REPORT)).toBe(true);
    expect(opening.headers.get('content-type')).toBe('application/pdf');
    expect(opening.headers.get('content-disposition')).toBe(`attachment; filename="incident report.pdf"; filename*=UTF-8''incident%20report.pdf`);
    expect(opening.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await download('csp', sha256)).status).toBe(200);

    // Another provider gets exactly what a hash nobody uploaded gets.
    const hidden = await download('otherCsp', sha256);
    const missing = await download('otherCsp', '0'.repeat(64));
    expect(hidden.status).toBe(404);
    expect(JSON.parse(hidden.body.toString()).error.code).toBe('NOT_FOUND');
    expect(JSON.parse(hidden.body.toString()).error.message.replace(sha256, 'X')).toBe(JSON.parse(missing.body.toString()).error.message.replace('0'.repeat(64), 'X'));
  });
});
