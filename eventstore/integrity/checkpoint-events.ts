import { z } from 'zod';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** A stream's head as a checkpoint records it: its last revision and that event's chain hash. */
export const StreamHead = z.tuple([z.string().min(1), z.number().int().nonnegative(), Hex64]);
export type StreamHead = z.infer<typeof StreamHead>;

/** RFC 9162 tree over every event in log order (the audit stream excepted), leaf i being the i-th event. */
export const LogTreeHead = z.object({
  size: z.number().int().nonnegative(),
  root: Hex64,
  /** Consistency proof from the previous checkpoint's tree to this one: [] for the first. */
  consistency: z.array(Hex64),
});
export type LogTreeHead = z.infer<typeof LogTreeHead>;

export const Checkpoint = z.object({
  sequence: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
  /** Every event at or before this log position is covered. */
  logPosition: z.string().regex(/^\d+\/\d+$/),
  streams: z.number().int().nonnegative(),
  events: z.number().int().nonnegative(),
  /** RFC 9162 Merkle root over every stream head, sorted by stream name. */
  root: Hex64,
  /** Heads that changed since the previous checkpoint: a verifier rebuilds every head from these. */
  changed: z.array(StreamHead),
  /**
   * The log tree: a checkpoint pins the first `size` events in order, so that a later history must
   * reproduce this root over them. Absent on checkpoints signed before the tree existed.
   */
  tree: LogTreeHead.optional(),
  /** SHA-256 over the canonical previous entry ({checkpoint, signature}) of the audit stream. */
  previous: Hex64.optional(),
  keyId: z.string().min(1),
  algorithm: z.literal('ed25519'),
});
export type Checkpoint = z.infer<typeof Checkpoint>;

export const AUDIT_CHECKPOINT_STREAM = 'audit-checkpoints';

export const AuditEventSchemas = {
  AuditCheckpointSigned: z.object({ checkpoint: Checkpoint, signature: z.string().min(1) }),
} as const;
