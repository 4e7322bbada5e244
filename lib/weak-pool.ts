/**
 * One copy of equal values across clusters, held weakly: `one(key, value)` returns the copy
 * already held under `key` (equal content), else keeps `value` as that copy. A copy nothing holds
 * any more is forgotten. Shared copies must not be written through: callers freeze or only read
 * them.
 */
export class WeakPool<T extends object> {
  private readonly copies = new Map<string, WeakRef<T>>();
  private readonly forget = new FinalizationRegistry<string>((key) => {
    if (this.copies.get(key)?.deref() === undefined) this.copies.delete(key);
  });

  one(key: string, value: T): T {
    const known = this.copies.get(key)?.deref();
    if (known) return known;
    this.copies.set(key, new WeakRef(value));
    this.forget.register(value, key);
    return value;
  }

  /** How many copies are held (for tests). */
  get size(): number {
    return this.copies.size;
  }
}
