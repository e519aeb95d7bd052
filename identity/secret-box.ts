import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Encryption at rest of TOTP secrets, which the server must read back and so cannot hash: AES-256-GCM
 * with the account id as associated data, so a sealed secret copied to another account's row does not
 * open. Stored as `v1.<iv>.<ciphertext>.<tag>` (base64url); a leaked database or backup alone holds no
 * secret that generates codes.
 */
export interface SecretBox {
  seal(plaintext: string, accountId: string): string;
  open(sealed: string, accountId: string): string;
}

const ALGORITHM = 'aes-256-gcm';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error('The MFA encryption key must be 32 bytes');
  return {
    seal(plaintext, accountId) {
      const iv = randomBytes(12);
      const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(accountId, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv, body, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
    },
    open(sealed, accountId) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || body === undefined || tag === undefined) throw new Error('An MFA secret is not in a known sealed form');
      try {
        const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(accountId, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new Error('An MFA secret does not open with the configured key (MFA_ENCRYPTION_KEY or its file changed?)');
      }
    },
  };
}

/**
 * The configured key, or the one in the key file, created (owner-only) on first use. Keeping the file
 * or the variable away from the database's backups is what makes the encryption worth having.
 */
export function loadMfaKey(config: { encryptionKey?: Buffer; encryptionKeyFile: string }): Buffer {
  if (config.encryptionKey) return config.encryptionKey;
  const read = (): Buffer => Buffer.from(readFileSync(config.encryptionKeyFile, 'utf8').trim(), 'base64url');
  try {
    const existing = read();
    if (existing.length === 32) return existing;
    throw new Error(`${config.encryptionKeyFile} does not hold a 32-byte key`);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  mkdirSync(dirname(config.encryptionKeyFile), { recursive: true });
  const key = randomBytes(32);
  try {
    // 'wx': if another process created it in the meantime, theirs wins and we read it back.
    writeFileSync(config.encryptionKeyFile, key.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
    return read();
  }
}
