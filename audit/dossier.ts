import { comparePositions, type EventStore, type Position } from '../eventstore/port';
import { decode } from '../eventstore/registry';
import { streamName } from '../eventstore/envelope';
import { DecisionReader, type DossierDecision } from './decisions';
import { findRelatedCases, type RelatedCase } from './related-cases';
import type { CheckpointFinding } from '../eventstore/integrity/feed';
import type { ChainBreak } from '../eventstore/integrity/hash-chain';
import type { CheckpointIndex } from './checkpoint-index';
import { verifyCaseStreams } from './dossier-verification';
import type { EvidenceStore } from '../evidence/port';
import { filesNamedBy } from '../evidence/references';

export interface DossierEvent {
  revision: number;
  type: string;
  recordedAt: string;
  occurredAt: string;
  actor: { userId: string; name?: string; role: string; jurisdiction?: string };
  policyVersion: string;
  correlationId: string;
  causationId: string;
  /** Evidence, conditions and reasons the event refers to, pulled out for the reader. */
  references: { evidence: unknown[]; conditions: string[]; reasons?: string };
  data: unknown;
  hash?: string;
}

export interface DossierNote {
  revision: number;
  text: string;
  by: string;
  role: string;
  at: string;
}

/** An evidence file the case names, with the event that named it and, when the store was at hand, whether it still hashes to its name. */
export interface DossierFile {
  revision: number;
  type: string;
  sha256: string;
  filename: string;
  size: number;
  contentType: string;
  stored?: 'intact' | 'missing' | 'altered';
}

export interface Dossier {
  case: string;
  generatedAt: string;
  events: DossierEvent[];
  /**
   * Who decided what, in the order the log recorded it: every recommendation, decision, revocation and
   * the like. An accreditation's also hold the decisions about it on other cases (its compliance reviews,
   * the significant changes to its offering), each naming its `case`.
   */
  decisions: DossierDecision[];
  /** For an accreditation: the compliance reviews and significant changes about it. */
  relatedCases?: RelatedCase[];
  /** The office's internal notes on the case (stream notes-<case>), oldest first; absent when there are none. */
  notes?: DossierNote[];
  /** Every evidence file the case's events name, by hash, in the order they were handed in. */
  files: DossierFile[];
  verification: {
    /** This case's chain, its notes', the related cases' chains, and the signed heads of them all hold. */
    intact: boolean;
    /**
     * What was verified: these streams only (the case, its notes, its related cases), each chain
     * recomputed and held against the heads the signed checkpoints recorded for it; not the rest of the log.
     */
    streams: string[];
    chainBreak?: ChainBreak;
    /** Breaks in the chains of the related cases whose decisions the dossier shows. */
    relatedChainBreaks?: ChainBreak[];
    /** A break in the chain of the case's internal notes. */
    notesChainBreak?: ChainBreak;
    /** The newest signed checkpoint that covers this case, if any, and up to which revision. */
    coveredBy?: { sequence: number; createdAt: string; revision: number };
    /** The checkpoints relied on (the newest naming each stream above, and the newest of all) gone or not trusted-signed, and each signed head of them the log no longer matches. */
    checkpointFindings: CheckpointFinding[];
    /** Checkpoints that signed the newest head of one of the streams above, all of whose such heads the log still holds. */
    checkpointsVerified: number;
    /** Files the case names that are gone from the store or no longer hash to their names. */
    fileFindings?: DossierFile[];
  };
}

function references(data: unknown): DossierEvent['references'] {
  const d = (data ?? {}) as Record<string, unknown>;
  return {
    evidence: Array.isArray(d.evidence) ? d.evidence : [],
    conditions: Array.isArray(d.conditions) ? (d.conditions as string[]) : [],
    ...(typeof d.reasons === 'string' ? { reasons: d.reasons } : {}),
  };
}

/**
 * Everything an auditor needs about one case: each event with its actor, role, evidence and the policy
 * or framework version it was decided under, the decisions (for an accreditation, also those its
 * compliance reviews and significant changes took about it), plus whether what it shows verifies (the
 * hash chains of the case, its notes and its related cases, each held against the heads the signed
 * checkpoints recorded for it). It reads those streams and the few checkpoints that signed their newest
 * heads, never the whole log: a request's cost follows the case, not the history (the whole log is
 * `npm run verify`'s).
 */
