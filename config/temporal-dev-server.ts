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

/**
 * The dev server's caches. Its history service keeps each workflow's state and events cached an hour
 * after last use: on one machine, with its own SQLite a read away, ten minutes bounds its memory sooner.
 * `history.cacheMaxSize` (TEMPORAL_DEV_CACHED_WORKFLOWS) bounds how many workflows' state it holds, the
 * memory it grows to as the office's processes come and go.
 */
export function devServerCacheArgs(cachedWorkflows: number): string[] {
  return [
    '--dynamic-config-value', 'history.cacheTTL="10m"',
    '--dynamic-config-value', 'history.eventsCacheTTL="10m"',
    '--dynamic-config-value', `history.cacheMaxSize=${cachedWorkflows}`,
  ];
}
