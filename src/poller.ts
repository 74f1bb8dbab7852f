/**
 * Waiting on many sockets at once, without blocking the event loop.
 *
 * @module
 */

import { closedSocketError } from "./errors.ts";
import { zmqError } from "./last_error.ts";
import { ZMQ_POLLIN as POLLIN, ZMQ_POLLOUT as POLLOUT } from "./libzmq.ts";
import { type Socket, socketInternals } from "./socket.ts";

/** What a {@link Poller} watches a socket for. */
export type PollInterest = "readable" | "writable" | "both";

/** A socket that is ready, from {@link Poller.wait}. */
export interface PollResult<S extends Socket = Socket> {
  /** The socket. */
  socket: S;
  /** A message can be received now. */
  readable: boolean;
  /** A message can be sent now. */
  writable: boolean;
}

/** Options of {@link Poller.wait}. */
export interface PollWaitOptions {
  /** Stops waiting early: the wait then resolves with no ready sockets. */
  signal?: AbortSignal;
}

const MASKS: Record<PollInterest, number> = {
  readable: POLLIN,
  writable: POLLOUT,
  both: POLLIN | POLLOUT,
};

/**
 * Waits until any of several sockets can receive or send, on the same reactor
 * as the sockets themselves (a multiplexer, like `zmq_poll`).
 *
 * @example Serve two sockets from one loop
 * ```ts
 * import { Poller, Pull } from "@deno-zmq/zmq";
 *
 * using jobs = new Pull(), control = new Pull();
 * await jobs.bind("inproc://jobs");
 * await control.bind("inproc://control");
 * const poller = new Poller().add(jobs, "readable").add(control, "readable");
 * const ready = await poller.wait(100); // [] after 100 ms with nothing to read
 * for (const { socket } of ready) console.log(await (socket as Pull).receive());
 * ```
 */
export class Poller<S extends Socket = Socket> {
  readonly #items = new Map<S, number>();

  /**
   * Watches a socket (again: updates its interest).
   *
   * @example
   * ```ts
   * import { Poller, Push } from "@deno-zmq/zmq";
   * using push = new Push();
   * new Poller().add(push, "writable");
   * ```
   */
  add(socket: S, interest: PollInterest = "readable"): this {
    if (!socket || typeof socket !== "object" || !("closed" in socket)) {
      throw new TypeError("Poller.add expects a socket");
    }
    const mask = MASKS[interest];
    if (mask === undefined) {
      throw new TypeError(
        `Unknown interest "${interest}": use "readable", "writable" or "both"`,
      );
    }
    if (socket.closed) {
      throw closedSocketError(socketInternals(socket).backend.errnos);
    }
    this.#items.set(socket, mask);
    return this;
  }

  /**
   * Stops watching a socket.
   *
   * @example
   * ```ts
   * import { Poller, Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * new Poller().add(pull).remove(pull);
   * ```
   */
  remove(socket: S): this {
    this.#items.delete(socket);
    return this;
  }

  /** Number of watched sockets. */
  get size(): number {
    return this.#items.size;
  }

  /**
   * Resolves with the sockets that are ready, waiting up to `timeout` ms
   * (-1: until one is; 0: just look). An empty array means the time ran out
   * (or the signal aborted). Rejects with ZmqError `ENOTSOCK` if a watched
   * socket is (or gets) closed.
   *
   * @example
   * ```ts
   * import { Poller, Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * await pull.bind("inproc://poll-wait");
   * console.log(await new Poller().add(pull).wait(0)); // []
   * ```
   */
  wait(timeout = -1, options: PollWaitOptions = {}): Promise<PollResult<S>[]> {
    if (typeof timeout !== "number" || Number.isNaN(timeout)) {
      return Promise.reject(
        new TypeError("Poller.wait timeout must be a number of ms"),
      );
    }
    let ready: PollResult<S>[];
    try {
      ready = this.#ready();
    } catch (err) {
      return Promise.reject(err);
    }
    const { signal } = options;
    if (ready.length > 0 || timeout === 0 || signal?.aborted) {
      return Promise.resolve(ready);
    }
    if (this.#items.size === 0 && timeout < 0 && !signal) {
      return Promise.reject(
        new TypeError(
          "Poller.wait with no sockets and no timeout would never end",
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const undo: (() => void)[] = [];
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        for (const u of undo) u();
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const check = () => {
        if (settled) return;
        try {
          const now = this.#ready();
          if (now.length > 0) finish(() => resolve(now));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      const onAbort = () => finish(() => resolve([]));
      signal?.addEventListener("abort", onAbort);
      if (timeout > 0) {
        timer = setTimeout(() => finish(() => resolve([])), timeout);
      }
      try {
        for (const socket of this.#items.keys()) {
          undo.push(socketInternals(socket).observe(check));
        }
      } catch (err) {
        finish(() => reject(err));
      }
    });
  }

  #ready(): PollResult<S>[] {
    const ready: PollResult<S>[] = [];
    for (const [socket, mask] of this.#items) {
      const { backend, handle } = socketInternals(socket);
      if (socket.closed) throw closedSocketError(backend.errnos);
      const events = backend.events(handle);
      if (events < 0) throw zmqError(backend);
      if (events & mask) {
        ready.push({
          socket,
          readable: (events & mask & POLLIN) !== 0,
          writable: (events & mask & POLLOUT) !== 0,
        });
      }
    }
    return ready;
  }
}
