// A promise kept by key, so concurrent callers share one creation; a creation that fails is
// dropped, so the next caller tries again. Used for the Bot Connector clients (bot/server.ts,
// bot/delivery.ts).

/**
 * The cached promise for `key`, or `create()`'s, kept. With `maxEntries`, a full cache is emptied
 * first (keys can come from callers: it must not grow without bound).
 */
export function cachedPromise<T>(cache: Map<string, Promise<T>>, key: string, create: () => Promise<T>, maxEntries = Infinity): Promise<T> {
  let p = cache.get(key);
  if (!p) {
    if (cache.size >= maxEntries) cache.clear();
    p = create();
    p.catch(() => {
      if (cache.get(key) === p) cache.delete(key);
    });
    cache.set(key, p);
  }
  return p;
}
