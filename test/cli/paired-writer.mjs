// Writes as an engine and its log do: each process is committed to the engine's database (in the
// journal mode given: WAL, as the office runs Temporal's dev server, or a rollback journal, its own
// default) before its first event is appended to the log (WAL), one pair after another until killed.
// Prints "ready" once both files hold their tables.
import Database from 'better-sqlite3';
import process from 'node:process';
import { setImmediate as nextTurn } from 'node:timers/promises';

const [enginePath, logPath, engineJournal] = process.argv.slice(2);
const engine = new Database(enginePath);
engine.pragma(`journal_mode = ${engineJournal}`);
engine.pragma('busy_timeout = 10000');
engine.pragma('synchronous = OFF');
engine.exec('CREATE TABLE IF NOT EXISTS processes (id INTEGER PRIMARY KEY)');
const log = new Database(logPath);
log.pragma('journal_mode = WAL');
log.pragma('busy_timeout = 10000');
log.pragma('synchronous = OFF');
log.exec('CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY, process_id INTEGER NOT NULL)');
const start = engine.prepare('INSERT INTO processes (id) VALUES (?)');
const append = log.prepare('INSERT INTO events (process_id) VALUES (?)');
process.stdout.write('ready\n');
for (let id = 1; ; id += 1) {
  start.run(id);
  append.run(id);
  // Gives the event loop a turn now and then, so a kill is taken at once.
  if (id % 50 === 0) await nextTurn();
}
