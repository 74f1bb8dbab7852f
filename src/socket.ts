/**
 * The public socket class every socket type extends: construction and
 * adoption, who may use it (closed, owned by a proxy), options, and closing.
 * It holds one of each concern: the engine (`socket_engine.ts`: queues,
 * timeouts, the service loop, parking), the endpoints (`endpoints.ts`: bind,
 * connect and the inproc rules) and the lifetime record
 * (`socket_lifetime.ts`: one wrapper, closed once, the GC safety net).
 *
 * @module
 */

import type { Backend, Handle, PreparedBind } from "./backend.ts";
import { ZMQ_POLLIN as POLLIN, ZMQ_POLLOUT as POLLOUT } from "./libzmq.ts";
import { Context, type ContextInternals, internals } from "./context.ts";
import { closedSocketError, ZmqError } from "./errors.ts";
import { zmqError } from "./last_error.ts";
import type { Frame, Message } from "./message.ts";
import {
  decodeOption,
  defineOptions,
  encodeOption,
  noteWritten,
  optionGet,
  optionSet,
  readBufferSize,
  writtenValue,
} from "./option_access.ts";
import {
  type OptionInit,
  type OptionProperties,
  type OptionSpec,
  socketOptions,
} from "./options.ts";
import { type EndpointCall, Endpoints } from "./endpoints.ts";
import {
  release,
  releaser,
  type SocketRecord,
  track,
} from "./socket_lifetime.ts";
import {
  isDraftType,
  type SocketTypeKey,
  socketTypeNumber,
  typeName,
} from "./socket_types.ts";
import { SocketEvents } from "./monitor.ts";
import { type DraftTarget, SocketEngine } from "./socket_engine.ts";

/** Options every socket constructor accepts. */
export interface SocketOptions extends OptionInit<typeof socketOptions> {
  /** The context to create the socket in (default: {@link Context.default}). */
  context?: Context;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** A context's maxMessageSize when none was set (INT_MAX). */
const NO_LIMIT = 2 ** 31 - 1;
export { type DraftTarget, messageMetadata } from "./socket_engine.ts";
const internalsKey: unique symbol = Symbol("socketInternals");

/**
 * Base class of every socket type. It is not constructed directly: use
 * {@link Push}, {@link Pull}, {@link Request}, ... which expose only the
 * operations libzmq allows for their type.
 *
 * @example Options as properties
 * ```ts
 * import { Push } from "@deno-zmq/zmq";
 *
 * using push = new Push({ sendHighWaterMark: 1000, linger: 0 });
 * push.sendTimeout = 500;
 * console.log(push.sendHighWaterMark, push.sendTimeout); // 1000 500
 * ```
 */
export class Socket {
  /** The context this socket belongs to. */
  readonly context: Context;
  readonly #ctx: ContextInternals;
  readonly #b: Backend;
  readonly #h: Handle;
  readonly #type: number;
  // Queues, timeouts, the service loop and parking (see socket_engine.ts).
  readonly #engine: SocketEngine;
  // Set while another component (a running Proxy) owns the socket.
  #owner: SocketOwner | null = null;
  #closeWhenReleased = false;
  #internals: SocketInternals | undefined;
  // Run just before the libzmq socket is closed (e.g. to stop its monitor).
  readonly #closeHooks: (() => void)[] = [];
  // What closes the libzmq socket once (see socket_lifetime.ts).
  readonly #record: SocketRecord;
  // bind/connect/... and the inproc rules (see endpoints.ts).
  readonly #endpoints: Endpoints;

