import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fillStoreWithNocEvents } from '../../bench/fixtures';
import { createEventStore } from '../../eventstore';
import { allProjections } from '../../projections';
import { runTool, toolEnv } from './run-tool';

/** `npm run snapshot:as-of`: the operator's way to take the as-of snapshots the projector otherwise takes. */
let dir: string;
const data = (): string => join(dir, 'data');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'as-of-snapshots-tool-'));
  const store = await createEventStore({ kind: 'sqlite', path: join(data(), 'events.db'), synchronous: 'NORMAL' });
  await fillStoreWithNocEvents(store, 700);
  await store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('snapshots every read model at each interval of the log, then nothing more until the log grows', async () => {
  const first = await runTool('cli/as-of-snapshots.ts', ['--every', '300'], toolEnv(data()));
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  expect(first.stdout.toString()).toBe(allProjections().map((p) => `${p.name}: 2 new snapshots\n`).join(''));
  const again = await runTool('cli/as-of-snapshots.ts', ['--every', '300'], toolEnv(data()));
  expect(again.stdout.toString()).toBe(allProjections().map((p) => `${p.name}: 0 new snapshots\n`).join(''));
});

it('refuses an interval that is not a whole number of events, naming the option', async () => {
  const run = await runTool('cli/as-of-snapshots.ts', ['--every', '0'], toolEnv(data()));
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('--every: needs a whole number of events, at least 1');
});
