/**
 * A virtual socket's byte buffers, as reused rings: outbound, the bytes
 * libzmq sent that the host has not written yet (a send copies into it and
 * allocates nothing: a fresh copy per send was a fifth of the sender's CPU
 * at 64 KiB frames, plus 10% garbage collection); inbound, the bytes the
 * host read that libzmq has not received yet (Deno reads straight into it).
 *
 * @module
 */

/** A byte ring growing from `initial` to at most `limit` bytes. */
export class ByteRing {
  readonly #limit: number;
  #buffer: Uint8Array;
  /** Index of the oldest byte held. */
  #start = 0;
  #size = 0;
  #growNext = false;

  constructor(initial: number, limit: number) {
    this.#buffer = new Uint8Array(Math.min(initial, limit));
    this.#limit = limit;
  }

  /** Bytes held (queued or being written). */
  get size(): number {
    return this.#size;
  }

  /** Whether no more bytes fit. */
  get full(): boolean {
    return this.#size >= this.#limit;
  }

  /** Copies as much of `bytes` as fits (growing up to the limit); returns how many. */
  push(bytes: Uint8Array): number {
    if (this.#size === 0) this.#start = 0;
    if (this.#size + bytes.byteLength > this.#buffer.byteLength) {
      this.#grow(this.#size + bytes.byteLength);
    }
    const buffer = this.#buffer, capacity = buffer.byteLength;
    const n = Math.min(bytes.byteLength, capacity - this.#size);
    const end = (this.#start + this.#size) % capacity;
    const first = Math.min(n, capacity - end);
    buffer.set(bytes.subarray(0, first), end);
    if (n > first) buffer.set(bytes.subarray(first, n), 0);
    this.#size += n;
    return n;
  }

  /**
   * The oldest contiguous run of bytes held: a view, which stays valid until
   * {@link ByteRing.release} (growing copies to a new buffer, leaving it be).
   */
  peek(): Uint8Array {
    const end = Math.min(this.#start + this.#size, this.#buffer.byteLength);
    return this.#buffer.subarray(this.#start, end);
  }

  /**
   * Drops the oldest `n` bytes. The free run does not move, so a read into
   * {@link ByteRing.space} may be pending meanwhile.
   */
  release(n: number): void {
    this.#size -= n;
    this.#start = (this.#start + n) % this.#buffer.byteLength;
  }

  /**
   * The free run after the bytes held, for one read to fill and then
   * {@link ByteRing.commit}: a view, valid until the next call of space()
   * or push() (which may grow the ring). Empty when the ring is full.
   */
  space(): Uint8Array {
    if (this.#size === 0) this.#start = 0;
    if (this.#growNext) {
      this.#growNext = false;
      this.#grow(this.#buffer.byteLength * 2);
    }
    const capacity = this.#buffer.byteLength;
    const end = (this.#start + this.#size) % capacity;
    if (this.#size === capacity) return this.#buffer.subarray(end, end);
    // Wrapped: free up to the oldest byte; else up to the end of the buffer.
    return this.#buffer.subarray(
      end,
      end < this.#start ? this.#start : capacity,
    );
  }

  /** `n` bytes were read into the run {@link ByteRing.space} gave. */
  commit(n: number, run: Uint8Array): void {
    this.#size += n;
    // A read that filled all the room it had: reads may be bigger next time.
    if (n === run.byteLength && this.#buffer.byteLength < this.#limit) {
      this.#growNext = true;
    }
  }

  /** Moves up to `length` of the oldest bytes into `into` at `at`; returns how many. */
  take(into: Uint8Array, at: number, length: number): number {
    let done = 0;
    while (done < length && this.#size > 0) {
      const run = this.peek();
      const n = Math.min(run.byteLength, length - done);
      into.set(run.subarray(0, n), at + done);
      this.release(n);
      done += n;
    }
    return done;
  }

  /** Drops everything. */
  clear(): void {
    this.#start = 0;
    this.#size = 0;
  }

  #grow(wanted: number): void {
    let capacity = this.#buffer.byteLength;
    while (capacity < wanted && capacity < this.#limit) capacity *= 2;
    capacity = Math.min(capacity, this.#limit);
    if (capacity === this.#buffer.byteLength) return;
    // Same order from index 0; a write in flight keeps its view of the old one.
    const next = new Uint8Array(capacity);
    const first = this.peek();
    next.set(first, 0);
    if (first.byteLength < this.#size) {
      next.set(
        this.#buffer.subarray(0, this.#size - first.byteLength),
        first.byteLength,
      );
    }
    this.#buffer = next;
    this.#start = 0;
  }
}
