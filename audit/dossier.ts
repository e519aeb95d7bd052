import type { EventStore } from '../eventstore/port';
import { decode } from '../eventstore/registry';
import { AUDIT_CHECKPOINT_STREAM } from '../eventstore/integrity/checkpoint-events';
import { verifyStore, type CheckpointFinding } from '../eventstore/integrity/verify-store';
import type { ChainBreak } from '../eventstore/integrity/hash-chain';
import { Checkpoint } from '../eventstore/integrity/checkpoint-events';

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

export interface Dossier {
  case: string;
  generatedAt: string;
  events: DossierEvent[];
  /** Who decided what: every recommendation, decision, revocation and the like. */
  decisions: { revision: number; type: string; by: string; role: string; at: string; policyVersion: string; reasons?: string }[];
  verification: {
    intact: boolean;
    chainBreak?: ChainBreak;
    /** The newest signed checkpoint that covers this case, if any, and up to which revision. */
    coveredBy?: { sequence: number; createdAt: string; revision: number };
    checkpointFindings: CheckpointFinding[];
    checkpointsVerified: number;
  };
}

const DECISION = /(Recommended|Approved|Rejected|Decided|Revoked|Suspended|Reinstated|Withdrawn|Lapsed|Expired|ExtensionApproved|ExtensionRejected)$/;

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
 * or framework version it was decided under, plus whether the history verifies (the case's hash chain,
 * and the signed checkpoints held against the whole log).
 */
export async function buildDossier(
  store: EventStore,
  stream: string,
  trustedKeys: Record<string, string>,
  now: string,
): Promise<Dossier | undefined> {
  const raw = await store.readStream(stream);
  if (raw.length === 0) return undefined;
  const events: DossierEvent[] = raw.map((r) => {
    const e = decode(r);
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
  const verification = await verifyStore(store, { trustedKeys });
  const chainBreak = verification.breaks.find((b) => b.stream === stream);
  const findings = verification.checkpoints.findings.filter((f) => f.problem !== 'root-mismatch' || f.streams?.some((s) => s.stream === stream));
  let coveredBy: Dossier['verification']['coveredBy'];
  for (const event of await store.readStream(AUDIT_CHECKPOINT_STREAM)) {
    const checkpoint = Checkpoint.safeParse((event.data as { checkpoint?: unknown }).checkpoint);
    const head = checkpoint.success ? checkpoint.data.changed.find(([s]) => s === stream) : undefined;
    if (checkpoint.success && head) coveredBy = { sequence: checkpoint.data.sequence, createdAt: checkpoint.data.createdAt, revision: head[1] };
  }
  return {
    case: stream,
    generatedAt: now,
    events,
    decisions: events
      .filter((e) => DECISION.test(e.type))
      .map((e) => ({
        revision: e.revision,
        type: e.type,
        by: e.actor.name ? `${e.actor.name} (${e.actor.userId})` : e.actor.userId,
        role: e.actor.role,
        at: e.occurredAt,
        policyVersion: e.policyVersion,
        ...(e.references.reasons ? { reasons: e.references.reasons } : {}),
      })),
    verification: {
      intact: chainBreak === undefined && findings.length === 0,
      ...(chainBreak ? { chainBreak } : {}),
      ...(coveredBy ? { coveredBy } : {}),
      checkpointFindings: findings,
      checkpointsVerified: verification.checkpoints.verified,
    },
  };
}
