import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

/**
 * Fastify gives every request a child logger bound to its request id (`reqId`, the id a request's
 * lines are correlated by). pino makes a child by copying the parent's state, a cost paid on every
 * request although most write nothing at their level: the procurement check logs at warning level and
 * answers far more often than it refuses. This logger is that child, made on the first line that its
 * level lets through, with the same bindings and options; until then it only answers what its level is.
 */
type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** pino's parent logger as far as this needs it: its level names and their values. */
type Parent = FastifyBaseLogger & { levels: { values: Record<string, number> } };

class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  get level(): LevelWithSilentOrString {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: LevelWithSilentOrString) {
    this.logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.write('error', args);
  }
  warn(...args: unknown[]): void {
    this.write('warn', args);
  }
  info(...args: unknown[]): void {
    this.write('info', args);
  }
  debug(...args: unknown[]): void {
    this.write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  /** Whether a line at `method` would be written: pino's own comparison of level values. */
  enabled(method: Method): boolean {
    const values = this.parent.levels.values;
    const threshold = values[this.level];
    return threshold !== undefined && (values[method] as number) >= threshold;
  }

  private write(method: Method, args: unknown[]): void {
    if (this.made === undefined && !this.enabled(method)) return;
    (this.logger()[method] as (...a: unknown[]) => void)(...args);
  }

  private logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.options));
  }
}

/** Fastify's `childLoggerFactory`: the request's child logger, made when first written to. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger as Parent, bindings, options);
}

/** Whether `log` (a request's logger) would write a line at `method`, without making anything. */
export function logsAt(log: FastifyBaseLogger, method: Method): boolean {
  if (log instanceof LazyRequestLogger) return log.enabled(method);
  const values = (log as Partial<Parent>).levels?.values;
  const threshold = values?.[log.level];
  return values === undefined || threshold === undefined || (values[method] as number) >= threshold;
}
