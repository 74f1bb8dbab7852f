/**
 * zeromq.js's `Observer` (`socket.events`): socket events as plain objects
 * (`{ type, address, ... }`), read with `receive()`, async iteration, or, in
 * "event emitter mode", `on()`/`off()`. Built on the core's SocketEvents.
 *
 * @module
 */

import { EventEmitter } from "node:events";
import {
  type SocketEvent,
  SocketEvents,
  type SocketEventType,
} from "../monitor.ts";
import type { Socket as CoreSocket } from "../socket.ts";
import { errnoError, type FullError } from "./errors.ts";

/** One socket event, as zeromq.js reports it. */
export interface Event {
  /** The kind of event, such as "bind" or "handshake:error:auth". */
  type: SocketEventType;
  /** The endpoint the event is about (absent for "end" and "unknown"). */
  address?: string;
  /** For "connect:retry": ms until the next attempt. */
  interval?: number;
  /** For "*:error" events: what went wrong. */
  error?: FullError & { status?: number };
}

const TYPES: SocketEventType[] = [
  "connect",
  "connect:delay",
  "connect:retry",
  "bind",
  "bind:error",
  "accept",
  "accept:error",
  "close",
  "close:error",
  "disconnect",
  "end",
  "handshake",
  "handshake:error:other",
  "handshake:error:protocol",
  "handshake:error:auth",
  "unknown",
];

function toEvent(event: SocketEvent): Event {
  const type = event.type;
  if (type === "end" || type === "unknown") return { type };
  const out: Event = { type, address: event.endpoint };
  if (event.interval !== undefined) out.interval = event.interval;
  if (event.error) {
    out.error = errnoError(event.error.code, undefined, event.endpoint);
  } else if (event.protocolError !== undefined) {
    const zap = event.protocolError.startsWith("ZAP");
    const error: FullError = new Error(
      zap ? "ZAP protocol error" : "ZMTP protocol error",
    );
    error.code = `ERR_${event.protocolError}`;
    out.error = error;
  } else if (event.status !== undefined) {
    const error: FullError & { status?: number } = new Error(
      "Authentication failure",
    );
    error.status = event.status;
    out.error = error;
  }
  return out;
}

/**
 * The events of a socket.
 *
 * @example
 * ```ts
 * import { Dealer } from "@deno-zmq/zmq/zeromq";
 * const dealer = new Dealer();
 * dealer.events.on("bind", (event) => console.log("bound to", event.address));
 * await dealer.bind("tcp://127.0.0.1:*");
 * dealer.close();
 * ```
 */
export class Observer {
  readonly #queue: Event[] = [];
  readonly #waiters: ((event: Event | null) => void)[] = [];
  #closed = false;
  #emitter: EventEmitter | undefined;
  readonly #events: SocketEvents;

  /**
   * Starts observing a socket (`socket.events` makes one for you).
   *
   * @example
   * ```ts
   * import { Dealer, Observer } from "@deno-zmq/zmq/zeromq";
   * const dealer = new Dealer();
   * const observer = new Observer(dealer);
   * dealer.close();
   * ```
   */
  constructor(socket: object) {
    // zeromq.js sockets are core sockets (whose `events` type differs).
    const events = this.#events = new SocketEvents(socket as CoreSocket);
    for (const type of TYPES) {
      events.addEventListener(type, (event) => this.#push(toEvent(event)));
    }
  }

  #push(event: Event): void {
    if (event.type === "end") this.#closed = true;
    const waiter = this.#waiters.shift();
    if (waiter) waiter(event);
    else this.#queue.push(event);
    if (this.#closed) {
      for (const w of this.#waiters.splice(0)) w(null);
    }
  }

  /** Whether the observer has ended (its socket was closed). */
  get closed(): boolean {
    return this.#closed && this.#queue.length === 0;
  }

  /** Stops observing. */
  close(): void {
    if (this.#closed) return;
    this.#push({ type: "end" });
    void this.#events;
  }

  /** The next event; rejects with EBADF once the observer has ended. */
  receive(): Promise<Event> {
    if (this.#emitter) {
      throw new Error(
        "Observer is in event emitter mode. After a call to events.on() it " +
          "is not possible to read events with events.receive().",
      );
    }
    return this.#next();
  }

  #next(): Promise<Event> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#closed) return Promise.reject(errnoError("EBADF"));
    return new Promise((resolve, reject) => {
      this.#waiters.push((event) =>
        event ? resolve(event) : reject(errnoError("EBADF"))
      );
    });
  }

  #emitterMode(): EventEmitter {
    if (this.#emitter) return this.#emitter;
    const emitter = this.#emitter = new EventEmitter();
    void (async () => {
      while (!this.closed) {
        try {
          const event = await this.#next();
          emitter.emit(event.type, event);
        } catch {
          return;
        }
      }
    })();
    return emitter;
  }

  /** Calls `listener` for each event of a type (switches to emitter mode). */
  on(type: SocketEventType, listener: (event: Event) => void): this {
    this.#emitterMode().on(type, listener);
    return this;
  }

  /** Stops calling `listener`. */
  off(type: SocketEventType, listener: (event: Event) => void): this {
    this.#emitterMode().off(type, listener);
    return this;
  }

  /** Iterates over events until the observer ends. */
  [Symbol.asyncIterator](): AsyncIterator<Event, undefined> {
    return {
      next: async (): Promise<IteratorResult<Event, undefined>> => {
        if (this.closed) return { done: true, value: undefined };
        try {
          return { value: await this.receive(), done: false };
        } catch (err) {
          if (this.closed) return { done: true, value: undefined };
          throw err;
        }
      },
    };
  }
}
