/**
 * zeromq.js's v5 API (`deno-zmq/zeromq/v5-compat`), for code written against
 * the callback and EventEmitter style of zeromq 5: `zmq.socket("push")`,
 * `on("message", ...)`, `send(msg, flags, callback)`, `bind(addr, cb)`,
 * `getsockopt`/`setsockopt` with the ZMQ_* constants, `monitor()` events and
 * `zmq.proxy()`. Built on the v6 layer (`deno-zmq/zeromq`).
 *
 * @example
 * ```ts
 * import * as zmq from "@deno-zmq/zmq/zeromq/v5-compat";
 *
 * const pull = zmq.socket("pull");
 * pull.on("message", (msg) => {
 *   console.log(msg.toString()); // "hello"
 *   pull.close();
 *   push.close();
 * });
 * pull.bindSync("tcp://127.0.0.1:*");
 * const push = zmq.socket("push");
 * push.connect(pull.last_endpoint);
 * push.send("hello");
 * ```
 *
 * @module
 */

import { EventEmitter } from "node:events";
import * as v6 from "./mod.ts";
import * as C from "./v5_constants.ts";
import { shortOptions } from "./v5_constants.ts";
import { SocketType } from "../sockets.ts";
import { warn } from "./errors.ts";
import type { Message } from "./frames.ts";

/** Socket types by their v5 names (`zmq.socket("push")`). */
const SOCKET_TYPES: Record<SocketTypeName, number> = {
  pair: SocketType.Pair,
  pub: SocketType.Publisher,
  sub: SocketType.Subscriber,
  req: SocketType.Request,
  rep: SocketType.Reply,
  dealer: SocketType.Dealer,
  xreq: SocketType.Dealer,
  router: SocketType.Router,
  xrep: SocketType.Router,
  pull: SocketType.Pull,
  push: SocketType.Push,
  xpub: SocketType.XPublisher,
  xsub: SocketType.XSubscriber,
  stream: SocketType.Stream,
};

/** A v5 socket type name. */
export type SocketTypeName =
  | "pair"
  | "pub"
  | "sub"
  | "req"
  | "rep"
  | "dealer"
  | "xreq"
  | "router"
  | "xrep"
  | "pull"
  | "push"
  | "xpub"
  | "xsub"
  | "stream";

/** A v5 callback: called with an error, or with nothing on success. */
export type Callback = (err?: Error) => void;

const CLASSES: Record<number, new () => v6.Socket> = {
  [C.ZMQ_PAIR]: v6.Pair,
  [C.ZMQ_PUB]: v6.Publisher,
  [C.ZMQ_SUB]: v6.Subscriber,
  [C.ZMQ_REQ]: v6.Request,
  [C.ZMQ_REP]: v6.Reply,
  [C.ZMQ_DEALER]: v6.Dealer,
  [C.ZMQ_ROUTER]: v6.Router,
  [C.ZMQ_PULL]: v6.Pull,
  [C.ZMQ_PUSH]: v6.Push,
  [C.ZMQ_XPUB]: v6.XPublisher,
  [C.ZMQ_XSUB]: v6.XSubscriber,
  [C.ZMQ_STREAM]: v6.Stream,
};
const SEND_ONLY = new Set<string>(["push", "pub"]);
const RECEIVE_ONLY = new Set<string>(["pull", "sub"]);

type Sock = v6.Socket & Record<string, unknown>;
/** How a v5 option number reads and writes on the v6 socket. */
interface OptionMapping {
  get?(s: Sock): unknown;
  set?(s: Sock, value: unknown): void;
}
const prop = (name: string): OptionMapping => ({
  get: (s) => s[name],
  set: (s, v) => void (s[name] = v),
});
// Flags: v5 reads them as 0/1 and accepts any truthy value.
const flag = (name: string): OptionMapping => ({
  get: (s) => (s[name] ? 1 : 0),
  set: (s, v) => void (s[name] = Boolean(v)),
});
const unsupported = (name: string): OptionMapping => {
  const fail = () => {
    throw new Error(`${name} is not supported in compatibility mode`);
  };
  return { get: fail, set: fail };
};
const MECHANISMS: Record<string, number> = { plain: 1, curve: 2, gssapi: 3 };

