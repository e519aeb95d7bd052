import type { EventStore } from '../../eventstore/port';

/**
 * A store whose whole-log reads fail: handed to a request path, it shows that the path's cost follows
 * the streams it names, not the history (a read of the whole log would throw).
 */
export function withoutWholeLog(store: EventStore): EventStore {
  const refuse = (what: string) => () => {
    throw new Error(`${what} read the whole log`);
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readAll') return refuse('readAll');
      if (property === 'subscribeToAll') return refuse('subscribeToAll');
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
