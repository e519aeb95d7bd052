import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { onePerThread } from '../../workflows/shared/thread-shared';
import { CRASH_INTERCEPTOR_MODULE, workflowInterceptorModules } from '../../worker/create-worker';

/**
 * Issue 15, goal 5: with reuseV8Context every cached workflow evaluated its own copy of the modules it
 * loaded (zod above all), about 1 MB of worker memory each. A process type's modules are now loaded once
 * per worker thread (workflows/shared/thread-shared.ts), and the interceptors every workflow loads for
 * itself keep clear of zod.
 */
describe('the modules the workflows of a thread share', () => {
  it('are loaded by the first workflow that asks for them, and the same value answers every later one', () => {
    const key = `thread-shared-test-${process.pid}`;
    const load = jest.fn(() => ({ loadedAt: 'first' }));
    const first = onePerThread(key, load);
    expect(onePerThread(key, load)).toBe(first);
    expect(onePerThread(key, () => ({ loadedAt: 'second' }))).toBe(first);
    expect(load).toHaveBeenCalledTimes(1);
    expect(onePerThread(`${key}-other`, () => 'another type')).toBe('another type');
  });

  it('load every process type of the bundle through the one holder', () => {
    const index = readFileSync(resolve(__dirname, '../../workflows/index.ts'), 'utf8');
    const required = [...index.matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
    const held = [...index.matchAll(/onePerThread\('([^']+)', \(\) => require\('([^']+)'\)/g)].filter((m) => m[1] === m[2]).map((m) => m[2]);
    expect(required.length).toBeGreaterThanOrEqual(8);
    expect(held).toEqual(required);
  });
});

/** Every module a TypeScript file imports, following the project's own relative imports (type-only ones aside). */
function importGraph(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  for (const match of source.matchAll(/^import (?!type )[^;]*? from '([^']+)';/gms)) {
    const specifier = match[1] as string;
    if (specifier.startsWith('.')) importGraph(`${resolve(dirname(file), specifier)}.ts`, seen);
    else seen.add(specifier);
  }
  return seen;
}

describe('the workflow interceptors, evaluated by every workflow for itself', () => {
  it('import no zod, whose copy per cached workflow cost about half a megabyte', () => {
    const modules = workflowInterceptorModules({ crashPoints: true });
    expect(modules).toContain(CRASH_INTERCEPTOR_MODULE);
    for (const module of modules) {
      const graph = importGraph(module.replace(/\.js$/, '.ts'));
      expect(graph.size).toBeGreaterThan(1);
      expect([...graph].filter((m) => m === 'zod' || m.startsWith('zod/'))).toEqual([]);
    }
  });
});
