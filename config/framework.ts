import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../domain/shared/errors';
import { parseFramework, type BenchmarkFramework } from '../domain/framework/schema';

/**
 * The benchmark framework files, by version: `<dir>/benchmark-framework-<version>.json`. Each is
 * validated with `parseFramework` when first asked for; a process is handed the parsed object so
 * it never reads a file itself (workflows must stay deterministic).
 */
export interface FrameworkLibrary {
  /** The framework of that version, or FRAMEWORK_INVALID / VALIDATION_FAILED (unknown version). */
  load(version: string): BenchmarkFramework;
  /** FRAMEWORK_VERSION: the genesis version, in force until a version the directors approve takes effect (api/framework-register.ts). */
  readonly currentVersion: string;
}

const VERSION = /^\d+\.\d+$/;

export function frameworkFile(dir: string, version: string): string {
  return join(dir, `benchmark-framework-${version}.json`);
}

export function createFrameworkLibrary(config: { dir: string; currentVersion: string }): FrameworkLibrary {
  const cache = new Map<string, BenchmarkFramework>();
  const load = (version: string): BenchmarkFramework => {
    const cached = cache.get(version);
    if (cached) return cached;
    if (!VERSION.test(version)) {
      throw new DomainError('VALIDATION_FAILED', `Framework version ${version} is not major.minor`, 'frameworkVersion');
    }
    let text: string;
    try {
      text = readFileSync(frameworkFile(config.dir, version), 'utf8');
    } catch {
      throw new DomainError('VALIDATION_FAILED', `There is no benchmark framework ${version}`, 'frameworkVersion');
    }
    const framework = parseFramework(JSON.parse(text));
    if (framework.version !== version) {
      throw new DomainError('FRAMEWORK_INVALID', `The file for framework ${version} declares version ${framework.version}`, 'version');
    }
    cache.set(version, framework);
    return framework;
  };
  return { load, currentVersion: config.currentVersion };
}
