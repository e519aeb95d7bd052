import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AuditSigner {
  keyId: string;
  publicKeyPem: string;
  sign(message: string): string;
}

/** A short, stable name for a public key: the first 16 hex digits of SHA-256 over its DER form. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

function signerFrom(privateKey: KeyObject): AuditSigner {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The audit signing key must be an Ed25519 private key');
  const publicKey = createPublicKey(privateKey);
  return {
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), privateKey).toString('base64'),
  };
}

/**
 * The Ed25519 key that signs checkpoints. From configuration: the PEM itself (AUDIT_SIGNING_KEY) or a
 * file; on the embedded default the file is created on first use, readable by its owner only.
 */
export function loadAuditSigner(source: { pem?: string; file: string }): AuditSigner {
  if (source.pem) return signerFrom(createPrivateKey(source.pem));
  if (!existsSync(source.file)) {
    mkdirSync(dirname(source.file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(source.file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return signerFrom(createPrivateKey(readFileSync(source.file, 'utf8')));
}

export function verifySignature(publicKeyPem: string, message: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
