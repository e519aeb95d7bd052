import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
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
 * file; on the embedded default the file is created on first use, readable by its owner only, with a
 * warning. The worker and the API may start together: the file appears whole, once (link, not write).
 */
export function loadAuditSigner(source: { pem?: string; file: string; warn?: (message: string) => void }): AuditSigner {
  if (source.pem) return signerFrom(createPrivateKey(source.pem));
  if (!existsSync(source.file)) createKeyFile(source.file, source.warn ?? ((message) => process.emitWarning(message, { code: 'AUDIT_SIGNING_KEY_CREATED' })));
  return signerFrom(createPrivateKey(readFileSync(source.file, 'utf8')));
}

function createKeyFile(file: string, warn: (message: string) => void): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    linkSync(temporary, file);
    warn(
      `Created a new audit signing key at ${file}. Keep it away from the data folder and its backups, back it up on its own, and publish its public key (GET /api/audit/public-key).`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
}

export function verifySignature(publicKeyPem: string, message: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), createPublicKey(publicKeyPem), Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** Public keys to trust, by key id, from a PEM text of one or more keys (the current one and those rotated out). */
export function trustedKeysFromPem(text: string): Record<string, string> {
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new Error('no PUBLIC KEY block in the PEM');
  return Object.fromEntries(blocks.map((pem) => [keyIdOf(createPublicKey(pem)), `${pem}\n`]));
}
