import fc from 'fast-check';
import { CompactTree, LogTree, merkleRoot, verifyConsistency } from '../../eventstore/integrity/merkle';

const leaves = (n: number, tag = 'e') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

function treeOf(items: string[]): LogTree {
  const tree = new LogTree();
  for (const l of items) tree.append(l);
  return tree;
}

describe('the RFC 9162 log tree', () => {
  it('matches the test vector of the empty tree and agrees with itself built three ways', () => {
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70 }), (n) => {
        const compact = new CompactTree();
        for (const l of leaves(n)) compact.append(l);
        expect(compact.root()).toBe(merkleRoot(leaves(n)));
        expect(treeOf(leaves(n)).root()).toBe(merkleRoot(leaves(n)));
      }),
    );
  });

  it('proves every smaller tree a prefix of every larger one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 80 }), (n, extra) => {
        const tree = treeOf(leaves(n + extra));
        const m = Math.max(1, n);
        const proof = tree.consistency(m);
        expect(verifyConsistency(m, tree.size, tree.root(m), tree.root(), proof)).toBe(true);
      }),
    );
  });

  it('refuses a consistency proof once any leaf of the smaller tree was changed, or the proof was altered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.nat(), (m, extra, at) => {
        const honest = leaves(m + extra);
        const forged = [...honest];
        const i = at % m;
        forged[i] = `${forged[i]}-forged`;
        const oldRoot = treeOf(honest).root(m);
        const rewritten = treeOf(forged);
        expect(verifyConsistency(m, rewritten.size, oldRoot, rewritten.root(), rewritten.consistency(m))).toBe(false);
        const proof = treeOf(honest).consistency(m);
        if (proof.length > 0) {
          const bad = [...proof];
          bad[at % bad.length] = '00'.repeat(32);
          expect(verifyConsistency(m, m + extra, oldRoot, treeOf(honest).root(), bad)).toBe(false);
        }
      }),
    );
  });
});
