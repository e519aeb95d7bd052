import fc from 'fast-check';
import { ed25519 } from '@noble/curves/ed25519';
import { verifyEd25519 } from '../../domain/shared/ed25519-verify';

/** Deterministic keys and messages, so a failure names the case that broke. */
const secretKey = (seed: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) % 256);
const message = (i: number): Uint8Array => Uint8Array.from({ length: 20 + (i % 50) }, (_, j) => (i * 13 + j) % 256);
const ORDER = ed25519.Point.Fn.ORDER;

function withS(signature: Uint8Array, s: bigint): Uint8Array {
  const out = Uint8Array.from(signature);
  let rest = s;
  for (let i = 32; i < 64; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}
const sOf = (signature: Uint8Array): bigint => signature.subarray(32).reduceRight((acc, b) => (acc << 8n) | BigInt(b), 0n);

describe('Ed25519 verification with kept key tables', () => {
  const keys = [1, 2, 3].map((seed) => ({ secret: secretKey(seed), public: ed25519.getPublicKey(secretKey(seed)) }));

  it('accepts every genuine signature, for each key, again and again once the key is kept', () => {
    for (let round = 0; round < 2; round++) {
      for (const [k, key] of keys.entries()) {
        for (let i = 0; i < 5; i++) {
          const msg = message(i + k * 10);
          expect(verifyEd25519(ed25519.sign(msg, key.secret), msg, key.public)).toBe(true);
        }
      }
    }
  });

  it('answers as noble’s own verify for altered messages, altered signatures and the wrong key', () => {
    const [a, b] = keys as [(typeof keys)[number], (typeof keys)[number]];
    for (let i = 0; i < 8; i++) {
      const msg = message(i);
      const signature = ed25519.sign(msg, a.secret);
      const alteredMessage = Uint8Array.from(msg);
      alteredMessage[i % msg.length] = (alteredMessage[i % msg.length] as number) ^ 1;
      const alteredSignature = Uint8Array.from(signature);
      alteredSignature[(i * 9) % 64] = (alteredSignature[(i * 9) % 64] as number) ^ 0x10;
      const cases: [Uint8Array, Uint8Array, Uint8Array][] = [
        [signature, alteredMessage, a.public],
        [alteredSignature, msg, a.public],
        [signature, msg, b.public],
      ];
      for (const [sig, m, pub] of cases) {
        expect(verifyEd25519(sig, m, pub)).toBe(ed25519.verify(sig, m, pub));
        expect(verifyEd25519(sig, m, pub)).toBe(false);
      }
    }
  });

  it('refuses a signature whose S is pushed past the group order, as noble does', () => {
    const [a] = keys as [(typeof keys)[number]];
    const msg = message(3);
    const malleable = withS(ed25519.sign(msg, a.secret), sOf(ed25519.sign(msg, a.secret)) + ORDER);
    expect(ed25519.verify(malleable, msg, a.public)).toBe(false);
    expect(verifyEd25519(malleable, msg, a.public)).toBe(false);
  });

  it('refuses signatures and keys of the wrong length or that decode to no point, without throwing', () => {
    const [a] = keys as [(typeof keys)[number]];
    const msg = message(4);
    const signature = ed25519.sign(msg, a.secret);
    expect(verifyEd25519(signature.subarray(0, 63), msg, a.public)).toBe(false);
    expect(verifyEd25519(signature, msg, a.public.subarray(0, 31))).toBe(false);
    // y = 2 is on no Ed25519 point: neither a key nor an R decodes from it.
    const offCurve = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 2 : 0));
    expect(verifyEd25519(signature, msg, offCurve)).toBe(false);
    expect(verifyEd25519(Uint8Array.from([...offCurve, ...signature.subarray(32)]), msg, a.public)).toBe(false);
  });
});

describe('Ed25519 verification with kept key tables, against noble’s verify on random input', () => {
  const flip = (bytes: Uint8Array, at: number, bit: number): Uint8Array => {
    const out = Uint8Array.from(bytes);
    out[at % out.length] = (out[at % out.length] as number) ^ (1 << bit);
    return out;
  };

  it('gives noble’s answer for genuine signatures and for any one bit changed in the signature, the message or the key', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.constantFrom('none', 'signature', 'message', 'key'),
        fc.nat(),
        fc.integer({ min: 0, max: 7 }),
        (secret, msg, changed, at, bit) => {
          const publicKey = ed25519.getPublicKey(secret);
          let signature: Uint8Array = ed25519.sign(msg, secret);
          let message: Uint8Array = msg;
          let key: Uint8Array = publicKey;
          if (changed === 'signature') signature = flip(signature, at, bit);
          if (changed === 'message' && msg.length > 0) message = flip(msg, at, bit);
          if (changed === 'key') key = flip(publicKey, at, bit);
          expect(verifyEd25519(signature, message, key)).toBe(ed25519.verify(signature, message, key));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives noble’s answer for any 32-byte key and 64-byte signature, most of which decode to no point', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (signature, key, message) => {
        expect(verifyEd25519(signature, message, key)).toBe(ed25519.verify(signature, message, key));
      }),
      { numRuns: 300 },
    );
  });

  it('gives noble’s answer for a key and an R of small order, which ZIP 215 lets through', () => {
    // y = 1 encodes the identity, a point of order 1; with S = 0 the cofactored equation holds for any message.
    const identity = Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 1 : 0));
    const signature = Uint8Array.from([...identity, ...new Uint8Array(32)]);
    for (const msg of [new Uint8Array(0), message(1), message(2)]) {
      expect(verifyEd25519(signature, msg, identity)).toBe(ed25519.verify(signature, msg, identity));
    }
  });
});
