/**
 * A sliding-window counter kept in memory: enough for one API process guarding its login route.
 * Each key remembers the instants of its recent hits; a hit is refused when `limit` hits already fall
 * inside the last `windowMs`.
 */
export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** When refused: how long until the oldest counted hit leaves the window. */
  retryAfterMs: number;
}

export const LOGIN_RATE_LIMIT: RateLimitOptions = { limit: 10, windowMs: 60_000 };

/** Stale keys are swept after this many hits, so the map does not grow with every username ever tried. */
const SWEEP_EVERY = 1000;

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private sinceSweep = 0;

  constructor(private readonly options: RateLimitOptions) {}

  hit(key: string, now: number = Date.now()): RateLimitDecision {
    if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(now);
    const since = now - this.options.windowMs;
    const recent = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (recent.length >= this.options.limit) {
      this.hits.set(key, recent);
      return { allowed: false, retryAfterMs: (recent[0] as number) + this.options.windowMs - now };
    }
    recent.push(now);
    this.hits.set(key, recent);
    return { allowed: true, retryAfterMs: 0 };
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    const since = now - this.options.windowMs;
    for (const [key, times] of this.hits) {
      if ((times[times.length - 1] ?? 0) <= since) this.hits.delete(key);
    }
  }
}