const OPTIONS: Record<number, OptionMapping> = {
  [C.ZMQ_AFFINITY]: prop("affinity"),
  [C.ZMQ_IDENTITY]: prop("routingId"),
  [C.ZMQ_SUBSCRIBE]: {
    set: (s, v) => (s as unknown as v6.Subscriber).subscribe(v as string),
  },
  [C.ZMQ_UNSUBSCRIBE]: {
    set: (s, v) => (s as unknown as v6.Subscriber).unsubscribe(v as string),
  },
  [C.ZMQ_RATE]: prop("rate"),
  [C.ZMQ_RECOVERY_IVL]: prop("recoveryInterval"),
  [C.ZMQ_SNDBUF]: prop("sendBufferSize"),
  [C.ZMQ_RCVBUF]: prop("receiveBufferSize"),
  [C.ZMQ_RCVMORE]: unsupported("ZMQ_RCVMORE"),
  [C.ZMQ_FD]: unsupported("ZMQ_FD"),
  [C.ZMQ_EVENTS]: {
    get: (s) =>
      (s.readable ? C.ZMQ_POLLIN : 0) | (s.writable ? C.ZMQ_POLLOUT : 0),
  },
  [C.ZMQ_TYPE]: { get: (s) => s.type },
  [C.ZMQ_LINGER]: prop("linger"),
  [C.ZMQ_RECONNECT_IVL]: prop("reconnectInterval"),
  [C.ZMQ_BACKLOG]: prop("backlog"),
  [C.ZMQ_RECONNECT_IVL_MAX]: prop("reconnectMaxInterval"),
  [C.ZMQ_MAXMSGSIZE]: prop("maxMessageSize"),
  [C.ZMQ_SNDHWM]: prop("sendHighWaterMark"),
  [C.ZMQ_RCVHWM]: prop("receiveHighWaterMark"),
  [C.ZMQ_MULTICAST_HOPS]: prop("multicastHops"),
  [C.ZMQ_RCVTIMEO]: prop("receiveTimeout"),
  [C.ZMQ_SNDTIMEO]: prop("sendTimeout"),
  [C.ZMQ_IPV4ONLY]: {
    get: (s) => (s.ipv6 ? 0 : 1),
    set: (s, v) => void (s.ipv6 = !v),
  },
  [C.ZMQ_LAST_ENDPOINT]: { get: (s) => s.lastEndpoint },
  [C.ZMQ_ROUTER_MANDATORY]: flag("mandatory"),
  [C.ZMQ_TCP_KEEPALIVE]: prop("tcpKeepalive"),
  [C.ZMQ_TCP_KEEPALIVE_CNT]: prop("tcpKeepaliveCount"),
  [C.ZMQ_TCP_KEEPALIVE_IDLE]: prop("tcpKeepaliveIdle"),
  [C.ZMQ_TCP_KEEPALIVE_INTVL]: prop("tcpKeepaliveInterval"),
  [C.ZMQ_TCP_ACCEPT_FILTER]: { set: prop("tcpAcceptFilter").set },
  [C.ZMQ_DELAY_ATTACH_ON_CONNECT]: flag("immediate"),
  [C.ZMQ_XPUB_VERBOSE]: {
    get: () => {
      throw new Error("Reading ZMQ_XPUB_VERBOSE is not supported");
    },
    set: (s, v) => void (s.verbosity = v ? "allSubs" : null),
  },
  [C.ZMQ_ROUTER_RAW]: unsupported("ZMQ_ROUTER_RAW"),
  [C.ZMQ_IPV6]: flag("ipv6"),
  [C.ZMQ_MECHANISM]: {
    get: (s) => MECHANISMS[s.securityMechanism as string] ?? 0,
  },
  [C.ZMQ_PLAIN_SERVER]: flag("plainServer"),
  [C.ZMQ_PLAIN_USERNAME]: prop("plainUsername"),
  [C.ZMQ_PLAIN_PASSWORD]: prop("plainPassword"),
  [C.ZMQ_CURVE_SERVER]: flag("curveServer"),
  [C.ZMQ_CURVE_PUBLICKEY]: prop("curvePublicKey"),
  [C.ZMQ_CURVE_SECRETKEY]: prop("curveSecretKey"),
  [C.ZMQ_CURVE_SERVERKEY]: prop("curveServerKey"),
  [C.ZMQ_ZAP_DOMAIN]: prop("zapDomain"),
  [C.ZMQ_HEARTBEAT_IVL]: prop("heartbeatInterval"),
  [C.ZMQ_HEARTBEAT_TTL]: prop("heartbeatTimeToLive"),
  [C.ZMQ_HEARTBEAT_TIMEOUT]: prop("heartbeatTimeout"),
  [C.ZMQ_CONNECT_TIMEOUT]: prop("connectTimeout"),
  [C.ZMQ_ROUTER_HANDOVER]: flag("handover"),
};

