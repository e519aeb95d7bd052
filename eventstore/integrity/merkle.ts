import { createHash } from 'node:crypto';

/**
 * The Merkle tree hash of RFC 9162 (Certificate Transparency 2.0), SHA-256: leaves and inner nodes are
 * hashed with distinct prefixes so that a leaf can never pass for a node. Besides the root, consistency
 * proofs (section 2.1.4): that a tree of m leaves is a prefix of a tree of n leaves, shown with only
 * O(log n) hashes, so that a reader of the published checkpoints alone can tell the log only grew.
 */
function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

export function leafHash(leaf: string): Buffer {
  return sha256(LEAF, Buffer.from(leaf, 'utf8'));
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE, left, right);
}

/** The largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already hashed leaves [from, to). */
export function treeHash(leafHashes: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return leafHashes[from] as Buffer;
  const k = split(n);
  return nodeHash(treeHash(leafHashes, from, from + k), treeHash(leafHashes, from + k, to));
}

export function merkleRoot(leaves: readonly string[]): string {
  return treeHash(leaves.map(leafHash), 0, leaves.length).toString('hex');
}

/** RFC 9162 PROOF(m, D[0:n]): the consistency proof from the tree of the first m leaves to the tree of n. */
export function consistencyProof(leafHashes: readonly Buffer[], m: number, n: number): string[] {
  if (m <= 0 || m >= n) return [];
  const out: Buffer[] = [];
  const sub = (m: number, from: number, to: number, whole: boolean): void => {
    const size = to - from;
    if (m === size) {
      if (!whole) out.push(treeHash(leafHashes, from, to));
      return;
    }
    const k = split(size);
    if (m <= k) {
      sub(m, from, from + k, whole);
      out.push(treeHash(leafHashes, from + k, to));
    } else {
      sub(m - k, from + k, to, false);
      out.push(treeHash(leafHashes, from, from + k));
    }
  };
  sub(m, 0, n, true);
  return out.map((b) => b.toString('hex'));
}

/** RFC 9162 section 2.1.4.2: whether `proof` shows the tree (m, firstRoot) to be a prefix of (n, secondRoot). */
export function verifyConsistency(m: number, n: number, firstRoot: string, secondRoot: string, proof: readonly string[]): boolean {
  if (m > n || m < 0) return false;
  if (m === n) return proof.length === 0 && firstRoot === secondRoot;
  if (m === 0) return proof.length === 0;
  const path = proof.map((p) => Buffer.from(p, 'hex'));
  if ((m & (m - 1)) === 0) path.unshift(Buffer.from(firstRoot, 'hex'));
  if (path.length === 0) return false;
  let fn = m - 1;
  let sn = n - 1;
  while (fn & 1) {
    fn >>>= 1;
    sn >>>= 1;
  }
  let fr = path[0] as Buffer;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>>= 1;
    sn >>>= 1;
  }
  return fr.toString('hex') === firstRoot && sr.toString('hex') === secondRoot && sn === 0;
}

/**
 * The log's tree as it grows, in O(log n) memory: the roots of the perfect subtrees that make up the
 * first `size` leaves (a compact range). Enough to know the root at every size the log passes through.
 */
export class CompactTree {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  size = 0;

  append(leaf: string): void {
    let node = { size: 1, hash: leafHash(leaf) };
    while (this.stack.length > 0 && (this.stack[this.stack.length - 1] as { size: number }).size === node.size) {
      const left = this.stack.pop() as { size: number; hash: Buffer };
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.size += 1;
  }

  /** The subtrees the next leaves will join (O(log n) hashes): with them a later run goes on from here. */
  frontier(): { size: number; hash: string }[] {
    return this.stack.map((n) => ({ size: n.size, hash: n.hash.toString('hex') }));
  }

  /** A tree continued from a frontier; only its root, compared with a signed one, says it is the right one. */
  static fromFrontier(frontier: readonly { size: number; hash: string }[]): CompactTree {
    const tree = new CompactTree();
    for (const n of frontier) {
      tree.stack.push({ size: n.size, hash: Buffer.from(n.hash, 'hex') });
      tree.size += n.size;
    }
    return tree;
  }

  root(): string {
    if (this.stack.length === 0) return sha256().toString('hex');
    let hash = (this.stack[this.stack.length - 1] as { hash: Buffer }).hash;
    for (let i = this.stack.length - 2; i >= 0; i--) hash = nodeHash((this.stack[i] as { hash: Buffer }).hash, hash);
    return hash.toString('hex');
  }
}

/** The whole tree's leaf hashes, for the signer, which proves each checkpoint consistent with the last. */
export class LogTree {
  private readonly leaves: Buffer[] = [];

  append(leaf: string): void {
    this.leaves.push(leafHash(leaf));
  }

  get size(): number {
    return this.leaves.length;
  }

  root(size = this.leaves.length): string {
    return treeHash(this.leaves, 0, size).toString('hex');
  }

  consistency(from: number, to = this.leaves.length): string[] {
    return consistencyProof(this.leaves, from, to);
  }
}
