/**
 * zeromq.js's `Proxy`: the core's steerable proxy with zeromq.js's names
 * (`frontEnd`, `backEnd`), checks and synchronous controls.
 *
 * @module
 */

import { Proxy as CoreProxy } from "../proxy.ts";
import { checkArgumentCount, errnoError, toFullError } from "./errors.ts";
import type { Socket as CoreSocket } from "../socket.ts";
import { Socket } from "./socket.ts";

/**
 * Forwards messages between two sockets until terminated.
 *
 * @example
 * ```ts
 * import { Dealer, Proxy, Router } from "@deno-zmq/zmq/zeromq";
 * const proxy = new Proxy(new Router(), new Dealer());
 * await proxy.frontEnd.bind("tcp://127.0.0.1:*");
 * await proxy.backEnd.bind("tcp://127.0.0.1:*");
 * setTimeout(() => proxy.terminate(), 10);
 * await proxy.run();
 * proxy.frontEnd.close();
 * proxy.backEnd.close();
 * ```
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  /** The socket clients talk to. */
  readonly frontEnd: F;
  /** The socket workers talk to. */
  readonly backEnd: B;
  #core: CoreProxy | undefined;

  /**
   * Prepares a proxy between two sockets.
   *
   * @example
   * ```ts
   * import { Proxy, Pull, Push } from "@deno-zmq/zmq/zeromq";
   * const proxy = new Proxy(new Pull(), new Push());
   * proxy.frontEnd.close();
   * proxy.backEnd.close();
   * ```
   */
  constructor(frontEnd: F, backEnd: B) {
    checkArgumentCount(arguments.length, 2);
    if (typeof frontEnd !== "object" || frontEnd === null) {
      throw new TypeError("Front-end must be a socket object");
    }
    if (typeof backEnd !== "object" || backEnd === null) {
      throw new TypeError("Back-end must be a socket object");
    }
    if (!(frontEnd instanceof Socket) || !(backEnd instanceof Socket)) {
      throw errnoError("EINVAL");
    }
    this.frontEnd = frontEnd;
    this.backEnd = backEnd;
    Object.seal(this);
  }

  /** Runs until {@link Proxy.terminate}. */
  async run(): Promise<void> {
    for (
      const [side, socket] of [["Front", this.frontEnd], [
        "Back",
        this.backEnd,
      ]] as const
    ) {
      if (socket.closed || socket.endpointCount === 0) {
        throw errnoError(
          "EINVAL",
          `${side}-end socket must be bound or connected`,
        );
      }
    }
    const core = this.#core = new CoreProxy(
      this.frontEnd as unknown as CoreSocket,
      this.backEnd as unknown as CoreSocket,
    );
    try {
      await core.run();
    } catch (err) {
      throw toFullError(err);
    }
  }

  #running(): CoreProxy {
    if (!this.#core?.running) throw errnoError("EBADF");
    return this.#core;
  }

  /** Stops forwarding until {@link Proxy.resume}. */
  pause(): void {
    void this.#running().pause();
  }

  /** Resumes forwarding. */
  resume(): void {
    void this.#running().resume();
  }

  /** Ends {@link Proxy.run}. */
  terminate(): void {
    void this.#running().terminate();
  }
}
