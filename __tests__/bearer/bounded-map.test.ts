import { BoundedMap } from '../../lib/bearer/bounded-map';

describe('BoundedMap', () => {
  it('holds at most its cap, the oldest key going first', () => {
    const map = new BoundedMap<string, number>(3);
    for (let i = 0; i < 10; i++) map.set(`k${i}`, i);
    expect(map.size).toBe(3);
    expect(map.get('k6')).toBeUndefined();
    expect(map.oldest()).toEqual(['k7', 7]);
  });

  it('skips keys deleted since, and keeps its order array bounded when keys are set and deleted forever', () => {
    const map = new BoundedMap<string, number>(10);
    for (let i = 0; i < 200_000; i++) {
      map.set(`k${i}`, i);
      map.delete(`k${i}`);
    }
    map.set('last', 1);
    expect(map.size).toBe(1);
    expect(map.oldest()).toEqual(['last', 1]);
    expect((map as unknown as { order: string[] }).order.length).toBeLessThan(2 * 10 + 1024 + 2);
  });

  it('stays linear under a million distinct keys (no quadratic scan of deleted Map slots)', () => {
    const map = new BoundedMap<number, number>(1000);
    const start = performance.now();
    for (let i = 0; i < 1_000_000; i++) map.set(i, i);
    // Loose: the quadratic version took minutes.
    expect(performance.now() - start).toBeLessThan(10_000);
    expect(map.size).toBe(1000);
  });
});
