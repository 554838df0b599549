/**
 * A Map with a cap on its size: past it, the oldest key set goes first. The
 * order is kept in an array of its own rather than read from the Map:
 * V8 keeps a deleted Map entry's slot until the table is rebuilt, so finding
 * the oldest by iterating a Map from its start after many deletions costs
 * time in proportion to them (a million distinct tokens made it quadratic).
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  /** Keys in the order they were set; a key deleted since (or set again) may still be here, and is skipped. */
  private order: K[] = [];
  private head = 0;

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (!this.map.has(key)) this.order.push(key);
    this.map.set(key, value);
    while (this.map.size > this.cap) this.delete(this.oldest()![0]);
    // Deleted keys pile up at the front: drop them when they are half of the array.
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
    // Keys deleted in the middle (a revocation, a changed account) pile up too: rebuild, rarely, from the Map.
    if (this.order.length - this.head > 2 * this.cap + 1024) {
      this.order = [...this.map.keys()];
      this.head = 0;
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
    this.order = [];
    this.head = 0;
  }

  /** The oldest key still held and its value, or undefined when empty. */
  oldest(): [K, V] | undefined {
    while (this.head < this.order.length) {
      const key = this.order[this.head]!;
      const value = this.map.get(key);
      if (value !== undefined) return [key, value];
      this.head++;
    }
    return undefined;
  }
}
