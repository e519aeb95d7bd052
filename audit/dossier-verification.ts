import { comparePositions, positionFromString, type EventStore, type RecordedEvent } from '../eventstore/port';
import { AUDIT_CHECKPOINT_STREAM, type Checkpoint } from '../eventstore/integrity/checkpoint-events';
import { parseEntry, signatureFinding, type CheckpointFinding } from '../eventstore/integrity/feed';
import { verifyStreamChain, type ChainBreak } from '../eventstore/integrity/hash-chain';

/** What a dossier verified: only the streams it shows, held against the signed checkpoint feed. */
export interface CaseStreamsVerification {
  /** The streams whose chains were recomputed (the case, its notes, its related cases). */
  streams: string[];
  breaks: ChainBreak[];
  /** The checkpoints relied on that are malformed or not signed by a trusted key, and every signed head of these streams the log no longer matches. */
  findings: CheckpointFinding[];
  /** Checkpoints that signed a head of these streams, and whose signed heads the log still matches. */
  checkpointsVerified: number;
  /** Per stream, the newest signed checkpoint that recorded its head. */
  coveredBy: Map<string, { sequence: number; createdAt: string; revision: number }>;
}

type Head = { sequence: number; createdAt: string; revision: number; hash: string };

/**
 * Verifies what a dossier shows and nothing more, so its cost follows the case, not the log: each
 * stream's hash chain is recomputed from its own events; the checkpoints it relies on (those that signed
 * a head of these streams, and the newest) must be signed by a trusted key; and every head of these
 * streams that such a checkpoint recorded must still be the event the log holds at that revision. A
 * stream holding more events by a checkpoint's log position than the newest head signed by then shows an
 * insertion. Not checked here: the roots over all the other streams, and the links and consistency
 * proofs between checkpoints; the whole log and the whole feed are `npm run verify`'s.
 */
export async function verifyCaseStreams(
  store: Pick<EventStore, 'readStream'>,
  streams: ReadonlyMap<string, readonly RecordedEvent[]>,
  trustedKeys: Record<string, string>,
): Promise<CaseStreamsVerification> {
  const breaks: ChainBreak[] = [];
  for (const [stream, events] of streams) {
    const found = verifyStreamChain(stream, events);
    if (found) breaks.push(found);
  }
  const entries = (await store.readStream(AUDIT_CHECKPOINT_STREAM)).map((e) => e.data);
  const names = new Set(streams.keys());
  const findings: CheckpointFinding[] = [];
  const accepted: Checkpoint[] = [];
  entries.forEach((data, i) => {
    // Only the checkpoints relied on are parsed and their signatures checked: one may list every stream.
    const changed = (data as { checkpoint?: { changed?: unknown } } | null)?.checkpoint?.changed;
    const relied = i === entries.length - 1 || (Array.isArray(changed) && changed.some((h) => Array.isArray(h) && names.has(h[0] as string)));
    if (!relied) return;
    const entry = parseEntry(data);
    if (!entry) {
      findings.push({ sequence: i, problem: 'malformed', detail: `entry ${i} of the audit stream is not a signed checkpoint` });
      return;
    }
    const signature = signatureFinding(entry, trustedKeys);
    if (signature) findings.push(signature);
    else accepted.push(entry.checkpoint);
  });
  accepted.sort((a, b) => a.sequence - b.sequence);
  const failed = new Set<number>();
  const named = new Set<number>();
  const coveredBy: CaseStreamsVerification['coveredBy'] = new Map();
  for (const [stream, events] of streams) {
    let newest: Head | undefined;
    for (const [i, checkpoint] of accepted.entries()) {
      const signed = checkpoint.changed.find(([s]) => s === stream);
      if (signed) {
        named.add(checkpoint.sequence);
        newest = { sequence: checkpoint.sequence, createdAt: checkpoint.createdAt, revision: signed[1], hash: signed[2] };
      }
      // Held where a head was signed and at the newest checkpoint, which signs that nothing followed unseen.
      if (!newest || (!signed && i !== accepted.length - 1)) continue;
      const problem = headProblem(stream, events, checkpoint, newest);
      if (!problem) continue;
      failed.add(newest.sequence);
      findings.push(problem);
      break;
    }
    if (newest) coveredBy.set(stream, { sequence: newest.sequence, createdAt: newest.createdAt, revision: newest.revision });
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
