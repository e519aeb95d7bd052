import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCommandSigner, loadTrustedCommandKeys } from '../../config/command-keys';
import { TEST_COMMAND_KEY_PEM, UNTRUSTED_COMMAND_KEY_PEM, testCommandSigner, untrustedCommandSigner } from '../support/command-keys';

const publicPem = (privatePem: string): string => createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();

describe('the command signing keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'command-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a signing key file inside the data folder', () => {
    const dataDir = join(dir, 'data');
    expect(() => loadCommandSigner({ signingKeyFile: join(dataDir, 'key.pem') }, dataDir)).toThrow(/inside DATA_DIR/);
  });

  it('generates the embedded default key once, owner-readable only, with a warning, and trusts it', () => {
    const warnings: string[] = [];
    const settings = { signingKeyFile: join(dir, 'config', 'command-signing-key.pem') };
    const signer = loadCommandSigner(settings, join(dir, 'data'), (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
    expect(statSync(settings.signingKeyFile).mode & 0o777).toBe(0o600);
    expect(loadCommandSigner(settings, join(dir, 'data')).keyId).toBe(signer.keyId);
    expect(loadTrustedCommandKeys(settings, join(dir, 'data')).map((k) => k.keyId)).toEqual([signer.keyId]);
  });

  it('trusts every public key listed, by fingerprint, so a new key can be rotated in before the old one leaves', () => {
    const listed = `${publicPem(TEST_COMMAND_KEY_PEM)}\n${publicPem(UNTRUSTED_COMMAND_KEY_PEM)}`;
    const keys = loadTrustedCommandKeys({ signingKeyFile: join(dir, 'unused.pem'), trustedKeysPem: listed }, dir);
    expect(keys.map((k) => k.keyId)).toEqual([testCommandSigner.keyId, untrustedCommandSigner.keyId]);
    expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k.publicKey))).toBe(true);
  });
});
