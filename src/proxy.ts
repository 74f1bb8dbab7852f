/**
 * A steerable proxy between two sockets (`zmq_proxy_steerable`): a broker
 * (ROUTER/DEALER), a forwarder (XSUB/XPUB) or a streamer (PULL/PUSH).
 *
 * @module
 */

import { closedSocketError, ZmqError } from "./errors.ts";
import type { Message } from "./message.ts";
import { Poller } from "./poller.ts";
import { Socket, socketInternals, type SocketOwner } from "./socket.ts";
import { Pair } from "./sockets.ts";

/** Traffic counters of one side of a {@link Proxy}. */
export interface ProxySideStatistics {
  /** Messages received on this socket. */
  messagesReceived: number;
  /** Bytes received on this socket. */
  bytesReceived: number;
  /** Messages sent on this socket. */
  messagesSent: number;
  /** Bytes sent on this socket. */
  bytesSent: number;
}

/** Traffic counters of a {@link Proxy}, from {@link Proxy.statistics}. */
export interface ProxyStatistics {
  /** The frontend socket's counters. */
  frontend: ProxySideStatistics;
  /** The backend socket's counters. */
  backend: ProxySideStatistics;
}

interface Forwarding extends Socket {
  send(message: Message): Promise<void>;
  receive(): Promise<Uint8Array[]>;
}

let proxies = 0;

function canReceive(socket: Socket): socket is Forwarding {
  return typeof (socket as Partial<Forwarding>).receive === "function";
}
function canSend(socket: Socket): socket is Forwarding {
  return typeof (socket as Partial<Forwarding>).send === "function";
}

/**
 * Forwards messages between a frontend and a backend socket (and copies them
 * to an optional capture socket) until terminated. On the FFI backend it runs
 * `zmq_proxy_steerable` off the JS thread, and the sockets belong to the proxy
 * while it runs (their own operations fail with `EBUSY`); on the WASM backend
 * an equivalent loop runs in the event loop.
 *
 * @example A ROUTER/DEALER broker
 * ```ts
 * import { Dealer, Proxy, Router } from "@deno-zmq/zmq";
 *
 * const frontend = new Router(), backend = new Dealer();
 * await frontend.bind("tcp://127.0.0.1:*");
 * await backend.bind("inproc://workers");
 * const proxy = new Proxy(frontend, backend);
 * const done = proxy.run();
 * // ... clients connect to the frontend, workers to the backend ...
 * await proxy.terminate();
 * await done;
 * ```
 */
