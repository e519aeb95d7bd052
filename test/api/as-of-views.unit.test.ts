import Database from 'better-sqlite3';
import { AsOfViews, type AsOfView } from '../../api/as-of-views';

/** A view whose database holds `rows` rows of about a kilobyte. */
function viewOf(rows: number): AsOfView {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run('x'.repeat(1000));
  return { db, events: rows };
}

const count = (view: AsOfView): number => (view.db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

describe('the as-of views the API keeps between answers', () => {
  it('builds a view once and moves the kept one on for the next answer', async () => {
    const views = new AsOfViews();
    const built: string[] = [];
    const advanced: string[] = [];
    const build = async () => {
      built.push('a');
      return viewOf(1);
    };
    const advance = async (view: AsOfView) => {
      advanced.push('a');
      view.db.prepare('INSERT INTO t (body) VALUES (?)').run('later');
    };
    expect(await views.with('a', build, advance, count)).toBe(1);
    expect(await views.with('a', build, advance, count)).toBe(2);
    expect([built, advanced]).toEqual([['a'], ['a']]);
    views.close();
  });

  it('closes a view whose advance failed, and builds it anew for the next answer', async () => {
    const views = new AsOfViews();
    const first = viewOf(1);
    let builds = 0;
    const build = async () => (++builds === 1 ? first : viewOf(5));
    await views.with('a', build, async () => undefined, count);
    await expect(
      views.with('a', build, async () => {
        throw new Error('the store went away');
      }, count),
    ).rejects.toThrow('the store went away');
    expect(first.db.open).toBe(false);
    expect(await views.with('a', build, async () => undefined, count)).toBe(5);
    views.close();
  });

  it('closes the least recently used views beyond its budget, never the one answering', async () => {
    // Each view is about 100 kB; the budget holds two.
    const views = new AsOfViews(250_000);
    const made = new Map<string, AsOfView>();
    const build = (key: string) => async () => {
      const view = viewOf(100);
      made.set(key, view);
      return view;
    };
    const none = async () => undefined;
    await views.with('a', build('a'), none, count);
    await views.with('b', build('b'), none, count);
    await views.with('a', build('a2'), none, count); // a is used again: b is now the oldest
    await views.with('c', build('c'), none, count);
    expect([made.get('a')?.db.open, made.get('b')?.db.open, made.get('c')?.db.open]).toEqual([true, false, true]);
    expect(made.has('a2')).toBe(false);

    const tiny = new AsOfViews(1);
    const only = viewOf(100);
    expect(await tiny.with('x', async () => only, none, count)).toBe(100);
    expect(only.db.open).toBe(true);
    views.close();
    tiny.close();
    expect(only.db.open).toBe(false);
  });

  it('lets one job at a time work on a view: the next waits for the first to end', async () => {
    const views = new AsOfViews();
    const order: string[] = [];
    let letGo = (): void => undefined;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    const first = views.with('a', async () => {
      order.push('first builds');
      await held;
      order.push('first built');
      return viewOf(1);
    }, async () => undefined, () => order.push('first answers'));
    const second = views.with('a', async () => viewOf(9), async () => {
      order.push('second advances');
    }, () => order.push('second answers'));
    await new Promise((resolve) => setImmediate(resolve));
    letGo();
    await Promise.all([first, second]);
    expect(order).toEqual(['first builds', 'first built', 'first answers', 'second advances', 'second answers']);
    views.close();
  });
});
