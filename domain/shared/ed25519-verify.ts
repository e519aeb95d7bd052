import { ed25519 } from '@noble/curves/ed25519';
import { sha512 } from '@noble/hashes/sha2';
import { bytesToHex, concatBytes } from '@noble/hashes/utils';

/**
 * Ed25519 verification as @noble/curves' own `ed25519.verify` does it by default (RFC 8032 §5.1.7 with
 * ZIP 215's rules: the cofactored equation [8][S]B = [8]R + [8][k]A), but with each public key's
 * multiples computed once and kept. noble's `verify` decodes the key afresh for every signature and
 * multiplies it bit by bit; the processes verify every command's seal against the same few trusted keys,
 * and in the workflow sandbox that multiplication was most of a seal's cost (about 4 ms of the worker
 * thread per action on the shared machine). Preloaded (workflows/shared/preloaded-modules.ts), the
 * tables are built once per worker thread and shared by its workflows. The cache changes no answer:
 * verification is a pure function of its inputs.
 */
const { Point } = ed25519;
type EdwardsPoint = ReturnType<typeof Point.fromBytes>;

/** Keys whose tables are kept (about 1 MB each): a deployment trusts a handful, a rotation adds one. */
const KEYS_KEPT = 16;
const keyPoints = new Map<string, EdwardsPoint>();

function keyPoint(publicKey: Uint8Array): EdwardsPoint {
  const hex = bytesToHex(publicKey);
  const known = keyPoints.get(hex);
  if (known !== undefined) return known;
  const point = Point.fromBytes(publicKey, true);
  if (keyPoints.size >= KEYS_KEPT) return point;
  point.precompute(8, false);
  keyPoints.set(hex, point);
  return point;
}

/** A little-endian unsigned integer, as RFC 8032 encodes scalars. */
function numberLE(bytes: Uint8Array): bigint {
  return BigInt(`0x${bytesToHex(Uint8Array.from(bytes).reverse()) || '0'}`);
}

/** Whether `signature` is the key's Ed25519 signature of `message`; false for malformed input. */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  let A: EdwardsPoint;
  let R: EdwardsPoint;
  let SB: EdwardsPoint;
  try {
    A = keyPoint(publicKey);
    R = Point.fromBytes(signature.subarray(0, 32), true);
    // Refuses S ≥ L (a malleable signature) by throwing.
    SB = Point.BASE.multiplyUnsafe(numberLE(signature.subarray(32)));
  } catch {
    return false;
  }
  const k = Point.Fn.create(numberLE(sha512(concatBytes(R.toBytes(), A.toBytes(), message))));
  return R.add(A.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0();
}
