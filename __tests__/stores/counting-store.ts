/**
 * A store that counts the calls made to it, forwarding each to `store`:
 * what a test of "no store round trip per request" counts. `changeFeed` is
 * forwarded without being counted (it is no round trip).
 */
export function countingStore<T extends object>(store: T): { store: T; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property !== 'changeFeed' && property !== 'setTokenLifetime') calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}
