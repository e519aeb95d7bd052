import type { EventStore, Position, RecordedEvent } from './port';

/**
 * The whole log (or what follows `after`) in log order, one page at a time: memory holds one page, not
 * the log. For a reader that must see every event once, such as a verification or a lookup that may
 * not trust a read model's lag.
 */
export async function* readLogPages(
  store: Pick<EventStore, 'readAll'>,
  options: { after?: Position; pageSize?: number } = {},
): AsyncGenerator<RecordedEvent[]> {
  const pageSize = options.pageSize ?? 5_000;
  let after = options.after;
  for (;;) {
    const page = await store.readAll({ ...(after ? { after } : {}), maxCount: pageSize });
    // The last page may be empty: a reader still learns the log ended there.
    yield page;
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    after = last.position;
  }
}
