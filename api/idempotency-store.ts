import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '../domain/shared/canonical-json';
import { COMMAND_MAX_AGE_MS } from '../domain/shared/signed-command';

/**
 * The API's record of requests sent with an Idempotency-Key (issue 14, "nothing doubled"): per signed-in
 * person and key, what was asked (a digest of method, path and canonical body) and, once it succeeded,
 * the answer. A resend is answered from here however late it comes and whatever the case has become
 * since: the processes remember a taken command only within the seal window across continue-as-new,
 * and Temporal dedupes an update id only within one run, so they cannot be the record of a late resend.
 */
export interface RecordedAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Where a redirect sent the person (the UI's forms answer 303 See Other). */
  location?: string;
}

/** What a request with a key finds on arrival. */
export type IdempotencyClaim =
  /** First seen now (recorded as in flight): do the work. */
  | { kind: 'new' }
  /** The same request was answered before: send that answer again. */
  | { kind: 'replay'; answer: RecordedAnswer }
  /** The key was used by this person for another request: refuse. */
  | { kind: 'reused'; firstRoute: string }
  /** The same request is still being answered, first sent within the resend window: do the work, the processes dedupe it. */
  | { kind: 'in-flight' }
  /**
   * The same request, first sent longer ago than the resend window and never answered (its API process
   * stopped while answering): the process may have taken it and may have let go of it since; refuse.
   */
  | { kind: 'outcome-unknown'; firstSeen: string };

export interface RequestFingerprint {
  method: string;
  /** The route as declared (`/api/nocs/:nocId/notes`), for people reading the record. */
  route: string;
  /** requestDigest(): method, path and canonical body. */
  digest: string;
}

export interface IdempotencyStore {
  /** Looks the key up and, when it is new, records the request as in flight, in one transaction. */
  claim(userId: string, key: string, request: RequestFingerprint): IdempotencyClaim;
  /** Records the success answer of the request under the key (only when the digest is the recorded one). */
  answered(userId: string, key: string, request: RequestFingerprint, answer: RecordedAnswer): void;
  /** A failed answer is not final: the key is free again for a retry, of this request or another. */
  failed(userId: string, key: string, digest: string): void;
  /** Deletes records first seen before the retention period; returns how many. */
  prune(): number;
  close(): void;
}

export interface IdempotencyStoreOptions {
  /** How long a record answers resends (IDEMPOTENCY_RETENTION_DAYS). */
  retentionMs: number;
  /** The store's clock; tests move it past the seal window and the retention period. */
  now?: () => number;
  /**
   * How long after its first sending a resend of an unanswered request may still go to the process:
   * as long as the process is sure to know the command it may have taken (its seal window, the shortest
   * any process keeps taken commands across continue-as-new). COMMAND_MAX_AGE_MS unless given.
   */
  resendWindowMs?: number;
}

/** Old records are pruned on a claim at most this often. */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** The body with each file's bytes replaced by their SHA-256, so a form's files count by what they hold. */
function filesDigested(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `sha256:${createHash('sha256').update(value).digest('hex')}`;
  if (Array.isArray(value)) return value.map(filesDigested);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, filesDigested(v)]));
  }
  return value;
}

/** What identifies a request: its method, its path (query left out) and its body, canonical JSON or raw bytes. */
export function requestDigest(method: string, path: string, body: unknown): string {
  const hash = createHash('sha256').update(`${method.toUpperCase()}\u0000${path}\u0000`);
  if (Buffer.isBuffer(body)) hash.update('bytes\u0000').update(body);
  else hash.update('json\u0000').update(canonicalJson(filesDigested(body ?? {})));
  return hash.digest('hex');
}

type Row = { route: string; digest: string; first_seen_ms: number; status: number | null; content_type: string | null; body: string | null; location: string | null };

/** The record in its own SQLite file (config.idempotency.path, shared by every API process), or ':memory:'. */
export function openIdempotencyStore(path: string, options: IdempotencyStoreOptions): IdempotencyStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // Several API processes may share the file: a writer waits for another rather than failing.
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS idempotency_records (
     user_id       TEXT NOT NULL,
     key           TEXT NOT NULL,
     method        TEXT NOT NULL,
     route         TEXT NOT NULL,
     digest        TEXT NOT NULL,
     first_seen_ms INTEGER NOT NULL,
     status        INTEGER,
     content_type  TEXT,
     body          TEXT,
     location      TEXT,
     answered_ms   INTEGER,
     PRIMARY KEY (user_id, key)
   ) WITHOUT ROWID;
   CREATE INDEX IF NOT EXISTS idempotency_first_seen ON idempotency_records (first_seen_ms);`);
  const now = options.now ?? (() => Date.now());
  const resendWindowMs = options.resendWindowMs ?? COMMAND_MAX_AGE_MS;
  const stmt = {
    get: db.prepare<[string, string], Row>('SELECT route, digest, first_seen_ms, status, content_type, body, location FROM idempotency_records WHERE user_id = ? AND key = ?'),
    insert: db.prepare<[string, string, string, string, string, number]>(
      'INSERT INTO idempotency_records (user_id, key, method, route, digest, first_seen_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // The row may have gone (a concurrent duplicate failed and freed the key): the answer recreates it.
    answer: db.prepare<[string, string, string, string, string, number, number, string, string, string | null, number]>(
      `INSERT INTO idempotency_records (user_id, key, method, route, digest, first_seen_ms, status, content_type, body, location, answered_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (user_id, key) DO UPDATE SET status = excluded.status, content_type = excluded.content_type,
         body = excluded.body, location = excluded.location, answered_ms = excluded.answered_ms
       WHERE idempotency_records.digest = excluded.digest AND idempotency_records.status IS NULL`,
    ),
    free: db.prepare<[string, string, string]>('DELETE FROM idempotency_records WHERE user_id = ? AND key = ? AND digest = ? AND status IS NULL'),
    prune: db.prepare<[number]>('DELETE FROM idempotency_records WHERE first_seen_ms < ?'),
  };

  const prune = (): number => stmt.prune.run(now() - options.retentionMs).changes;
  let prunedAt = Number.NEGATIVE_INFINITY;

  const claim = db.transaction((userId: string, key: string, request: RequestFingerprint): IdempotencyClaim => {
    const at = now();
    if (at - prunedAt >= PRUNE_EVERY_MS) {
      prunedAt = at;
      prune();
    }
    const row = stmt.get.get(userId, key);
    if (row === undefined) {
      stmt.insert.run(userId, key, request.method, request.route, request.digest, at);
      return { kind: 'new' };
    }
    if (row.digest !== request.digest) return { kind: 'reused', firstRoute: row.route };
    if (row.status === null) {
      return at - row.first_seen_ms <= resendWindowMs ? { kind: 'in-flight' } : { kind: 'outcome-unknown', firstSeen: new Date(row.first_seen_ms).toISOString() };
    }
    const answer: RecordedAnswer = { status: row.status, contentType: row.content_type ?? 'application/json', body: row.body ?? '' };
    return { kind: 'replay', answer: row.location === null ? answer : { ...answer, location: row.location } };
  });

  return {
    // IMMEDIATE: two processes claiming the same key take the write lock before reading it.
    claim: (userId, key, request) => claim.immediate(userId, key, request),
    answered(userId, key, request, answer) {
      const at = now();
      stmt.answer.run(userId, key, request.method, request.route, request.digest, at, answer.status, answer.contentType, answer.body, answer.location ?? null, at);
    },
    failed(userId, key, digest) {
      stmt.free.run(userId, key, digest);
    },
    prune,
    close: () => db.close(),
  };
}
