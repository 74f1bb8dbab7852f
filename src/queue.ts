/**
 * A FIFO queue with O(1) push and shift, for pending socket operations
 * (Array#shift is O(n), which hurts with thousands of pending receives).
 *
 * @module
 */

/** FIFO queue of pending operations. */
export class Queue<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** Number of queued items. */
  get length(): number {
    return this.#items.length - this.#head;
  }
  /** The oldest item, if any. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  /** Appends an item. */
  push(item: T): void {
    this.#items.push(item);
  }
  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
  /** Removes a specific item (used when a timeout fires); O(n). */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }
  /** Removes and returns every item. */
  drain(): T[] {
    const items = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return items;
  }
}