export async function buildDossier(
  store: EventStore,
  stream: string,
  trustedKeys: Record<string, string>,
  now: string,
  options: {
    /** Where the evidence files are; given, each file the case names is hashed again. */
    evidence?: Pick<EvidenceStore, 'check'> | undefined;
    /** The process's index of the checkpoint feed, kept between dossiers; without it the feed is read whole for this one. */
    checkpoints?: CheckpointIndex | undefined;
  } = {},
): Promise<Dossier | undefined> {
  const { evidence, checkpoints } = options;
  const raw = await store.readStream(stream);
  if (raw.length === 0) return undefined;
  const reader = new DecisionReader();
  const decided: { position: Position; decision: DossierDecision }[] = [];
  const decoded = raw.map(decode);
  const events: DossierEvent[] = decoded.map((e) => {
    const decision = reader.read(e);
    if (decision) decided.push({ position: e.position, decision });
    return {
      revision: e.revision,
      type: e.type,
      recordedAt: e.recordedAt,
      occurredAt: e.metadata.occurredAt,
      actor: e.metadata.actor,
      policyVersion: e.metadata.policyVersion,
      correlationId: e.metadata.correlationId,
      causationId: e.metadata.causationId,
      references: references(e.data),
      data: e.data,
      hash: e.metadata.integrity?.hash,
    };
  });
  const files: DossierFile[] = [];
  for (const e of decoded) {
    for (const file of filesNamedBy(e.type, e.data)) {
      files.push({ revision: e.revision, type: e.type, ...file, ...(evidence ? { stored: await evidence.check(file.sha256) } : {}) });
    }
  }
  const fileFindings = files.filter((f) => f.stored !== undefined && f.stored !== 'intact');
  const related = await findRelatedCases(store, stream, decoded[0]);
  for (const e of related?.events ?? []) {
    const decision = reader.read(e, true);
    if (decision) decided.push({ position: e.position, decision });
  }
  decided.sort((a, b) => comparePositions(a.position, b.position));
  const relatedStreams = related?.cases.map((c) => c.case) ?? [];
  const notesStream = streamName('notes', stream);
  const rawNotes = await store.readStream(notesStream);
  const shown = new Map([[stream, raw]]);
  for (const s of relatedStreams) shown.set(s, await store.readStream(s));
  if (rawNotes.length > 0) shown.set(notesStream, rawNotes);
  const verification = await verifyCaseStreams(store, shown, trustedKeys, checkpoints);
  const chainBreak = verification.breaks.find((b) => b.stream === stream);
  const relatedChainBreaks = verification.breaks.filter((b) => relatedStreams.includes(b.stream));
  const notesChainBreak = verification.breaks.find((b) => b.stream === notesStream);
  const findings = verification.findings;
  const coveredBy = verification.coveredBy.get(stream);
  const notes: DossierNote[] = rawNotes.map(decode).map((e) => {
    const data = e.data as { text: string; addedByName: string; addedAt: string };
    return { revision: e.revision, text: data.text, by: data.addedByName, role: e.metadata.actor.role, at: data.addedAt };
  });
  return {
    case: stream,
    generatedAt: now,
    events,
    decisions: decided.map((d) => d.decision),
    ...(related ? { relatedCases: related.cases } : {}),
    ...(notes.length > 0 ? { notes } : {}),
    files,
    verification: {
      intact: verification.breaks.length === 0 && findings.length === 0 && fileFindings.length === 0,
      streams: verification.streams,
      ...(fileFindings.length > 0 ? { fileFindings } : {}),
      ...(chainBreak ? { chainBreak } : {}),
      ...(relatedChainBreaks.length > 0 ? { relatedChainBreaks } : {}),
      ...(notesChainBreak ? { notesChainBreak } : {}),
      ...(coveredBy ? { coveredBy } : {}),
      checkpointFindings: findings,
      checkpointsVerified: verification.checkpointsVerified,
    },
  };
}
