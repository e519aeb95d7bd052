/**
 * Whole-log work a request starts (an as-of replay, a verification) runs on the API's own thread; it reads
 * small pages and gives the event loop back once it has held it for a slice, so every other request waits
 * at most about one slice, however long the history. Reads are synchronous in the SQLite adapter, so
 * without the yield a replay would hold the thread from its first page to its last.
 */
export const PAGE_EVENTS = 50;
export const SLICE_MS = 8;

/** Resolves after the event loop has served what was waiting (I/O callbacks, timers due). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The options a whole-log reader takes to share the thread: between pages, it yields once a slice has
 * passed since it last did (yielding after every small page would spend the time on the yields).
 */
export function shareTheThread(sliceMs = SLICE_MS): { pageSize: number; betweenPages: () => Promise<void> } {
  let since = performance.now();
  return {
    pageSize: PAGE_EVENTS,
    betweenPages: async () => {
      if (performance.now() - since < sliceMs) return;
      await yieldToEventLoop();
      since = performance.now();
    },
  };
}
