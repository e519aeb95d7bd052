import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../config/config';

describe('where the audit signing key lives', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'audit-key-'));
    mkdirSync(join(dir, 'data'));
    symlinkSync(join(dir, 'data'), join(dir, 'link-to-data'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("defaults to the operator's configuration folder, outside the data folder", () => {
    const config = loadConfig({ DATA_DIR: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') });
    expect(config.audit.signingKeyFile).toBe(join(dir, 'config', 'cloud-office', 'audit-signing-key.pem'));
  });

  it('refuses a key file inside DATA_DIR, also through a symlink, naming the variable', () => {
    for (const file of [join(dir, 'data', 'audit-signing-key.pem'), join(dir, 'link-to-data', 'keys', 'k.pem')]) {
      const load = () => loadConfig({ DATA_DIR: join(dir, 'data'), AUDIT_SIGNING_KEY_FILE: file });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(/AUDIT_SIGNING_KEY_FILE: .* lies inside DATA_DIR/);
    }
  });

  it('allows a key file inside DATA_DIR only when told to, for tests', () => {
    const file = join(dir, 'data', 'audit-signing-key.pem');
    expect(loadConfig({ DATA_DIR: join(dir, 'data'), AUDIT_SIGNING_KEY_FILE: file, AUDIT_KEY_IN_DATA_DIR: 'allow' }).audit.signingKeyFile).toBe(file);
    expect(() => loadConfig({ AUDIT_KEY_IN_DATA_DIR: 'yes' })).toThrow(/AUDIT_KEY_IN_DATA_DIR/);
  });
});
