import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAuditSigner, trustedKeysFromPem } from '../../eventstore/integrity/signing';

describe('the audit signing key file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-key-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once, readable by its owner only, with a warning, and the same key is read back after', () => {
    const warnings: string[] = [];
    const file = join(dir, 'config', 'cloud-office', 'audit-signing-key.pem');
    const first = loadAuditSigner({ file, warn: (m) => warnings.push(m) });
    const second = loadAuditSigner({ file, warn: (m) => warnings.push(m) });
    expect(second.keyId).toBe(first.keyId);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([expect.stringContaining(`Created a new audit signing key at ${file}`)]);
  });

  it('trusts every public key of a PEM file that holds several (after a rotation)', () => {
    const old = loadAuditSigner({ file: join(dir, 'old.pem') });
    const current = loadAuditSigner({ file: join(dir, 'new.pem') });
    const keys = trustedKeysFromPem(old.publicKeyPem + current.publicKeyPem);
    expect(Object.keys(keys).sort()).toEqual([old.keyId, current.keyId].sort());
    expect(() => trustedKeysFromPem(readFileSync(join(dir, 'old.pem'), 'utf8'))).toThrow(/no PUBLIC KEY/);
  });
});
