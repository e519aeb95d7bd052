import * as crypto from 'node:crypto';

export { canonicalJson, canonicalJsonWithout } from '../../domain/shared/canonical-json';

/**
 * SHA-256 of the text's UTF-8 bytes, in hex. Node's one-shot `crypto.hash` (Node 20.12 on) skips the
 * Hash object createHash builds, which is most of the cost for inputs of a kilobyte; both hash the same
 * bytes, so the digests are the same.
 */
const oneShot: ((algorithm: string, data: string, encoding: 'hex') => string) | undefined = (crypto as { hash?: typeof crypto.hash }).hash;

export function sha256Hex(text: string): string {
  return oneShot ? oneShot('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
