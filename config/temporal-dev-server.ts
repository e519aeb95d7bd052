/**
 * The Temporal CLI dev server's database when the office keeps it in a file (`scripts/start.ts`, and the
 * tests' multi-process office). WAL mode, so that a backup's read of the file (cli/backup.ts) never holds
 * up the server's writers, as a rollback journal's shared lock does for as long as the copy takes;
 * synchronous FULL, so that a commit Temporal has acknowledged survives a power cut, as the event store's
 * do (the log and the engine must not disagree after one); a busy timeout for the moments a reader and
 * a checkpoint meet.
 */
export function devServerDatabaseArgs(file: string): string[] {
  return [
    '--db-filename', file,
    '--sqlite-pragma', 'journal_mode=wal',
    '--sqlite-pragma', 'synchronous=FULL',
    '--sqlite-pragma', 'busy_timeout=5000',
  ];
}