export class Proxy {
  /** The socket clients talk to. */
  readonly frontend: Socket;
  /** The socket workers or upstream peers talk to. */
  readonly backend: Socket;
  /** Where a copy of every message goes, if anywhere. */
  readonly capture?: Socket;
  #running: Promise<void> | undefined;
  #control: Pair | undefined;
  // The in-loop proxy's controls.
  #interrupt: (() => void) | undefined;
  #terminated = false;
  #paused: { promise: Promise<void>; resume: () => void } | undefined;
  readonly #counters: ProxyStatistics = {
    frontend: {
      messagesReceived: 0,
      bytesReceived: 0,
      messagesSent: 0,
      bytesSent: 0,
    },
    backend: {
      messagesReceived: 0,
      bytesReceived: 0,
      messagesSent: 0,
      bytesSent: 0,
    },
  };

  /**
   * Prepares a proxy; nothing moves until {@link Proxy.run}.
   *
   * @example
   * ```ts
   * import { Proxy, Pull, Push } from "@deno-zmq/zmq";
   * using pull = new Pull(), push = new Push();
   * const streamer = new Proxy(pull, push);
   * ```
   */
  constructor(frontend: Socket, backend: Socket, capture?: Socket) {
    for (
      const [name, socket] of [["frontend", frontend], [
        "backend",
        backend,
      ]] as const
    ) {
      if (!(socket instanceof Socket)) {
        throw new TypeError(`The proxy ${name} must be a socket`);
      }
    }
    if (!canReceive(frontend) && !canReceive(backend)) {
      throw new TypeError(
        "Neither proxy socket can receive: nothing could be forwarded",
      );
    }
    if (
      capture !== undefined &&
      typeof (capture as Partial<Forwarding>).send !== "function"
    ) {
      throw new TypeError("The proxy capture must be a socket that can send");
    }
    this.frontend = frontend;
    this.backend = backend;
    if (capture) this.capture = capture;
  }

  /** Whether {@link Proxy.run} is in progress. */
  get running(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Runs the proxy; resolves once {@link Proxy.terminate} was called (or one
   * of its sockets was closed) and the sockets are handed back.
   */
  run(): Promise<void> {
    if (this.#running) {
      return Promise.reject(
        new ZmqError("EBUSY", 0, "The proxy is already running"),
      );
    }
    const sockets = [
      this.frontend,
      this.backend,
      ...(this.capture ? [this.capture] : []),
    ];
    for (const socket of sockets) {
      const internals = socketInternals(socket);
      if (socket.closed) {
        return Promise.reject(closedSocketError(internals.backend.errnos));
      }
      if (internals.busy()) {
        return Promise.reject(
          new ZmqError(
            "EBUSY",
            0,
            "A proxied socket still has pending sends or receives",
          ),
        );
      }
    }
    const owner: SocketOwner = {
      name: "a running Proxy",
      stop: () => void this.terminate(),
    };
    const native =
      socketInternals(this.frontend).backend.proxySteerable !== undefined;
    this.#running = (async () => {
      for (const socket of sockets) socketInternals(socket).setOwner(owner);
      try {
        await (native ? this.#runNative(owner) : this.#runInLoop(owner));
      } finally {
        for (const socket of sockets) socketInternals(socket).setOwner(null);
      }
    })().finally(() => {
      this.#running = undefined;
      this.#paused?.resume();
      this.#paused = undefined;
    });
    return this.#running;
  }

  async #runNative(owner: SocketOwner): Promise<void> {
    const { backend } = socketInternals(this.frontend);
    const context = this.frontend.context;
    const endpoint = `inproc://deno-zmq.proxy.${++proxies}`;
    const server = new Pair({ context });
    const control = this.#control = new Pair({ context });
    try {
      await server.bind(endpoint);
      control.connect(endpoint);
      // The proxy thread uses the server end: hand it over like the others.
      socketInternals(server).setOwner(owner);
      const rc = await backend.proxySteerable!(
        socketInternals(this.frontend).handle,
        socketInternals(this.backend).handle,
        this.capture ? socketInternals(this.capture).handle : null,
        socketInternals(server).handle,
      );
      socketInternals(server).setOwner(null);
      // A context closed under a running proxy makes it return -1 (ETERM): that is an end, not an error.
      if (rc !== 0 && !context.closed) {
        // errno belongs to the proxy's thread: report what we know.
        throw new ZmqError("EINVAL", 0, `zmq_proxy_steerable failed (${rc})`);
      }
    } finally {
      this.#control = undefined;
      control.close();
      server.close();
    }
  }

  async #runInLoop(owner: SocketOwner): Promise<void> {
    const frontend = this.frontend as Forwarding,
      backend = this.backend as Forwarding;
    const capture = this.capture as Forwarding | undefined;
    // Forward in each direction the socket types allow (a streamer goes one way).
    const poller = new Poller<Socket>();
    if (canReceive(frontend) && canSend(backend)) poller.add(frontend);
    if (canReceive(backend) && canSend(frontend)) poller.add(backend);
    const forward = async (from: Forwarding, to: Forwarding) => {
      const [fromStats, toStats] = from === frontend
        ? [this.#counters.frontend, this.#counters.backend]
        : [this.#counters.backend, this.#counters.frontend];
      const message = await socketInternals(from).receiveAs(owner);
      const bytes = message.reduce((sum, frame) => sum + frame.byteLength, 0);
      fromStats.messagesReceived++;
      fromStats.bytesReceived += bytes;
      if (capture) await socketInternals(capture).sendAs(owner, message);
      await socketInternals(to).sendAs(owner, message);
      toStats.messagesSent++;
      toStats.bytesSent += bytes;
    };
    this.#terminated = false;
    try {
      while (!this.#terminated) {
        if (this.#paused) {
          await this.#paused.promise;
          continue;
        }
        // Pause and terminate interrupt the wait through this signal.
        const wait = new AbortController();
        this.#interrupt = () => wait.abort();
        const ready = await poller.wait(-1, { signal: wait.signal });
        for (const { socket } of ready) {
          if (this.#terminated || this.#paused) break;
          await forward(
            socket as Forwarding,
            socket === frontend ? backend : frontend,
          );
        }
      }
    } catch (err) {
      // A proxied socket was closed: that ends the proxy, as in libzmq.
      if (!(err instanceof ZmqError && err.code === "ENOTSOCK")) throw err;
    } finally {
      this.#interrupt = undefined;
    }
  }

  async #command(
    command: "PAUSE" | "RESUME" | "TERMINATE" | "STATISTICS",
  ): Promise<Uint8Array[] | void> {
    if (!this.#running) {
      throw new ZmqError("EINVAL", 0, "The proxy is not running");
    }
    const control = this.#control;
    if (control) {
      await control.send(command);
      if (command === "STATISTICS") return await control.receive();
      return;
    }
    // The in-loop proxy.
    if (command === "PAUSE" && !this.#paused) {
      let resume!: () => void;
      const promise = new Promise<void>((resolve) => resume = resolve);
      this.#paused = { promise, resume };
      this.#interrupt?.(); // the loop then parks on the pause
    } else if (command === "RESUME" && this.#paused) {
      this.#paused.resume();
      this.#paused = undefined;
    } else if (command === "TERMINATE") {
      this.#terminated = true;
      this.#paused?.resume();
      this.#interrupt?.();
    }
  }

  /**
   * Stops forwarding until {@link Proxy.resume}; messages wait in the queues.
   *
   * @example
   * ```ts
   * import { Dealer, Proxy, Router } from "@deno-zmq/zmq";
   * using frontend = new Router(), backend = new Dealer();
   * const proxy = new Proxy(frontend, backend);
   * const running = proxy.run();
   * await proxy.pause();
   * await proxy.terminate();
   * await running;
   * ```
   */
  async pause(): Promise<void> {
    await this.#command("PAUSE");
  }

  /**
   * Resumes forwarding after {@link Proxy.pause}.
   *
   * @example
   * ```ts
   * import { Dealer, Proxy, Router } from "@deno-zmq/zmq";
   * using frontend = new Router(), backend = new Dealer();
   * const proxy = new Proxy(frontend, backend);
   * const running = proxy.run();
   * await proxy.pause();
   * await proxy.resume();
   * await proxy.terminate();
   * await running;
   * ```
   */
  async resume(): Promise<void> {
    await this.#command("RESUME");
  }

  /**
   * Stops the proxy; resolves when {@link Proxy.run} has returned and the
   * sockets are usable again. Does nothing if the proxy is not running.
   *
   * @example
   * ```ts
   * import { Dealer, Proxy, Router } from "@deno-zmq/zmq";
   * using frontend = new Router(), backend = new Dealer();
   * const proxy = new Proxy(frontend, backend);
   * const running = proxy.run();
   * await proxy.terminate();
   * await running;
   * ```
   */
  async terminate(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    await this.#command("TERMINATE");
    await running;
  }

  /**
   * Messages and bytes received and sent on each side so far.
   *
   * @example
   * ```ts
   * import { Dealer, Proxy, Router } from "@deno-zmq/zmq";
   * using frontend = new Router(), backend = new Dealer();
   * const proxy = new Proxy(frontend, backend);
   * const running = proxy.run();
   * const { frontend: received } = await proxy.statistics();
   * console.log(received.messagesReceived); // 0
   * await proxy.terminate();
   * await running;
   * ```
   */
  async statistics(): Promise<ProxyStatistics> {
    const frames = await this.#command("STATISTICS");
    if (!frames) return structuredClone(this.#counters);
    const n = (i: number) =>
      Number(
        new DataView(frames[i].buffer, frames[i].byteOffset, 8).getBigUint64(
          0,
          true,
        ),
      );
    return {
      frontend: {
        messagesReceived: n(0),
        bytesReceived: n(1),
        messagesSent: n(2),
        bytesSent: n(3),
      },
      backend: {
        messagesReceived: n(4),
        bytesReceived: n(5),
        messagesSent: n(6),
        bytesSent: n(7),
      },
    };
  }
}
