import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { backupSqliteTogether } from '../../cli/backup/copy';

/**
 * Issue 14, item 5: Temporal's database and the event store are copied as of one instant. Another
 * process commits a process to an "engine" file and then its first event to a "log" file, as fast as
 * it can; in every copy, each event in the log belongs to a process in the engine — where copying the
 * two files one after the other leaves events whose process the copied engine never had.
 */
describe.each(['wal', 'delete'])('with the engine’s database in journal mode %s', (journal) => {
  let dir: string;
  let writer: ChildProcess;
  const engine = (): string => join(dir, 'engine.db');
  const log = (): string => join(dir, 'log.db');


  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-same-instant-'));
    writer = spawn(process.execPath, [join(__dirname, 'paired-writer.mjs'), engine(), log(), journal], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(writer.stdout as NodeJS.ReadableStream, 'data');
  });

  afterAll(async () => {
    if (writer.exitCode === null) {
      writer.kill('SIGKILL');
      await once(writer, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Events of the copied log whose process is not in the copied engine, and how many events it holds. */
  function orphans(copy: string): { events: number; orphans: number } {
    const db = new Database(join(dir, `${copy}-log.db`), { readonly: true });
    try {
      db.prepare('ATTACH DATABASE ? AS engine').run(join(dir, `${copy}-engine.db`));
      return db
        .prepare('SELECT COUNT(*) AS events, COALESCE(SUM(p.id IS NULL), 0) AS orphans FROM events e LEFT JOIN engine.processes p ON p.id = e.process_id')
        .get() as { events: number; orphans: number };
    } finally {
      db.close();
    }
  }

  const targets = (copy: string) => [
    { source: engine(), target: join(dir, `${copy}-engine.db`) },
    { source: log(), target: join(dir, `${copy}-log.db`) },
  ];

  it('copies the engine and the log as of one instant, so every copied event has its process, while both are written', async () => {
    const found: { events: number; orphans: number }[] = [];
    for (let i = 0; i < 20; i += 1) {
      await backupSqliteTogether(targets(`together-${i}`));
      found.push(orphans(`together-${i}`));
    }
    expect(found.filter((f) => f.orphans > 0)).toEqual([]);
    // The copies were taken while the writer worked: none holds fewer events than the one before, the last more than the first.
    const counts = found.map((f) => f.events);
    expect(counts.every((n, i) => i === 0 || n >= (counts[i - 1] as number))).toBe(true);
    expect(counts[counts.length - 1]).toBeGreaterThan(counts[0] as number);
  });

  it('shows the window it closes: the engine and the log copied one after the other leave events without their process', async () => {
    // Up to 100 tries, until one shows it: on a rollback-journal file the writer may still be in its busy
    // wait when the log is copied, and then that copy has no orphan.
    const found: { events: number; orphans: number }[] = [];
    for (let i = 0; i < 100 && !found.some((f) => f.orphans > 0); i += 1) {
      const [first, second] = targets(`apart-${i}`);
      await backupSqliteTogether([first as { source: string; target: string }]);
      await backupSqliteTogether([second as { source: string; target: string }]);
      found.push(orphans(`apart-${i}`));
    }
    expect(found.some((f) => f.orphans > 0)).toBe(true);
  });
});