  /**
   * Creates a libzmq socket of a type; subclasses pass their type.
   *
   * @example
   * ```ts
   * import { Pair } from "@deno-zmq/zmq";
   * using pair = new Pair({ linger: 0 });
   * ```
   */
  protected constructor(type: number, options: SocketOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Socket options must be an object");
    }
    const context = options.context ?? Context.default;
    if (!(context instanceof Context)) {
      throw new TypeError("The context option must be a Context");
    }
    this.context = context;
    this.#ctx = internals(context);
    this.#b = this.#ctx.backend;
    this.#type = type;
    if (context.closed) {
      throw new ZmqError("ETERM", this.#b.errnos.ETERM, "Context was closed");
    }
    const adopting = (options as AdoptingOptions)[adoptKey];
    const adopted = adopting !== undefined;
    const handle = adopted
      ? adopting
      : this.#b.socketNew(this.#ctx.handle, type);
    if (handle === null) {
      const cause = zmqError(this.#b);
      if (cause.code !== "EMFILE") throw cause;
      // libzmq says "Too many open files", which sends people looking at ulimit.
      throw new ZmqError(
        "EMFILE",
        cause.errno,
        `The context reached its limit of ${context.maxSockets} sockets (maxSockets); ` +
          "closed sockets are released asynchronously, shortly after close()",
        { option: "maxSockets", cause },
      );
    }
    this.#h = handle;
    const record = this.#record = track(
      this,
      this.#b,
      handle,
      `${typeName(type)} socket`,
    );
    // The context closes a collected socket whose finalizer has not run yet.
    // (A closure made here would keep `this` alive: see releaser.)
    record.unregister = this.#ctx.adopt(this, releaser(record));
    this.#endpoints = this.#newEndpoints();
    this.#engine = this.#newEngine();
    try {
      // The queues above libzmq apply the timeouts: start from libzmq's values
      // (an adopted socket may have had them set by its creator).
      if (adopted) this.#readTimeouts();
      // libzmq 4.3.4 stores a context's maxMessageSize but never applies it:
      // it is the default of the context's new sockets here.
      const limit = adopted ? NO_LIMIT : context.maxMessageSize;
      if (limit !== NO_LIMIT && !("maxMessageSize" in options)) {
        this.#setInitial("maxMessageSize", limit);
      }
      for (const [name, value] of Object.entries(options)) {
        if (name !== "context") this.#setInitial(name, value);
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Copies SNDTIMEO and RCVTIMEO from libzmq, which owns them. */
  #readTimeouts(): void {
    this.#engine.sendTimeout = this[optionGet](
      "sendTimeout",
      socketOptions.sendTimeout,
    ) as number;
    this.#engine.receiveTimeout = this[optionGet](
      "receiveTimeout",
      socketOptions.receiveTimeout,
    ) as number;
  }

  #setInitial(name: string, value: unknown): void {
    let proto: object | null = Object.getPrototypeOf(this);
    while (proto && proto !== Object.prototype) {
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (desc) {
        if (!desc.get) break; // a method, not an option
        if (!desc.set) throw new TypeError(`Option "${name}" is read-only`);
        desc.set.call(this, value);
        return;
      }
      proto = Object.getPrototypeOf(proto);
    }
    throw new TypeError(
      `Unknown option "${name}" for ${this.constructor.name}`,
    );
  }

  #monitor: SocketEvents | undefined;
  /**
   * The socket's events (connections, binds, handshakes, ...): an EventTarget
   * and an async iterable, created on first access (see `SocketEvents`).
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * pull.events.addEventListener("bind", (event) => console.log(event.endpoint));
   * await pull.bind("tcp://127.0.0.1:*");
   * ```
   */
  get events(): SocketEvents {
    return this.#monitor ??= new SocketEvents(this);
  }