// v5 event names of the v6 events (v6 "end" ends the monitor).
const MONITOR_EVENTS: Record<string, string> = {
  "connect": "connect",
  "connect:delay": "connect_delay",
  "connect:retry": "connect_retry",
  "bind": "listen",
  "bind:error": "bind_error",
  "accept": "accept",
  "accept:error": "accept_error",
  "close": "close",
  "close:error": "close_error",
  "disconnect": "disconnect",
};

function optionNumber(option: number | string): number {
  const id = typeof option === "number"
    ? option
    : shortOptions[option as keyof typeof shortOptions];
  if (id === undefined) throw new Error("Unknown option");
  return id;
}

/**
 * A v5 socket: an EventEmitter that emits "message" with the frames of each
 * message received, and sends with callbacks.
 *
 * @example
 * ```ts
 * import { Socket } from "@deno-zmq/zmq/zeromq/v5-compat";
 * const push = new Socket("push");
 * push.close();
 * ```
 */
export class Socket extends EventEmitter {
  /** The v5 type name, such as "push". */
  readonly type: SocketTypeName;
  readonly #socket: v6.Socket;
  #parts: unknown[] = [];
  #paused = false;
  #resumed: (() => void) | undefined;
  readonly #held: [unknown[], Callback | undefined][] = [];
  readonly #received: Message[][] = [];
  // REQ and REP alternate sends and receives (libzmq says EFSM otherwise,
  // at once: the core does not wait): whose turn it is. Sends made out of
  // turn wait in #held, as zeromq.js's wait for the socket to be writable.
  #mayReceive: boolean;
  #maySend: boolean;
  #wakeReceiver: (() => void) | undefined;

  /**
   * Creates a socket of a v5 type name (`zmq.socket()` does this).
   *
   * @example
   * ```ts
   * import { Socket } from "@deno-zmq/zmq/zeromq/v5-compat";
   * const sub = new Socket("sub");
   * sub.close();
   * ```
   */
  constructor(type: SocketTypeName | number) {
    super();
    const name = typeof type === "number"
      ? (Object.keys(SOCKET_TYPES) as SocketTypeName[]).find((k) =>
        SOCKET_TYPES[k] === type
      )
      : type;
    if (!name || !(name in SOCKET_TYPES)) {
      throw new Error(`Invalid socket type: ${type}`);
    }
    this.type = name;
    this.#socket = new CLASSES[SOCKET_TYPES[name]]();
    this.#mayReceive = name !== "req";
    this.#maySend = name !== "rep";
    if (!SEND_ONLY.has(name)) void this.#receiveLoop();
  }

  async #receiveLoop(): Promise<void> {
    const socket = this.#socket;
    while (!socket.closed) {
      if (this.#paused) {
        await new Promise<void>((resolve) => this.#resumed = resolve);
        continue;
      }
      if (!this.#mayReceive) {
        await new Promise<void>((resolve) => this.#wakeReceiver = resolve);
        continue;
      }
      let message: Message[];
      try {
        message = await socket.receive();
      } catch (err) {
        if (!socket.closed) this.#emitSoon("error", err);
        continue;
      }
      if (this.#alternates) {
        this.#mayReceive = false;
        this.#maySend = true;
        this.#flushHeld();
      }
      if (this.#paused) this.#received.push(message);
      else this.#emitSoon("message", ...message);
    }
  }

  get #alternates(): boolean {
    return this.type === "req" || this.type === "rep";
  }

  #emitSoon(event: string, ...args: unknown[]): void {
    queueMicrotask(() => this.emit(event, ...args));
  }

