import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openIdempotencyStore, requestDigest, type IdempotencyStore, type RequestFingerprint } from '../../api/idempotency-store';

/** The API's record of requests sent with an Idempotency-Key, on a SQLite file, with its clock in the test's hand. */
const DAY = 24 * 60 * 60 * 1000;
let dir: string;
let store: IdempotencyStore;
let now: number;

const noteOn = (nocId: string, text: string): RequestFingerprint => ({
  method: 'POST',
  route: '/api/nocs/:nocId/notes',
  digest: requestDigest('POST', `/api/nocs/${nocId}/notes`, { text }),
});
const CREATED = { status: 201, contentType: 'application/json; charset=utf-8', body: '{"noteId":"n-1","text":"Site visit done"}' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'idempotency-store-'));
  now = Date.parse('2026-12-01T09:00:00Z');
  store = openIdempotencyStore(join(dir, 'idempotency.db'), { retentionMs: 30 * DAY, now: () => now });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the idempotency record', () => {
  it('records a new request as in flight, then answers its resend with the recorded status and body', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'new' });
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'in-flight' });
    store.answered('u-1', 'k-1', note, CREATED);
    now += 29 * DAY;
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('lets an unanswered request’s resend through within the seal window, and calls its outcome unknown after it', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    const first = now;
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'new' });
    now += 5 * 60_000;
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'in-flight' });
    now += 1;
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'outcome-unknown', firstSeen: new Date(first).toISOString() });
    // Another request under the key is still a reuse, and a recorded answer still answers.
    expect(store.claim('u-1', 'k-1', noteOn('NOC-7', 'Another text'))).toEqual({ kind: 'reused', firstRoute: '/api/nocs/:nocId/notes' });
    store.answered('u-1', 'k-1', note, CREATED);
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('keeps the record across reopening the file, as a restarted API would', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.answered('u-1', 'k-1', note, CREATED);
    store.close();
    store = openIdempotencyStore(join(dir, 'idempotency.db'), { retentionMs: 30 * DAY, now: () => now });
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('refuses the same person’s key with another body or path, naming the first route, and records nothing for it', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.answered('u-1', 'k-1', note, CREATED);
    expect(store.claim('u-1', 'k-1', noteOn('NOC-7', 'Another text'))).toEqual({ kind: 'reused', firstRoute: '/api/nocs/:nocId/notes' });
    expect(store.claim('u-1', 'k-1', noteOn('NOC-8', 'Site visit done'))).toEqual({ kind: 'reused', firstRoute: '/api/nocs/:nocId/notes' });
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('keeps where a form’s redirect went, for the UI’s resends', () => {
    const form: RequestFingerprint = { method: 'POST', route: '/ui/nocs/:nocId/:action', digest: requestDigest('POST', '/ui/nocs/NOC-7/recommend', { commandId: 'c-1', reasons: 'Agreed' }) };
    const redirect = { status: 303, contentType: 'text/plain; charset=utf-8', body: '', location: '/ui/nocs/NOC-7?done=recommend' };
    store.claim('u-1', 'c-1', form);
    store.answered('u-1', 'c-1', form, redirect);
    expect(store.claim('u-1', 'c-1', form)).toEqual({ kind: 'replay', answer: redirect });
  });

  it('keeps each person’s keys apart', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.answered('u-1', 'k-1', note, CREATED);
    expect(store.claim('u-2', 'k-1', noteOn('NOC-7', 'Another text'))).toEqual({ kind: 'new' });
  });

  it('frees the key after a failed answer, so a retry of the same or of another request does the work', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.failed('u-1', 'k-1', note.digest);
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'new' });
    store.failed('u-1', 'k-1', note.digest);
    expect(store.claim('u-1', 'k-1', noteOn('NOC-7', 'Corrected text'))).toEqual({ kind: 'new' });
  });

  it('never lets a failure or another request’s answer overwrite a recorded answer', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.answered('u-1', 'k-1', note, CREATED);
    store.failed('u-1', 'k-1', note.digest);
    store.answered('u-1', 'k-1', noteOn('NOC-7', 'Another text'), { ...CREATED, body: '{}' });
    store.answered('u-1', 'k-1', note, { ...CREATED, status: 200, body: '{"later":true}' });
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('records the answer of a resend whose in-flight twin failed and freed the key meanwhile', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.claim('u-1', 'k-1', note);
    store.failed('u-1', 'k-1', note.digest);
    store.answered('u-1', 'k-1', note, CREATED);
    expect(store.claim('u-1', 'k-1', note)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('prunes records first seen longer ago than the retention period, and only those', () => {
    const old = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'old', old);
    store.answered('u-1', 'old', old, CREATED);
    now += 20 * DAY;
    const recent = noteOn('NOC-8', 'Second visit');
    store.claim('u-1', 'recent', recent);
    store.answered('u-1', 'recent', recent, CREATED);
    now += 11 * DAY;
    expect(store.prune()).toBe(1);
    expect(store.claim('u-1', 'old', noteOn('NOC-9', 'A new request under the old key'))).toEqual({ kind: 'new' });
    expect(store.claim('u-1', 'recent', recent)).toEqual({ kind: 'replay', answer: CREATED });
  });

  it('prunes by itself on a claim once the retention period has passed', () => {
    const note = noteOn('NOC-7', 'Site visit done');
    store.claim('u-1', 'k-1', note);
    store.answered('u-1', 'k-1', note, CREATED);
    now += 31 * DAY;
    expect(store.claim('u-1', 'k-1', noteOn('NOC-7', 'Another text'))).toEqual({ kind: 'new' });
  });
});

describe('the request digest', () => {
  it('is the same for the same body whatever the order of its fields, and differs by method, path and body', () => {
    expect(requestDigest('POST', '/p', { b: [2, { d: 1, c: null }], a: 'x' })).toBe(requestDigest('POST', '/p', { a: 'x', b: [2, { c: null, d: 1 }] }));
    const digest = requestDigest('POST', '/api/nocs/NOC-7/decide', { decision: 'approve', reasons: 'Agreed' });
    expect(requestDigest('POST', '/api/nocs/NOC-7/decide', { reasons: 'Agreed', decision: 'approve' })).toBe(digest);
    expect(requestDigest('PUT', '/api/nocs/NOC-7/decide', { decision: 'approve', reasons: 'Agreed' })).not.toBe(digest);
    expect(requestDigest('POST', '/api/nocs/NOC-8/decide', { decision: 'approve', reasons: 'Agreed' })).not.toBe(digest);
    expect(requestDigest('POST', '/api/nocs/NOC-7/decide', { decision: 'reject', reasons: 'Agreed' })).not.toBe(digest);
    expect(requestDigest('POST', '/api/nocs/NOC-7/start-review', undefined)).toBe(requestDigest('POST', '/api/nocs/NOC-7/start-review', {}));
    // Files count by their bytes.
    const upload = (bytes: string) => requestDigest('POST', '/ui/reviews/R-1/evidence', { files: [{ field: 'file', content: Buffer.from(bytes) }] });
    expect(upload('%PDF-1.7 a')).toBe(upload('%PDF-1.7 a'));
    expect(upload('%PDF-1.7 a')).not.toBe(upload('%PDF-1.7 b'));
  });
});
