import { comparePositions, positionFromString, type EventStore, type RecordedEvent } from '../eventstore/port';
import { CheckpointIndex } from './checkpoint-index';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from '../eventstore/integrity/checkpoint-events';
import { parseEntry, signatureFinding, type CheckpointFinding } from '../eventstore/integrity/feed';
import { verifyStreamChain, type ChainBreak } from '../eventstore/integrity/hash-chain';

/** What a dossier verified: only the streams it shows, held against the signed checkpoint feed. */
export interface CaseStreamsVerification {
  /** The streams whose chains were recomputed (the case, its notes, its related cases). */
  streams: string[];
  breaks: ChainBreak[];
  /** The checkpoints relied on that are gone, malformed or not signed by a trusted key, and every signed head of these streams the log no longer matches. */
  findings: CheckpointFinding[];
  /** Checkpoints that signed the newest head of one of these streams, and whose such heads the log still matches. */
  checkpointsVerified: number;
  /** Per stream, the newest signed checkpoint that recorded its head. */
  coveredBy: Map<string, { sequence: number; createdAt: string; revision: number }>;
}

type Head = { sequence: number; createdAt: string; revision: number; hash: string };

/**
 * Verifies what a dossier shows and nothing more, so its cost follows the case, not the log or the
 * feed: each stream's hash chain is recomputed from its own events; the checkpoints it relies on (the
 * newest that signed a head of each stream, and the newest of all, found by the index) must be signed by
 * a trusted key; each stream's newest signed head must still be the event the log holds at that revision,
 * and the stream must hold no more events by the newest checkpoint's position (more shows an insertion).
 * The newest head is enough: its hash chains every event before it, so any earlier head that no longer
 * holds makes it fail too. Not checked here: the roots over all the other streams, and the links and
 * consistency proofs between checkpoints; the whole log and the whole feed are `npm run verify`'s.
 */
export async function verifyCaseStreams(
  store: Pick<EventStore, 'readStream'>,
  streams: ReadonlyMap<string, readonly RecordedEvent[]>,
  trustedKeys: Record<string, string>,
  index = new CheckpointIndex(store),
): Promise<CaseStreamsVerification> {
  const breaks: ChainBreak[] = [];
  for (const [stream, events] of streams) {
    const found = verifyStreamChain(stream, events);
    if (found) breaks.push(found);
  }
  await index.catchUp();
  const newest = index.newest;
  const relied = new Set<number>([...streams.keys()].map((s) => index.namedLast(s)).filter((r) => r !== undefined));
  if (newest !== undefined) relied.add(newest);
  const findings: CheckpointFinding[] = [];
  const accepted = new Map<number, Checkpoint>();
  for (const revision of [...relied].sort((a, b) => a - b)) {
    const [event] = await store.readStream(AUDIT_CHECKPOINT_STREAM, { fromRevision: revision, maxCount: 1 });
    const entry = event?.revision === revision ? parseEntry(event.data) : undefined;
    if (!entry) {
      const what = event?.revision === revision ? 'is not a signed checkpoint' : 'is gone';
      findings.push({ sequence: revision, problem: 'malformed', detail: `entry ${revision} of the audit stream ${what}` });
      continue;
    }
    const signature = signatureFinding(entry, trustedKeys);
    if (signature) findings.push(signature);
    else accepted.set(revision, entry.checkpoint);
  }
  const last = newest === undefined ? undefined : accepted.get(newest);
  const failed = new Set<number>();
  const named = new Set<number>();
  const coveredBy: CaseStreamsVerification['coveredBy'] = new Map();
  for (const [stream, events] of streams) {
    const revision = index.namedLast(stream);
    const checkpoint = revision === undefined ? undefined : accepted.get(revision);
    const signed = checkpoint?.changed.find(([s]) => s === stream);
    if (!checkpoint || !signed) continue;
    const head: Head = { sequence: checkpoint.sequence, createdAt: checkpoint.createdAt, revision: signed[1], hash: signed[2] };
    named.add(head.sequence);
    coveredBy.set(stream, { sequence: head.sequence, createdAt: head.createdAt, revision: head.revision });
    // Held where the head was signed and at the newest checkpoint, which signs that nothing followed unseen.
    const problem = headProblem(stream, events, checkpoint, head) ?? (last && last !== checkpoint ? headProblem(stream, events, last, head) : undefined);
    if (!problem) continue;
    failed.add(head.sequence);
    findings.push(problem);
  }
  return { streams: [...streams.keys()], breaks, findings, checkpointsVerified: [...named].filter((s) => !failed.has(s)).length, coveredBy };
}

/** Whether the stream, as the log holds it at the checkpoint's position, still ends in the head last signed for it. */
function headProblem(stream: string, events: readonly RecordedEvent[], checkpoint: Checkpoint, signed: Head): CheckpointFinding | undefined {
  const at = positionFromString(checkpoint.logPosition);
  const upTo = events.filter((e) => comparePositions(e.position, at) <= 0);
  const found = upTo.length === 0 ? null : (upTo.at(-1) as RecordedEvent).revision;
  const event = events.find((e) => e.revision === signed.revision);
  let problem: 'truncated' | 'changed' | 'inserted' | undefined;
  if (event === undefined || (found ?? -1) < signed.revision) problem = 'truncated';
  else if ((found ?? -1) > signed.revision) problem = 'inserted';
  else if (event.metadata.integrity?.hash !== signed.hash) problem = 'changed';
  if (!problem) return undefined;
  return {
    sequence: signed.sequence,
    problem: 'root-mismatch',
    detail: `checkpoint ${signed.sequence} signed ${stream} at revision ${signed.revision}; the log holds it ${problem} (revision ${found ?? 'none'} by ${checkpoint.logPosition})`,
    streams: [{ stream, problem, recorded: signed.revision, found }],
  };
}
