import { createHash } from 'node:crypto';

/**
 * The Merkle tree hash of RFC 9162 (Certificate Transparency 2.0), SHA-256: leaves and inner nodes are
 * hashed with distinct prefixes so that a leaf can never pass for a node.
 */
function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

function mth(leaves: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return sha256(LEAF, leaves[from] as Buffer);
  let k = 1;
  while (k * 2 < n) k *= 2; // the largest power of two smaller than n
  return sha256(NODE, mth(leaves, from, from + k), mth(leaves, from + k, to));
}

export function merkleRoot(leaves: readonly string[]): string {
  return mth(leaves.map((l) => Buffer.from(l, 'utf8')), 0, leaves.length).toString('hex');
}
