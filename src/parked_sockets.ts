/**
 * Who is parked, and waking them: the one record of the sockets that wait for
 * a wake-up, kept by each backend's `Reactor` (`ffi/reactor.ts`,
 * `wasm/backend.ts`). The socket engine holds only the {@link Parked} entry
 * it was given; the context only tells its reactor that an operation
 * completed (`Reactor.progress`).
 *
 * A wake-up means "look again" (the socket reads ZMQ_EVENTS), never "ready".
 *
 * @module
 */

import type { Handle, Parked } from "./backend.ts";

/**
 * Waking every parked socket after an operation is what lets an inproc
 * consumer run without a poll round trip; past this many parked sockets it
 * costs more than it saves (the FFI reactor's poll wakes them instead).
 */
export const RECHECK_LIMIT = 64;

/** The entry of a socket that is not parked (an engine's before its first park). */
export const UNPARKED: Parked = Object.freeze({ parked: false });

/** One parked socket. */
export class ParkedSocket implements Parked {
  /** False once unparked: a wake-up already under way skips it. */
  parked = true;
  /** The parked socket. */
  readonly socket: Handle;
  /** Called (on the JS thread) to make the socket look again. */
  onWake: () => void;

  /** Parks `socket` (see {@link ParkedSockets.park}). */
  constructor(socket: Handle, onWake: () => void) {
    this.socket = socket;
    this.onWake = onWake;
  }
}

/**
 * The parked sockets of a reactor, and waking them. `P` is the reactor's own
 * entry type (the FFI reactor adds the socket's fd), made by `make`.
 */
export class ParkedSockets<P extends ParkedSocket = ParkedSocket> {
  readonly #entries = new Map<Handle, P>();
  readonly #make: (socket: Handle, onWake: () => void) => P;
  readonly #limit: number;
  #wakeScheduled = false;

  /**
   * `limit`: {@link ParkedSockets.wakeSoon} does nothing while more sockets
   * than this are parked.
   */
  constructor(
    make: (socket: Handle, onWake: () => void) => P,
    limit = RECHECK_LIMIT,
  ) {
    this.#make = make;
    this.#limit = limit;
  }

  /** How many sockets are parked. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Parks a socket and returns its entry; a socket already parked keeps its
   * entry, with `onWake` replacing the old callback.
   */
  park(socket: Handle, onWake: () => void): P {
    const existing = this.#entries.get(socket);
    if (existing) {
      existing.onWake = onWake;
      return existing;
    }
    const entry = this.#make(socket, onWake);
    this.#entries.set(socket, entry);
    return entry;
  }

  /** Unparks a socket; false if it was not parked. */
  unpark(socket: Handle): boolean {
    const entry = this.#entries.get(socket);
    if (!entry) return false;
    entry.parked = false;
    this.#entries.delete(socket);
    return true;
  }

  /** Unparks every socket `which` selects (default: all); returns how many. */
  unparkAll(which?: (entry: P) => boolean): number {
    let count = 0;
    for (const entry of this.list()) {
      if (which && !which(entry)) continue;
      this.unpark(entry.socket);
      count++;
    }
    return count;
  }

  /** The parked sockets now (a copy: waking them may change the set). */
  list(): P[] {
    return [...this.#entries.values()];
  }

  /** Wakes each of `entries` that is still parked. */
  wake(entries: readonly P[]): void {
    for (const entry of entries) if (entry.parked) entry.onWake();
  }

  /**
   * Wakes every parked socket, now. It walks the live map, with no copy (this
   * runs after every message while a peer waits): a socket unparked meanwhile
   * is skipped, one parked meanwhile is woken too (it only looks again).
   */
  wakeAll(): void {
    for (const entry of this.#entries.values()) entry.onWake();
  }

  /**
   * An operation completed, so parked sockets may be able to proceed: wakes
   * them all once, in a microtask (a burst of calls costs one round), unless
   * more than the limit are parked then.
   */
  wakeSoon(): void {
    if (this.#wakeScheduled || this.#entries.size === 0) return;
    this.#wakeScheduled = true;
    queueMicrotask(this.#wakeScheduledNow);
  }

  readonly #wakeScheduledNow = (): void => {
    this.#wakeScheduled = false;
    if (this.#entries.size <= this.#limit) this.wakeAll();
  };
}
