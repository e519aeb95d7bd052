import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/config';
import { createEventStore } from '../../eventstore';
import { createTestIdentity, seedAccount } from '../support/identity';
import { runTool, toolEnv } from './run-tool';

/**
 * `npm run accounts -- list` gives a pipe what it gives a file. Enough accounts are made (at the cheap
 * password cost) for either listing to exceed the 64 KiB a pipe holds, past which output used to be cut.
 */
const ACCOUNTS = 800;
const PIPE_CAPACITY = 64 * 1024;

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-accounts-'));
  env = toolEnv(join(dir, 'data'));
  const config = loadConfig({ DATA_DIR: join(dir, 'data') });
  const store = await createEventStore(config.eventStore);
  const identity = await createTestIdentity({ path: config.identityPath, store });
  for (let i = 0; i < ACCOUNTS; i++) {
    await seedAccount(identity, {
      username: `reviewer${String(i).padStart(4, '0')}`,
      displayName: `Reviewer number ${i} of the federal office`,
      role: 'reviewer',
      jurisdiction: 'federal',
      password: 'a long enough password',
    });
  }
  identity.close();
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([[['list']], [['list', '--json']]])('accounts %j gives a pipe every account, byte for byte as a file gets them', async (args) => {
  const piped = await runTool('identity/cli.ts', args, env);
  const filed = await runTool('identity/cli.ts', args, env, join(dir, 'accounts.out'));
  expect(filed.code).toBe(0);
  expect(filed.stdout.length).toBeGreaterThan(PIPE_CAPACITY);
  expect(filed.stdout.toString('utf8')).toContain(`reviewer${String(ACCOUNTS - 1).padStart(4, '0')}`);
  expect(piped.code).toBe(0);
  expect(piped.stdout.equals(filed.stdout)).toBe(true);
});
