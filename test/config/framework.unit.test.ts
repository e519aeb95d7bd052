import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { createFrameworkLibrary, frameworkFile } from '../../config/framework';
import { DomainError } from '../../domain/shared/errors';

const errorOf = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('the framework library', () => {
  it('loads the shipped framework 1.0 from the default folder, once', () => {
    const library = createFrameworkLibrary(loadConfig({}).framework);
    const framework = library.load('1.0');
    expect(framework.version).toBe('1.0');
    expect(framework.groups.length).toBeGreaterThan(0);
    expect(library.load('1.0')).toBe(framework);
    expect(library.currentVersion).toBe('1.0');
  });

  it('refuses an unknown version, a malformed version and a file that names another version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'framework-'));
    try {
      const library = createFrameworkLibrary({ dir, currentVersion: '1.0' });
      expect(errorOf(() => library.load('9.9'))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'frameworkVersion' });
      expect(errorOf(() => library.load('../etc'))).toMatchObject({ code: 'VALIDATION_FAILED', field: 'frameworkVersion' });
      const shipped = createFrameworkLibrary(loadConfig({}).framework).load('1.0');
      writeFileSync(frameworkFile(dir, '2.0'), JSON.stringify(shipped));
      expect(errorOf(() => library.load('2.0')).code).toBe('FRAMEWORK_INVALID');
      writeFileSync(frameworkFile(dir, '3.0'), JSON.stringify({ ...shipped, version: '3.0', groups: [] }));
      expect(errorOf(() => library.load('3.0'))).toMatchObject({ code: 'FRAMEWORK_INVALID', field: 'groups' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the accreditation policy and the framework version from the environment', () => {
    const config = loadConfig({ ACCREDITATION_COOLING_OFF_DAYS: '30', ACCREDITATION_VALIDITY_YEARS: '2', FRAMEWORK_VERSION: '1.1' });
    expect(config.accreditationPolicy).toMatchObject({ coolingOffDays: 30, validityYears: 2, informationResponseDays: 30, renewalWindowDays: 90 });
    expect(config.framework.currentVersion).toBe('1.1');
    expect(() => loadConfig({ FRAMEWORK_VERSION: 'latest' })).toThrow(/FRAMEWORK_VERSION/);
  });
});
