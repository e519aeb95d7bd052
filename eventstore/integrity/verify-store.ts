import { comparePositions, positionFromString, type EventStore, type Position, type RecordedEvent } from '../port';
import { leaf, signedText, StreamHeads } from './checkpoint';
import { AUDIT_CHECKPOINT_STREAM, Checkpoint } from './checkpoint-events';
import { ChainVerifier, type ChainBreak } from './hash-chain';
import { verifySignature } from './signing';

export type CheckpointProblem = 'malformed' | 'wrong-signature' | 'unknown-key' | 'out-of-sequence' | 'root-mismatch';

export interface CheckpointFinding {
  sequence: number;
  problem: CheckpointProblem;
  detail: string;
  /** For a root mismatch: the streams whose heads differ from what the checkpoints recorded. */
  streams?: { stream: string; problem: 'truncated' | 'changed' | 'inserted' | 'removed'; recorded: number; found: number | null }[];
}

export interface StoreVerification {
  streams: number;
  events: number;
  breaks: ChainBreak[];
  checkpoints: { verified: number; findings: CheckpointFinding[] };
}

interface Pending {
  checkpoint: Checkpoint;
  position: Position;
}

/**
 * Reads the whole log page by page: recomputes every stream's hash chain, and checks every signed
 * checkpoint (signature by a trusted key, sequence, and the Merkle root of the stream heads at its
 * position). A checkpoint whose root no longer matches names the streams that differ: that is how a
 * truncated tail, which leaves every chain intact, is found.
 */
export async function verifyStore(
  store: EventStore,
  options: { trustedKeys?: Record<string, string>; onProgress?: (events: number) => void; pageSize?: number } = {},
): Promise<StoreVerification> {
  const pageSize = options.pageSize ?? 5_000;
  const findings: CheckpointFinding[] = [];
  const pending: Pending[] = [];
  const audit = await store.readStream(AUDIT_CHECKPOINT_STREAM);
  audit.forEach((event, i) => {
    const parsed = Checkpoint.safeParse((event.data as { checkpoint?: unknown } | null)?.checkpoint);
    const signature = (event.data as { signature?: unknown } | null)?.signature;
    if (!parsed.success || typeof signature !== 'string') {
      findings.push({ sequence: i, problem: 'malformed', detail: `audit event at revision ${event.revision} is not a signed checkpoint` });
      return;
    }
    const checkpoint = parsed.data;
    const key = options.trustedKeys?.[checkpoint.keyId];
    if (checkpoint.sequence !== i) {
      findings.push({ sequence: checkpoint.sequence, problem: 'out-of-sequence', detail: `found at position ${i} of the audit stream` });
    }
    if (!key) {
      findings.push({ sequence: checkpoint.sequence, problem: 'unknown-key', detail: `signed by key ${checkpoint.keyId}, which is not trusted` });
      return;
    }
    if (!verifySignature(key, signedText(checkpoint), signature)) {
      findings.push({ sequence: checkpoint.sequence, problem: 'wrong-signature', detail: 'the signature does not verify against the trusted key' });
      return;
    }
    pending.push({ checkpoint, position: positionFromString(checkpoint.logPosition) });
  });
  pending.sort((a, b) => comparePositions(a.position, b.position));

  const verifier = new ChainVerifier();
  const heads = new StreamHeads();
  const recorded = new Map<string, { revision: number; hash: string }>();
  let verified = 0;
  const settle = (upTo: Position | undefined): void => {
    while (pending.length > 0 && (upTo === undefined || comparePositions((pending[0] as Pending).position, upTo) < 0)) {
      const { checkpoint } = pending.shift() as Pending;
      for (const [stream, revision, hash] of checkpoint.changed) recorded.set(stream, { revision, hash });
      const root = heads.root();
      if (root === checkpoint.root) {
        verified += 1;
        continue;
      }
      findings.push({
        sequence: checkpoint.sequence,
        problem: 'root-mismatch',
        detail: `the stream heads at ${checkpoint.logPosition} hash to ${root.slice(0, 12)}…, the checkpoint says ${checkpoint.root.slice(0, 12)}…`,
        streams: differences(recorded, heads),
      });
    }
  };

  let after: Position | undefined;
  for (;;) {
    const page: RecordedEvent[] = await store.readAll({ after, maxCount: pageSize });
    for (const event of page) {
      settle(event.position);
      verifier.check(event);
      heads.apply(event);
    }
    options.onProgress?.(verifier.events);
    if (page.length < pageSize) break;
    after = page[page.length - 1]?.position;
  }
  settle(undefined);
  return { streams: verifier.streams, events: verifier.events, breaks: verifier.breaks, checkpoints: { verified, findings } };
}

function differences(recorded: Map<string, { revision: number; hash: string }>, heads: StreamHeads): CheckpointFinding['streams'] {
  const out: NonNullable<CheckpointFinding['streams']> = [];
  for (const [stream, want] of recorded) {
    const have = heads.get(stream);
    if (!have) out.push({ stream, problem: 'removed', recorded: want.revision, found: null });
    else if (have.revision < want.revision) out.push({ stream, problem: 'truncated', recorded: want.revision, found: have.revision });
    else if (have.revision > want.revision) out.push({ stream, problem: 'inserted', recorded: want.revision, found: have.revision });
    else if (leaf(stream, have) !== leaf(stream, want)) out.push({ stream, problem: 'changed', recorded: want.revision, found: have.revision });
  }
  return out;
}

