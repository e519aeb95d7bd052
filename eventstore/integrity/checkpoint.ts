import { eventId } from '../envelope';
import { WrongExpectedRevisionError, comparePositions, positionToString, START, type EventStore, type Position, type RecordedEvent } from '../port';
import { canonicalJson } from './canonical';
import { AUDIT_CHECKPOINT_STREAM, Checkpoint, type StreamHead } from './checkpoint-events';
import { merkleRoot } from './merkle';
import type { AuditSigner } from './signing';

/** The heads of every stream (the audit stream itself excepted), kept current by reading the log forward. */
export class StreamHeads {
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  private readonly changedSince = new Set<string>();
  position: Position = START;
  events = 0;

  apply(event: RecordedEvent): void {
    this.position = event.position;
    if (event.stream === AUDIT_CHECKPOINT_STREAM) return;
    this.events += 1;
    this.heads.set(event.stream, { revision: event.revision, hash: event.metadata.integrity?.hash ?? '0'.repeat(64) });
    this.changedSince.add(event.stream);
  }

  /** Reads what the log holds after the last position seen; returns the position reached. */
  async catchUp(store: EventStore, until?: Position, pageSize = 5_000): Promise<void> {
    for (;;) {
      const page = await store.readAll({ after: this.position, maxCount: pageSize });
      for (const event of page) {
        if (until && comparePositions(event.position, until) > 0) return;
        this.apply(event);
      }
      if (page.length < pageSize) return;
    }
  }

  get(stream: string): { revision: number; hash: string } | undefined {
    return this.heads.get(stream);
  }

  root(): string {
    return merkleRoot([...this.heads.keys()].sort().map((s) => leaf(s, this.heads.get(s) as { revision: number; hash: string })));
  }

  get streams(): number {
    return this.heads.size;
  }

  /** Heads changed since the last call, sorted by stream. */
  takeChanged(): StreamHead[] {
    const out = [...this.changedSince].sort().map((s): StreamHead => {
      const h = this.heads.get(s) as { revision: number; hash: string };
      return [s, h.revision, h.hash];
    });
    this.changedSince.clear();
    return out;
  }
}

export function leaf(stream: string, head: { revision: number; hash: string }): string {
  return canonicalJson([stream, head.revision, head.hash]);
}

/** What a checkpoint's signature covers: its canonical JSON. */
export function signedText(checkpoint: Checkpoint): string {
  return canonicalJson(checkpoint);
}

/**
 * Signs checkpoints: each covers every stream head (a Merkle root over them) up to a log position, is
 * signed with the audit key, and is appended to the audit stream. One checkpointer per store; on start
 * it reads the log once to rebuild the heads, then only what is new.
 */
export class Checkpointer {
  private heads = new StreamHeads();
  private sequence = 0;
  private revision: number | 'no-stream' = 'no-stream';
  private ready = false;

  constructor(
    private readonly store: EventStore,
    private readonly signer: AuditSigner,
  ) {}

  private async prepare(): Promise<void> {
    if (this.ready) return;
    const previous = await this.store.readStream(AUDIT_CHECKPOINT_STREAM);
    this.sequence = previous.length;
    this.revision = previous.length === 0 ? 'no-stream' : previous.length - 1;
    // Rebuild the heads to the last checkpoint's position and mark as changed only what came after it.
    const last = previous.at(-1);
    if (last) {
      const lastCheckpoint = Checkpoint.parse((last.data as { checkpoint: unknown }).checkpoint);
      const [commit, prepare] = lastCheckpoint.logPosition.split('/');
      await this.heads.catchUp(this.store, { commit: BigInt(commit as string), prepare: BigInt(prepare as string) });
      this.heads.takeChanged();
    }
    this.ready = true;
  }

  /** Signs and appends a checkpoint of the log as it is now; returns it. */
  async checkpoint(now: string): Promise<Checkpoint> {
    try {
      return await this.tryCheckpoint(now);
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError)) throw err;
      // Another checkpointer (the CLI beside the worker) wrote one meanwhile: start over from its.
      this.heads = new StreamHeads();
      this.ready = false;
      return this.tryCheckpoint(now);
    }
  }

  private async tryCheckpoint(now: string): Promise<Checkpoint> {
    await this.prepare();
    await this.heads.catchUp(this.store);
    const checkpoint: Checkpoint = {
      sequence: this.sequence,
      createdAt: now,
      logPosition: positionToString(this.heads.position),
      streams: this.heads.streams,
      events: this.heads.events,
      root: this.heads.root(),
      changed: this.heads.takeChanged(),
      keyId: this.signer.keyId,
      algorithm: 'ed25519',
    };
    const signature = this.signer.sign(signedText(checkpoint));
    const revision = this.revision === 'no-stream' ? 0 : this.revision + 1;
    await this.store.append(
      AUDIT_CHECKPOINT_STREAM,
      [
        {
          id: eventId(AUDIT_CHECKPOINT_STREAM, revision),
          type: 'AuditCheckpointSigned',
          data: { checkpoint, signature },
          metadata: {
            schemaVersion: 1,
            actor: { userId: 'system', name: 'Cloud Office engine', role: 'admin' },
            occurredAt: now,
            correlationId: 'audit',
            causationId: `checkpoint:${checkpoint.sequence}`,
            policyVersion: 'audit-1',
          },
        },
      ],
      this.revision,
    );
    this.revision = revision;
    this.sequence += 1;
    return checkpoint;
  }
}
