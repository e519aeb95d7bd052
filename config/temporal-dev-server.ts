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
 * The dev server's cache of workflows' state (Temporal's history service, one cache for the host since
 * Server 1.27; the CLI sets it to 8,192 workflows, about 100 kB of its memory each as the soak measured).
 * Entries unused for ten minutes are dropped by a sweep every minute, where Temporal by default keeps
 * them an hour and drops them only when the cache is full: so its memory follows the workflows used in
 * the last ten minutes, up to TEMPORAL_DEV_CACHED_WORKFLOWS, instead of growing to the cap. A workflow
 * not cached is read back from temporal.db on its next task. The events cache gets the same lifetime.
 */
export function devServerCacheArgs(cachedWorkflows: number): string[] {
  return [
    '--dynamic-config-value', `history.hostLevelCacheMaxSize=${cachedWorkflows}`,
    '--dynamic-config-value', 'history.cacheTTL="10m"',
    '--dynamic-config-value', `history.cacheBackgroundEvict=${JSON.stringify({ Enabled: true, LoopInterval: '1m', MaxEntryPerCall: 1024 })}`,
    '--dynamic-config-value', 'history.eventsCacheTTL="10m"',
  ];
}
