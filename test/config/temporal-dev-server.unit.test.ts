import { ConfigError, loadConfig } from '../../config/config';
import { devServerCacheArgs, devServerDatabaseArgs } from '../../config/temporal-dev-server';

/** Pairs of `--flag value` as the dev server takes them, for reading an argument list. */
function values(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] as string] : []));
}

describe("the dev server's settings", () => {
  it('caches 2,048 workflows when nothing is set, and reads a given size', () => {
    expect(loadConfig({}).temporal.devServerCachedWorkflows).toBe(2048);
    expect(loadConfig({ TEMPORAL_DEV_CACHED_WORKFLOWS: '64' }).temporal.devServerCachedWorkflows).toBe(64);
  });

  it('refuses a cache of no workflows, a negative one or not a whole number, naming the variable and the rule', () => {
    for (const bad of ['0', '-3', 'many', '2.5']) {
      expect(() => loadConfig({ TEMPORAL_DEV_CACHED_WORKFLOWS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ TEMPORAL_DEV_CACHED_WORKFLOWS: bad })).toThrow(/TEMPORAL_DEV_CACHED_WORKFLOWS/);
    }
    expect(() => loadConfig({ TEMPORAL_DEV_CACHED_WORKFLOWS: '0' })).toThrow(/at least 1/);
  });

  it('passes the cache size to the history service, whose entries unused for ten minutes a sweep drops every minute', () => {
    expect(values(devServerCacheArgs(64), '--dynamic-config-value')).toEqual([
      'history.hostLevelCacheMaxSize=64',
      'history.cacheTTL="10m"',
      'history.cacheBackgroundEvict={"Enabled":true,"LoopInterval":"1m","MaxEntryPerCall":1024}',
      'history.eventsCacheTTL="10m"',
    ]);
  });

  it('keeps its database in WAL mode with full fsyncs and a busy timeout, in the given file', () => {
    const args = devServerDatabaseArgs('/data/temporal.db');
    expect(values(args, '--db-filename')).toEqual(['/data/temporal.db']);
    expect(values(args, '--sqlite-pragma')).toEqual(['journal_mode=wal', 'synchronous=FULL', 'busy_timeout=5000']);
  });
});