  #settle(
    promise: Promise<void>,
    cb: Callback | undefined,
    event?: string,
    arg?: string,
  ) {
    promise.then(
      () => {
        if (event) this.emit(event, arg);
        cb?.();
      },
      (err) => (cb ? cb(err) : this.emit("error", err)),
    );
  }

  /** Binds; calls `cb` (or emits "bind" / "error") when done. */
  bind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.bind(address), cb, "bind", address);
    return this;
  }

  /** Unbinds; calls `cb` (or emits "unbind" / "error") when done. */
  unbind(address: string, cb?: Callback): this {
    this.#settle(this.#socket.unbind(address), cb, "unbind", address);
    return this;
  }

  /** Binds synchronously. */
  bindSync(address: string): this {
    this.#socket.bindSync(address);
    return this;
  }

  /** Unbinds synchronously. */
  unbindSync(address: string): this {
    this.#socket.unbindSync(address);
    return this;
  }

  /** Connects. */
  connect(address: string): this {
    this.#socket.connect(address);
    return this;
  }

  /** Disconnects. */
  disconnect(address: string): this {
    this.#socket.disconnect(address);
    return this;
  }

  /**
   * Sends a message (or a part of one, with ZMQ_SNDMORE); `cb` is called
   * once libzmq took it, or with the error.
   */
  send(message: unknown, flags?: number | null, cb?: Callback): this {
    if (RECEIVE_ONLY.has(this.type)) {
      throw new Error("Cannot send on this socket type.");
    }
    this.#parts = this.#parts.concat(message);
    if (((flags ?? 0) & C.ZMQ_SNDMORE) !== 0) return this;
    const parts = this.#parts;
    this.#parts = [];
    this.#held.push([parts, cb]);
    this.#flushHeld();
    return this;
  }

  /** Sends what was held, as far as pausing and REQ/REP turns allow. */
  #flushHeld(): void {
    while (this.#held.length > 0 && !this.#paused && this.#maySend) {
      const [parts, cb] = this.#held.shift()!;
      this.#send(parts, cb);
    }
  }

  #send(parts: unknown[], cb: Callback | undefined): void {
    const sent = this.#socket.send(parts);
    if (this.#alternates) {
      this.#maySend = false;
      sent.then(() => {
        this.#mayReceive = true;
        this.#wakeReceiver?.();
      }, () => {
        // Not sent: libzmq's state did not change, the turn is still ours.
        this.#maySend = true;
        this.#flushHeld();
      });
    }
    this.#settle(sent, cb);
  }

  /** Removed in v5's successors: use on("message"). */
  read(): never {
    throw new Error(
      "read() has been removed from compatibility mode; use on('message', ...) instead.",
    );
  }

  /** Holds incoming messages and outgoing sends until {@link Socket.resume}. */
  pause(): void {
    this.#paused = true;
  }

  /** Delivers what was held and carries on. */
  resume(): void {
    this.#paused = false;
    for (const message of this.#received.splice(0)) {
      this.#emitSoon("message", ...message);
    }
    this.#flushHeld();
    this.#resumed?.();
  }

  /** Closes the socket. */
  close(): this {
    this.#socket.close();
    this.#wakeReceiver?.();
    this.#resumed?.();
    return this;
  }

  /** Whether the socket was closed. */
  get closed(): boolean {
    return this.#socket.closed;
  }

  /**
   * Emits the socket's events ("connect", "listen", "accept", "disconnect",
   * "close", "*_error", ...) with (value, address, error).
   */
  monitor(interval?: number, num?: number): this {
    if (interval || num) {
      warn(
        "Arguments to monitor() are ignored in compatibility mode; all events are read automatically",
      );
    }
    void (async () => {
      const events = this.#socket.events;
      for await (const event of events) {
        const type = MONITOR_EVENTS[event.type];
        if (!type) continue;
        const value = event.type === "connect:retry"
          ? event.interval
          : event.error?.errno ?? (type.endsWith("_error") ? 0 : undefined);
        this.emit(type, value, event.address, event.error);
      }
    })().catch((err) => {
      if (!this.#socket.closed) this.emit("error", err);
    });
    return this;
  }

  /** Stops the events of {@link Socket.monitor}. */
  unmonitor(): this {
    this.#socket.events.close();
    return this;
  }

  /** SUB: subscribes to a prefix. */
  subscribe(filter: string | Uint8Array): this {
    if (!(this.#socket instanceof v6.Subscriber)) {
      throw new Error("Subscriber socket required");
    }
    this.#socket.subscribe(filter);
    return this;
  }

  /** SUB: unsubscribes from a prefix. */
  unsubscribe(filter: string | Uint8Array): this {
    if (!(this.#socket instanceof v6.Subscriber)) {
      throw new Error("Subscriber socket required");
    }
    this.#socket.unsubscribe(filter);
    return this;
  }

  /** Sets an option by ZMQ_* number or short name. */
  setsockopt(option: number | string, value: unknown): this {
    const mapping = OPTIONS[optionNumber(option)];
    if (!mapping?.set) throw new Error("Unknown option");
    mapping.set(this.#socket as Sock, value);
    return this;
  }

  /** Reads an option by ZMQ_* number or short name. */
  getsockopt(option: number | string): unknown {
    const mapping = OPTIONS[optionNumber(option)];
    if (!mapping?.get) throw new Error("Unknown option");
    return mapping.get(this.#socket as Sock);
  }
}

// socket.identity, socket.backlog, ...: the short options as properties.
const encoder = new TextEncoder();
for (const [name, id] of Object.entries(shortOptions)) {
  Object.defineProperty(Socket.prototype, name, {
    configurable: true,
    get(this: Socket) {
      return this.getsockopt(id);
    },
    set(this: Socket, value: unknown) {
      this.setsockopt(
        id,
        typeof value === "string" ? encoder.encode(value) : value,
      );
    },
  });
}

/** The short options as properties of a v5 socket. */
export interface Socket {
  /** ZMQ_IDENTITY. */
  identity: string | Uint8Array | null;
  /** ZMQ_LAST_ENDPOINT. */
  readonly last_endpoint: string;
  /** Any other short option (see {@link options}). */
  [option: string]: unknown;
}

/**
 * Creates a socket, setting options by short name.
 *
 * @example
 * ```ts
 * import { socket } from "@deno-zmq/zmq/zeromq/v5-compat";
 * const dealer = socket("dealer", { identity: "me" });
 * dealer.close();
 * ```
 */
export function createSocket(
  type: SocketTypeName | number,
  options: Record<string, unknown> = {},
): Socket {
  const sock = new Socket(type);
  for (const [key, value] of Object.entries(options)) {
    (sock as unknown as Record<string, unknown>)[key] = value;
  }
  return sock;
}
export { createSocket as socket, shortOptions as options };

/**
 * v5's Context: static settings of the global context; not constructible.
 *
 * @example
 * ```ts
 * import { Context } from "@deno-zmq/zmq/zeromq/v5-compat";
 * Context.setMaxSockets(256);
 * ```
 */
export class Context {
  /** Sets ZMQ_IO_THREADS. */
  static setMaxThreads(value: number): void {
    v6.context.ioThreads = value;
  }
  /** Reads ZMQ_IO_THREADS. */
  static getMaxThreads(): number {
    return v6.context.ioThreads;
  }
  /** Sets ZMQ_MAX_SOCKETS. */
  static setMaxSockets(value: number): void {
    v6.context.maxSockets = value;
  }
  /** Reads ZMQ_MAX_SOCKETS. */
  static getMaxSockets(): number {
    return v6.context.maxSockets;
  }
  /** Throws: v5 code uses the global context. */
  constructor() {
    throw new Error("Context cannot be instantiated in compatibility mode");
  }
}

/**
 * Forwards messages between two sockets (and copies them to `capture`),
 * for the pairs v5 supported: push/pull, pull/push, xpub/xsub, router/dealer.
 *
 * @example
 * ```ts
 * import { proxy, socket } from "@deno-zmq/zmq/zeromq/v5-compat";
 * const frontend = socket("router"), backend = socket("dealer");
 * proxy(frontend, backend);
 * frontend.close();
 * backend.close();
 * ```
 */
export function proxy(
  frontend: Socket,
  backend: Socket,
  capture?: Socket,
): void {
  const pair = `${frontend.type}/${backend.type}`;
  // router/dealer: the capture gets the messages without their envelope.
  const envelope = pair === "router/dealer" || pair === "xrep/xreq" ? 2 : 0;
  if (
    !["push/pull", "pull/push", "xpub/xsub", "router/dealer", "xrep/xreq"]
      .includes(pair)
  ) {
    throw new Error(
      "This socket type order is not supported in compatibility mode",
    );
  }
  frontend.on("message", (...frames: Message[]) => backend.send(frames));
  backend.on("message", (...frames: Message[]) => {
    frontend.send(frames);
    capture?.send(frames.slice(envelope));
  });
}

/**
 * A new CURVE key pair, as v5 named its fields.
 *
 * @example
 * ```ts
 * import { curveKeypair } from "@deno-zmq/zmq/zeromq/v5-compat";
 * const { public: publicKey, secret } = curveKeypair();
 * ```
 */
export function curveKeypair(): { public: string; secret: string } {
  const { publicKey, secretKey } = v6.curveKeyPair();
  return { public: publicKey, secret: secretKey };
}

/** The libzmq version, as "major.minor.patch". */
export const version: string = v6.version;

export * from "./v5_constants.ts";
