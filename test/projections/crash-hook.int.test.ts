import { spawnSync } from 'node:child_process';
import { crashHookFromEnv } from '../../projections/crash-hook';
import { ROOT } from '../cli/run-tool';

/** The projector's test-only crash point: inert without its variable, a SIGKILL with it. */
const SCRIPT = "const { crashHookFromEnv } = require('./projections/crash-hook'); const hook = crashHookFromEnv(process.env); for (let i = 0; i < 10000; i++) hook(); console.log('still running');";

function run(env: NodeJS.ProcessEnv) {
  const base = { ...process.env };
  delete base.PROJECTOR_CRASH_PROBABILITY;
  return spawnSync(process.execPath, ['--import', 'tsx', '-e', SCRIPT], { cwd: ROOT, env: { ...base, ...env }, encoding: 'utf8' });
}

describe('the projector crash hook', () => {
  it('does nothing, however often it is passed, when PROJECTOR_CRASH_PROBABILITY is not set', () => {
    const result = run({});
    expect(result.signal).toBeNull();
    expect(result.stdout).toContain('still running');
  });

  it('kills the process with SIGKILL when the chance comes up', () => {
    const result = run({ PROJECTOR_CRASH_PROBABILITY: '1' });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout).not.toContain('still running');
  });

  it('refuses a value that is not a probability', () => {
    expect(() => crashHookFromEnv({ PROJECTOR_CRASH_PROBABILITY: '2' })).toThrow('PROJECTOR_CRASH_PROBABILITY must be a number in (0, 1]');
    expect(() => crashHookFromEnv({ PROJECTOR_CRASH_PROBABILITY: 'often' })).toThrow('PROJECTOR_CRASH_PROBABILITY must be a number in (0, 1]');
  });
});
