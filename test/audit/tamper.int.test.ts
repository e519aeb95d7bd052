import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventId, type EventMetadata } from '../../eventstore/envelope';
import { Checkpointer } from '../../eventstore/integrity/checkpoint';
import { AUDIT_CHECKPOINT_STREAM } from '../../eventstore/integrity/checkpoint-events';
import { HashChainedEventStore } from '../../eventstore/integrity/hash-chain';
import { loadAuditSigner } from '../../eventstore/integrity/signing';
import { LogVerifier, type StoreVerification } from '../../eventstore/integrity/verify-store';
import { openSqliteEventStore } from '../../eventstore/sqlite/sqlite-event-store';
import type { RecordedEvent } from '../../eventstore/port';

/**
 * At least 10 000 random tamperings of a copy of a store: every one must be detected, and located at
 * the stream and revision (or, for what only a checkpoint can see, the stream and checkpoint) it hit.
 */
const TRIALS = 10_000;

// A small deterministic generator: a failing trial can be replayed from its number.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

interface Expected {
  kind: string;
  stream: string;
  /** The first broken revision, when the chain itself can show it. */
  revision?: number;
  /** For checkpoint-only findings. */
  checkpoint?: number;
}

let log: RecordedEvent[];
let audit: RecordedEvent[];
let trusted: Record<string, string>;
let foreignSignature: string;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tamper-'));
  const store = new HashChainedEventStore(await openSqliteEventStore({ path: ':memory:' }));
  const signer = loadAuditSigner({ file: join(dir, 'key.pem') });
  trusted = { [signer.keyId]: signer.publicKeyPem };
  const meta = (i: number): EventMetadata => ({
    schemaVersion: 1,
    actor: { userId: `u${i % 5}`, role: 'pse' },
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    correlationId: 'noc:t',
    causationId: `c${i}`,
    policyVersion: 'p1',
  });
  const streams = Array.from({ length: 8 }, (_, i) => `noc-T${i}`);
  const random = rng(42);
  const checkpointer = new Checkpointer(store, signer);
  for (let i = 0; i < 120; i++) {
    const stream = streams[Math.floor(random() * streams.length)] as string;
    const revision = (await store.readStream(stream)).length;
    await store.append(
      stream,
      [{ id: eventId(stream, revision), type: 'NocInformationProvided', data: { answer: `answer ${i}`, providedBy: 'u1' }, metadata: meta(i) }],
      revision === 0 ? 'no-stream' : revision - 1,
    );
    if (i === 59) await checkpointer.checkpoint('2026-01-01T01:00:00.000Z');
  }
  await checkpointer.checkpoint('2026-01-01T02:00:00.000Z');
  log = await store.readAll();
  audit = await store.readStream(AUDIT_CHECKPOINT_STREAM);
  const stranger = loadAuditSigner({ pem: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), file: '' });
  foreignSignature = stranger.sign('anything');
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(events: RecordedEvent[]): StoreVerification {
  const verifier = new LogVerifier(events.filter((e) => e.stream === AUDIT_CHECKPOINT_STREAM), trusted);
  for (const e of events) verifier.check(e);
  return verifier.finish();
}

const clone = (events: RecordedEvent[]): RecordedEvent[] => structuredClone(events);
const domainIndexes = (events: RecordedEvent[]) => events.map((e, i) => (e.stream === AUDIT_CHECKPOINT_STREAM ? -1 : i)).filter((i) => i >= 0);

type Tamper = (events: RecordedEvent[], random: () => number) => Expected | undefined;

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

/** The index in the log of a stream's event at a revision. */
const indexOf = (events: RecordedEvent[], stream: string, revision: number) => events.findIndex((e) => e.stream === stream && e.revision === revision);
const lastRevision = (events: RecordedEvent[], stream: string) => Math.max(...events.filter((e) => e.stream === stream).map((e) => e.revision));