  /** Whether the socket was closed. */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /** Whether a message can be received right now without waiting (ZMQ_EVENTS). */
  get readable(): boolean {
    return (this.#events() & POLLIN) !== 0;
  }

  /** Whether a message can be sent right now without waiting (ZMQ_EVENTS). */
  get writable(): boolean {
    return (this.#events() & POLLOUT) !== 0;
  }

  #events(): number {
    this.#assertOpen();
    const events = this.#b.events(this.#h);
    if (events < 0) throw zmqError(this.#b, { option: "events" });
    return events;
  }

  /** Throws unless the socket is open and `caller` may use it (its owner, or anyone when unowned). */
  #assertOpen(caller: SocketOwner | null = null): void {
    if (this.#engine.closed) throw closedSocketError(this.#b.errnos);
    if (this.#owner !== caller) throw this.#ownedError();
  }

  #ownedError(): ZmqError {
    return new ZmqError("EBUSY", 0, `Socket is in use by ${this.#owner?.name}`);
  }

  /**
   * The libzmq socket handle (a `Deno.PointerObject` on the FFI backend), for
   * passing to other libzmq code. Do not close it yourself.
   *
   * @example
   * ```ts
   * import { Pair } from "@deno-zmq/zmq";
   * using pair = new Pair();
   * console.log(pair.handle !== null); // true
   * ```
   */
  get handle(): unknown {
    return this.#h;
  }

  /**
   * Wraps a libzmq socket created elsewhere (another library, your own FFI
   * code) as a typed socket of this library; the socket type is read from
   * libzmq when not given. Closing the wrapper closes the handle.
   *
   * @example
   * ```ts
   * import { Context, Socket } from "@deno-zmq/zmq";
   * // A PULL socket made by other native code, in the same libzmq context.
   * const context = new Context();
   * const lib = Deno.dlopen("libzmq.so.5", {
   *   zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
   * });
   * const raw = lib.symbols.zmq_socket(Deno.UnsafePointer.create(context.address), 7);
   * using adopted = Socket.fromHandle(raw, undefined, { context }); // a Pull
   * ```
   */
  static fromHandle(
    handle: unknown,
    type?: number,
    options: SocketOptions = {},
  ): Socket {
    if (handle === null || handle === undefined) {
      throw new TypeError("fromHandle expects a libzmq socket handle");
    }
    const context = options.context ?? Context.default;
    const b = internals(context).backend;
    let socketType = type;
    if (socketType === undefined) {
      const into = new Uint8Array(4);
      if (b.getOption(handle, socketOptions.type.id, into) < 0) {
        throw zmqError(b, { option: "type" });
      }
      socketType = new DataView(into.buffer).getInt32(0, true);
    }
    const cls = socketClassOf(socketType);
    if (!cls) {
      throw new TypeError(
        `Unknown socket type ${socketType}` +
          (isDraftType(socketType)
            ? ` (${
              typeName(socketType)
            }: import the draft entry to adopt draft sockets)`
            : ""),
      );
    }
    const adopting: AdoptingOptions = { ...options, [adoptKey]: handle };
    return new cls(adopting);
  }

  /**
   * Binds to an endpoint such as `tcp://127.0.0.1:5555`, `ipc:///tmp/sock`
   * or `inproc://name`. A tcp port of `*` or `0` picks a free port; read it
   * back from {@link Socket.lastEndpoint}.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * await pull.bind("tcp://127.0.0.1:*");
   * console.log(pull.lastEndpoint); // e.g. "tcp://127.0.0.1:43261"
   * ```
   */
  bind(endpoint: string): Promise<void> {
    try {
      const prepared = typeof endpoint === "string" && !this.#engine.closed
        ? this.#b.prepareBind?.(this.#h, endpoint)
        : undefined;
      if (!prepared) {
        this.bindSync(endpoint);
        return RESOLVED;
      }
      return prepared.then((bind) => this.#bindPrepared(bind));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * {@link Socket.bind}, throwing instead of rejecting: libzmq binds
   * synchronously, so the binding is in place when this returns. On the
   * WASM backend under Node, tcp:// needs `await bind()` (node:net listens
   * on tcp asynchronously; ipc:// works); a hostname needs it under Bun.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * pull.bindSync("tcp://127.0.0.1:*");
   * console.log(pull.lastEndpoint);
   * ```
   */
  bindSync(endpoint: string): void {
    const prepared = typeof endpoint === "string" && !this.#engine.closed
      ? this.#b.prepareBindSync?.(this.#h, endpoint)
      : undefined;
    if (prepared) this.#bindPrepared(prepared);
    else this.#endpointCall("bind", endpoint);
  }

  #bindPrepared(bind: PreparedBind): void {
    try {
      this.#endpointCall("bind", bind.endpoint);
    } finally {
      bind.release();
    }
  }

  /**
   * Stops listening on an endpoint given to {@link Socket.bind} (use
   * {@link Socket.lastEndpoint} for wildcard binds).
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * await pull.bind("inproc://unbind-example");
   * await pull.unbind("inproc://unbind-example");
   * ```
   */
  unbind(endpoint: string): Promise<void> {
    try {
      this.unbindSync(endpoint);
      return RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * {@link Socket.unbind}, throwing instead of rejecting.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * pull.bindSync("inproc://unbind-sync-example");
   * pull.unbindSync("inproc://unbind-sync-example");
   * ```
   */
  unbindSync(endpoint: string): void {
    this.#endpointCall("unbind", endpoint);
  }

  /**
   * Connects to an endpoint. Connecting is asynchronous in libzmq: this
   * returns at once and the connection is made (and remade) in the background.
   *
   * @example
   * ```ts
   * import { Push } from "@deno-zmq/zmq";
   * using push = new Push();
   * push.connect("tcp://127.0.0.1:5555");
   * ```
   */
  connect(endpoint: string): void {
    this.#endpointCall("connect", endpoint);
  }

  /**
   * Disconnects from an endpoint given to {@link Socket.connect}.
   *
   * @example
   * ```ts
   * import { Push } from "@deno-zmq/zmq";
   * using push = new Push();
   * push.connect("tcp://127.0.0.1:5555");
   * push.disconnect("tcp://127.0.0.1:5555");
   * ```
   */
  disconnect(endpoint: string): void {
    this.#endpointCall("disconnect", endpoint);
  }

  /**
   * Draft PEER: connects through the same guards as {@link Socket.connect}
   * and returns the routing id libzmq gave the peer at that endpoint.
   */
  protected connectPeerEndpoint(endpoint: string): number {
    return this.#endpointCall("connect", endpoint, true);
  }

  #endpointCall(
    call: EndpointCall,
    endpoint: string,
    peer = false,
  ): number {
    return this.#endpoints.call(call, endpoint, peer);
  }

  #newEngine(): SocketEngine {
    return new SocketEngine(
      {
        assertUsable: () => this.#assertOpen(),
        isRemote: () => this.#endpoints.remote,
      },
      this.#ctx,
      this.#h,
    );
  }

  #newEndpoints(): Endpoints {
    return new Endpoints(
      {
        assertOpen: () => this.#assertOpen(),
        isClosed: () => this.#engine.closed,
        connected: () => {
          this.#engine.poke();
          this.#ctx.noteOperation();
        },
        attached: (call, endpoint) => this.#attached(call, endpoint),
      },
      this.#b,
      this.#h,
      this.#type,
      this.#ctx,
    );
  }

  /** Names the socket by where it was used, for the leak warning. */
  #attached(call: "bind" | "connect", endpoint: string): void {
    let where = endpoint;
    if (call === "bind") {
      try {
        where = this.lastEndpoint || endpoint;
      } catch { /* an endpoint too long to read back: keep the given one */ }
    }
    this.#record.label = `${typeName(this.#type)} socket (${call} ${where})`;
  }

  /**
   * Closes the socket. Pending sends and receives are rejected with a
   * ZmqError (code `ENOTSOCK`) and iterators end. Closing twice does nothing.
   *
   * @example
   * ```ts
   * import { Pull } from "@deno-zmq/zmq";
   * const pull = new Pull();
   * pull.close();
   * pull.close(); // no-op
   * console.log(pull.closed); // true
   * ```
   */
  close(): void {
    if (this.#engine.closed) return;
    if (this.#owner) {
      // Another thread may be using the socket: close once it hands it back.
      this.#closeWhenReleased = true;
      this.#owner.stop();
      return;
    }
    this.#engine.close(() => {
      for (const hook of this.#closeHooks.splice(0)) hook();
    });
    this.#endpoints.close();
    release(this.#record, this);
  }

  /** Same as {@link Socket.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link Socket.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    this.close();
    return RESOLVED;
  }

  // ---- sending and receiving: checks here, the work in the engine ---------

  /**
   * Sends a message; an array is sent as one multipart message, atomically.
   * Resolves when libzmq has accepted the whole message. Concurrent calls are
   * served in order, and wait while the high-water mark is reached.
   */
  protected sendMessage(message: Message): Promise<void> {
    return this.#send(message, null);
  }

  /** {@link Socket.sendMessage} on behalf of `caller` (the socket's owner, or null). */
  #send(message: Message, caller: SocketOwner | null): Promise<void> {
    if (this.#engine.closed) {
      return Promise.reject(closedSocketError(this.#b.errnos));
    }
    if (this.#owner !== caller) return Promise.reject(this.#ownedError());
    return this.#engine.send(message);
  }

  /**
   * Draft API: sends one frame with a routing id (CLIENT/SERVER/PEER) or a
   * group (RADIO), in order with other sends.
   */
  protected sendDraftMessage(frame: Frame, draft: DraftTarget): Promise<void> {
    if (this.#engine.closed) {
      return Promise.reject(closedSocketError(this.#b.errnos));
    }
    if (this.#owner !== null) return Promise.reject(this.#ownedError());
    return this.#engine.sendDraft(frame, draft);
  }

  /**
   * Sends a message only if libzmq accepts it right now: true if it did,
   * false if the socket would have to wait (high-water mark, no peer, or
   * earlier sends still queued). For tight loops that batch synchronous work.
   */
  protected trySendMessage(message: Message): boolean {
    this.#assertOpen();
    return this.#engine.trySend(message);
  }

  /**
   * Receives a whole message if one is there right now, else returns null.
   * For tight loops that batch synchronous work.
   */
  protected tryReceiveMessage(): Uint8Array[] | null {
    this.#assertOpen();
    return this.#engine.tryReceive();
  }

  /**
   * Receives the next message as its frames. Concurrent calls are served in
   * order, each getting exactly one message.
   */
  protected receiveMessage(): Promise<Uint8Array[]> {
    return this.#receive(null);
  }

  /** {@link Socket.receiveMessage} on behalf of `caller` (the socket's owner, or null). */
  #receive(caller: SocketOwner | null): Promise<Uint8Array[]> {
    try {
      this.#assertOpen(caller);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#engine.receive();
  }

  /** Iterates over incoming messages until the socket is closed. */
  protected messages(): AsyncIterableIterator<Uint8Array[]> {
    return this.#engine.messages();
  }

  /** @ignore */
  [internalsKey](): SocketInternals {
    // Made once: pollers ask for it on every readiness check.
    return this.#internals ??= {
      backend: this.#b,
      handle: this.#h,
      context: this.#ctx,
      // Watching readiness is not using the socket: owners do not mind.
      observe: (observer) => this.#engine.observe(observer),
      setOwner: (owner) => {
        if (this.#engine.closed) throw closedSocketError(this.#b.errnos);
        if (owner && this.#owner) throw this.#ownedError();
        this.#owner = owner;
        if (!owner && this.#closeWhenReleased) this.close();
      },
      receiveAs: (owner) => this.#receive(owner),
      sendAs: (owner, message) => this.#send(message, owner),
      onClose: (hook) => void this.#closeHooks.push(hook),
      busy: () => this.#engine.busy,
    };
  }

  /** Draft sockets: received messages carry this property (see messageMetadata). */
  protected receiveMetadata(kind: "routingId" | "group"): void {
    this.#engine.metadata = kind;
  }

  // ---- options --------------------------------------------------------------

  /** @ignore */
  [optionGet](name: string, spec: OptionSpec): unknown {
    this.#assertOpen();
    if (spec.access === "w") return writtenValue(this, name);
    let into = new Uint8Array(readBufferSize(spec));
    let length = this.#b.getOption(this.#h, spec.id, into);
    // Strings (such as a long inproc lastEndpoint) may need a bigger buffer.
    while (
      length < 0 && into.length < 65536 &&
      this.#b.errno() === this.#b.errnos.EINVAL && into.length >= 1024
    ) {
      into = new Uint8Array(into.length * 4);
      length = this.#b.getOption(this.#h, spec.id, into);
    }
    if (length < 0) throw this.#optionError(name, spec);
    return decodeOption(spec, into, length);
  }

  /** @ignore */
  [optionSet](name: string, spec: OptionSpec, value: unknown): void {
    const bytes = encodeOption(name, spec, value);
    this.#assertOpen();
    if (this.#b.setOption(this.#h, spec.id, bytes) !== 0) {
      throw this.#optionError(name, spec);
    }
    noteWritten(this, name, spec, value);
    // Timeouts are applied by the queues above libzmq: keep libzmq's value at hand.
    if (
      spec.id === socketOptions.sendTimeout.id ||
      spec.id === socketOptions.receiveTimeout.id
    ) {
      this.#readTimeouts();
    }
  }

  #optionError(name: string, spec: OptionSpec): ZmqError {
    const error = zmqError(this.#b, { option: name });
    if (spec.draft && error.code === "EINVAL" && !this.#b.has("draft")) {
      return new ZmqError(
        "ENOTSUP",
        this.#b.errnos.ENOTSUP,
        `Option "${name}" needs libzmq built with the draft API, which this libzmq is not`,
        { option: name, cause: error },
      );
    }
    return error;
  }

  /** Sets a subscription option (SUB) for each prefix, or "" when none is given. */
  protected setEach(
    option: OptionSpec,
    name: string,
    prefixes: (string | Uint8Array)[],
  ): void {
    for (const prefix of prefixes.length === 0 ? [""] : prefixes) {
      this[optionSet](name, option, prefix);
    }
  }
}

/** What other modules of `src/` (poller, monitor, proxy) need from a socket. */
export interface SocketInternals {
  readonly backend: Backend;
  readonly handle: Handle;
  readonly context: ContextInternals;
  /** Calls `observer` whenever the socket's readiness may have changed; returns the undo. */
  observe(observer: () => void): () => void;
  /** Hands the socket to an owner (operations then fail) or takes it back (null). */
  setOwner(owner: SocketOwner | null): void;
  /** Receives a message on behalf of the socket's owner. */
  receiveAs(owner: SocketOwner): Promise<Uint8Array[]>;
  /** Sends a message on behalf of the socket's owner. */
  sendAs(owner: SocketOwner, message: Message): Promise<void>;
  /** Runs `hook` just before the socket is closed. */
  onClose(hook: () => void): void;
  /** Whether operations are queued on the socket. */
  busy(): boolean;
}

/** A component that takes a socket over for a while (a running Proxy). */
export interface SocketOwner {
  /** Named in the error of operations attempted meanwhile. */
  readonly name: string;
  /** Asks the owner to hand the socket back (close() was called). */
  stop(): void;
}

/** The options key of a libzmq handle to wrap instead of creating a socket (see fromHandle). */
const adoptKey: unique symbol = Symbol("adopt");
type AdoptingOptions = SocketOptions & { [adoptKey]?: Handle };
const socketClasses = new Map<
  number,
  new (options?: SocketOptions) => Socket
>();

/** The class registered for a socket type (see {@link registerSocketClass}). */
export function socketClassOf(
  type: number,
): (new (options?: SocketOptions) => Socket) | undefined {
  return socketClasses.get(type);
}

/**
 * Registers the classes `Socket.fromHandle` uses, by their key in the socket
 * type table: `registerSocketClasses({ Pair, Push, ... })` (object keys, not
 * class names, which bundlers may rename).
 */
export function registerSocketClasses(
  classes: Partial<
    Record<SocketTypeKey, new (options?: SocketOptions) => Socket>
  >,
): void {
  for (const [key, cls] of Object.entries(classes)) {
    socketClasses.set(socketTypeNumber(key as SocketTypeKey), cls);
  }
}

/** The internals of a socket, for other modules of `src/`. */
export function socketInternals(socket: Socket): SocketInternals {
  return socket[internalsKey]();
}

defineOptions(Socket.prototype, socketOptions);

/** Socket option properties, generated from the option table. */
export interface Socket extends OptionProperties<typeof socketOptions> {}
