import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The server secret that CSRF tokens are derived from, kept in `<dataDir>/ui-secret` so that forms
 * stay valid across restarts. Created on first start, readable by the owner only.
 */
export function loadOrCreateUiSecret(dataDir: string): Buffer {
  const path = join(dataDir, 'ui-secret');
  try {
    const existing = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    // 'wx': if another process created it in the meantime, theirs wins and we read it back.
    writeFileSync(path, secret.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
    return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
  }
}