const TAMPERINGS: Record<string, Tamper> = {
  'change data': (events, random) => {
    const e = events[pick(domainIndexes(events), random)] as RecordedEvent;
    (e.data as { answer: string }).answer += pick([' ', 'x', '!', '0'], random);
    return { kind: 'changed', stream: e.stream, revision: e.revision };
  },
  'change actor': (events, random) => {
    const e = events[pick(domainIndexes(events), random)] as RecordedEvent;
    e.metadata.actor.userId = `${e.metadata.actor.userId}-forged`;
    return { kind: 'changed', stream: e.stream, revision: e.revision };
  },
  'change time': (events, random) => {
    const e = events[pick(domainIndexes(events), random)] as RecordedEvent;
    e.metadata.occurredAt = new Date(Date.parse(e.metadata.occurredAt) - 1000 * (1 + Math.floor(random() * 1e6))).toISOString();
    return { kind: 'changed', stream: e.stream, revision: e.revision };
  },
  'change type': (events, random) => {
    const e = events[pick(domainIndexes(events), random)] as RecordedEvent;
    e.type = pick(['NocApproved', 'NocRevoked', 'NocExpired'], random);
    return { kind: 'changed', stream: e.stream, revision: e.revision };
  },
  'remove an event': (events, random) => {
    const candidates = domainIndexes(events).filter((i) => (events[i] as RecordedEvent).revision < lastRevision(events, (events[i] as RecordedEvent).stream));
    const i = pick(candidates, random);
    const [e] = events.splice(i, 1) as [RecordedEvent];
    return { kind: 'removed', stream: e.stream, revision: e.revision };
  },
  'reorder two events': (events, random) => {
    const candidates = domainIndexes(events).filter((i) => (events[i] as RecordedEvent).revision < lastRevision(events, (events[i] as RecordedEvent).stream));
    const i = pick(candidates, random);
    const e = events[i] as RecordedEvent;
    const j = indexOf(events, e.stream, e.revision + 1);
    [events[i], events[j]] = [events[j] as RecordedEvent, e];
    return { kind: 'reordered', stream: e.stream, revision: e.revision };
  },
  'insert a forged duplicate': (events, random) => {
    const i = pick(domainIndexes(events), random);
    const copy = structuredClone(events[i] as RecordedEvent);
    (copy.data as { answer: string }).answer = 'forged';
    events.splice(i + 1, 0, copy);
    return { kind: 'inserted', stream: copy.stream, revision: copy.revision };
  },
  'truncate a stream': (events, random) => {
    // Only events the last checkpoint covers: beyond it, nothing can tell a cut from a quiet stream.
    const covered = domainIndexes(events).filter((i) => i < events.length - 1);
    const stream = (events[pick(covered, random)] as RecordedEvent).stream;
    const last = lastRevision(events, stream);
    const cut = 1 + Math.floor(random() * Math.min(3, last + 1));
    for (let r = last; r > last - cut; r--) events.splice(indexOf(events, stream, r), 1);
    return { kind: 'truncated', stream };
  },
  'forge a checkpoint': (events, random) => {
    const auditIndexes = events.map((e, i) => (e.stream === AUDIT_CHECKPOINT_STREAM ? i : -1)).filter((i) => i >= 0);
    const e = events[pick(auditIndexes, random)] as RecordedEvent;
    const data = e.data as { checkpoint: { root: string; events: number } };
    if (random() < 0.5) data.checkpoint.events += 1;
    else data.checkpoint.root = data.checkpoint.root.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    return { kind: 'wrong-signature', stream: AUDIT_CHECKPOINT_STREAM, revision: e.revision };
  },
  'replace a signature': (events, random) => {
    const auditIndexes = events.map((e, i) => (e.stream === AUDIT_CHECKPOINT_STREAM ? i : -1)).filter((i) => i >= 0);
    const e = events[pick(auditIndexes, random)] as RecordedEvent;
    (e.data as { signature: string }).signature = foreignSignature;
    return { kind: 'wrong-signature', stream: AUDIT_CHECKPOINT_STREAM, revision: e.revision };
  },
};

function located(result: StoreVerification, expected: Expected): boolean {
  switch (expected.kind) {
    case 'truncated':
      return result.checkpoints.findings.some((f) => f.problem === 'root-mismatch' && f.streams?.some((s) => s.stream === expected.stream && s.problem === 'truncated'));
    case 'wrong-signature':
      return result.checkpoints.findings.some((f) => f.problem === 'wrong-signature' && f.sequence === expected.revision);
    default:
      return result.breaks.some((b) => b.stream === expected.stream && b.revision === expected.revision && b.problem === expected.kind);
  }
}

describe('the verifier against random tampering', () => {
  it('finds nothing wrong with the untouched copy', () => {
    const result = verify(clone(log.concat()));
    expect(result.breaks).toEqual([]);
    expect(result.checkpoints).toEqual({ verified: 2, findings: [] });
    expect(audit).toHaveLength(2);
  });

  it(`detects and locates each of ${TRIALS} random tamperings`, () => {
    const kinds = Object.keys(TAMPERINGS);
    const missed: string[] = [];
    const counts: Record<string, number> = {};
    for (let trial = 0; trial < TRIALS; trial++) {
      const random = rng(1000 + trial);
      const kind = kinds[trial % kinds.length] as string;
      const events = clone(log);
      const expected = (TAMPERINGS[kind] as Tamper)(events, random) as Expected;
      const result = verify(events);
      counts[kind] = (counts[kind] ?? 0) + 1;
      if (!located(result, expected)) {
        missed.push(`trial ${trial} (${kind}): expected ${JSON.stringify(expected)}, got ${JSON.stringify({ breaks: result.breaks, findings: result.checkpoints.findings })}`);
      }
    }
    expect(missed.slice(0, 5)).toEqual([]);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(TRIALS);
  });
});
