import { positionToString, type Position } from '../eventstore/port';

interface Waiter {
  target: Position;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

/** Callers waiting for the projections to reach a position: settled after each commit, rejected when the runner stops. */
export class PositionWaiters {
  private readonly waiters = new Set<Waiter>();

  /** Waits for `reached(target)`; `timeoutMs` 0 waits without limit, else rejects saying where things stand. */
  add(target: Position, timeoutMs: number, where: () => string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { target, resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`Projections did not reach ${positionToString(target)} within ${timeoutMs} ms (${where()})`));
        }, timeoutMs);
      }
      this.waiters.add(waiter);
    });
  }

  settle(reached: (target: Position) => boolean): void {
    for (const waiter of this.waiters) {
      if (!reached(waiter.target)) continue;
      this.waiters.delete(waiter);
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  rejectAll(error: Error): void {
    for (const waiter of this.waiters) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters.clear();
  }
}
