import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { TrustedCommandKey } from '../domain/shared/signed-command';
import { keyIdOf } from '../eventstore/integrity/signing';

/**
 * The keys of signed commands (domain/shared/signed-command.ts): the API holds the Ed25519 private key;
 * workers and the audit hold only public keys, a list so a key can be rotated in before the old one
 * is retired. A key's id is the fingerprint of its public half.
 */
export interface CommandKeySettings {
  /** COMMAND_SIGNING_KEY: the PEM itself. */
  signingKeyPem?: string;
  /** COMMAND_SIGNING_KEY_FILE, or the embedded default outside the data folder. */
  signingKeyFile: string;
  /** COMMAND_TRUSTED_KEYS: public keys (PEM blocks); with neither this nor the file, the signing key's own. */
  trustedKeysPem?: string;
  /** COMMAND_TRUSTED_KEYS_FILE: a file of PEM public keys. */
  trustedKeysFile?: string;
}

export interface CommandSigner {
  keyId: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Where the embedded default keeps the key: the user's configuration folder, never the data folder. */
export const DEFAULT_COMMAND_KEY_FILE = join(homedir(), '.config', 'cloud-office', 'command-signing-key.pem');

export function trustedKeyOf(publicKey: KeyObject): TrustedCommandKey {
  const jwk = publicKey.export({ format: 'jwk' });
  return { keyId: keyIdOf(publicKey), publicKey: Buffer.from(jwk.x as string, 'base64url').toString('hex') };
}

/**
 * The API's signer. A configured PEM wins; else the key file, created on first use (owner-readable only)
 * with a warning, since a generated key must be handed to the workers and kept out of backups of the data.
 */
export function loadCommandSigner(settings: CommandKeySettings, dataDir: string, warn: (message: string) => void = () => undefined): CommandSigner {
  const privateKey = createPrivateKey(settings.signingKeyPem ?? readOrCreateKeyFile(settings.signingKeyFile, dataDir, warn));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The command signing key must be an Ed25519 private key');
  return {
    keyId: keyIdOf(createPublicKey(privateKey)),
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
  };
}

/** The public keys commands are checked with: the configured list, or else the signing key's own. */
export function loadTrustedCommandKeys(settings: CommandKeySettings, dataDir: string, warn: (message: string) => void = () => undefined): TrustedCommandKey[] {
  const listed = settings.trustedKeysPem ?? (settings.trustedKeysFile === undefined ? undefined : readFileSync(settings.trustedKeysFile, 'utf8'));
  if (listed !== undefined) {
    const blocks = listed.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
    if (blocks.length === 0) throw new Error('COMMAND_TRUSTED_KEYS holds no PEM public key');
    return blocks.map((pem) => {
      const key = createPublicKey(pem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error('A trusted command key must be an Ed25519 public key');
      return trustedKeyOf(key);
    });
  }
  const privateKey = createPrivateKey(settings.signingKeyPem ?? readOrCreateKeyFile(settings.signingKeyFile, dataDir, warn));
  return [trustedKeyOf(createPublicKey(privateKey))];
}

function readOrCreateKeyFile(file: string, dataDir: string, warn: (message: string) => void): string {
  const inside = relative(resolve(dataDir), resolve(file));
  if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
    throw new Error(`COMMAND_SIGNING_KEY_FILE (${file}) lies inside DATA_DIR: whoever reads the data could sign for anyone`);
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      // Exclusive: the API and the worker starting together must not each write a key of their own.
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      warn(`Generated a command signing key at ${file}; in production set COMMAND_SIGNING_KEY(_FILE) and give workers COMMAND_TRUSTED_KEYS`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return readFileSync(file, 'utf8');
}
