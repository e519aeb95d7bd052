import { eventId } from '../envelope';
import { WrongExpectedRevisionError, comparePositions, positionToString, START, type EventStore, type Position, type RecordedEvent } from '../port';
import { canonicalJson, sha256Hex } from './canonical';
import { AUDIT_CHECKPOINT_STREAM, Checkpoint, type StreamHead } from './checkpoint-events';
import { LogTree, merkleRoot } from './merkle';
import type { AuditSigner } from './signing';

/** A growing RFC 9162 tree over the log's events in order (merkle.ts has two kinds). */
export interface GrowingTree {
  readonly size: number;
  append(leaf: string): void;
  root(): string;
}

/**
 * The heads of every stream (the audit stream itself excepted), kept current by reading the log forward;
 * with a tree, also the log tree whose leaf i is the i-th event's (stream, revision, chain hash).
 */
export class StreamHeads {
  private readonly heads = new Map<string, { revision: number; hash: string }>();
  private readonly changedSince = new Set<string>();
  position: Position = START;
  events = 0;

  constructor(readonly tree?: GrowingTree) {}

  apply(event: RecordedEvent): void {
    this.position = event.position;
    if (event.stream === AUDIT_CHECKPOINT_STREAM) return;
    this.events += 1;
    const head = { revision: event.revision, hash: event.metadata.integrity?.hash ?? '0'.repeat(64) };
    this.heads.set(event.stream, head);
    this.changedSince.add(event.stream);
    this.tree?.append(leaf(event.stream, head));
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

/** What `previous` of the next checkpoint must be: SHA-256 over the canonical entry as stored. */
export function entryHash(entry: unknown): string {
  return sha256Hex(canonicalJson(entry));
}

/**
 * Signs checkpoints: each covers every stream head (a Merkle root over them) and the log tree up to a
 * log position, proves that tree an extension of the last one, links to the last entry, is signed with
 * the audit key, and is appended to the audit stream. One checkpointer per store; on start it reads the
 * log once to rebuild the heads and the tree (32 bytes an event), then only what is new.
 */
export class Checkpointer {
  private heads = new StreamHeads(new LogTree());
  private tree = this.heads.tree as LogTree;
  private sequence = 0;
  private revision: number | 'no-stream' = 'no-stream';
  private previous: { hash: string; treeSize?: number } | undefined;
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
      this.previous = { hash: entryHash(last.data), treeSize: lastCheckpoint.tree?.size };
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
      this.heads = new StreamHeads(new LogTree());
      this.tree = this.heads.tree as LogTree;
      this.previous = undefined;
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
      tree: {
        size: this.tree.size,
        root: this.tree.root(),
        consistency: this.previous?.treeSize === undefined ? [] : this.tree.consistency(this.previous.treeSize),
      },
      ...(this.previous ? { previous: this.previous.hash } : {}),
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
    this.previous = { hash: entryHash({ checkpoint, signature }), treeSize: this.tree.size };
    return checkpoint;
  }
}
