/**
 * The one socket implementation every socket type shares: options, endpoints,
 * FIFO queues of pending sends and receives, timeouts, waiting and closing.
 *
 * Operations first try a synchronous ZMQ_DONTWAIT call. Only when libzmq
 * answers EAGAIN is the operation queued and the socket parked on its
 * context's reactor, which wakes it to look again.
 *
 * @module
 */

import {
  type Backend,
  type Handle,
  POLLIN,
  POLLOUT,
  SNDMORE,
} from "./backend.ts";
import {
  Context,
  type ContextInternals,
  internals,
  processExiting,
} from "./context.ts";
import { closedSocketError, ZmqError } from "./errors.ts";
import { zmqError } from "./last_error.ts";
import {
  type Frame,
  frameBytes,
  FramePool,
  type Message,
  toFrames,
} from "./message.ts";
import {
  decodeOption,
  defineOptions,
  encodeOption,
  optionGet,
  optionSet,
  readBufferSize,
} from "./option_access.ts";
import {
  type OptionInit,
  type OptionProperties,
  type OptionSpec,
  socketOptions,
} from "./options.ts";
import { Queue } from "./queue.ts";
import { typeName } from "./inproc.ts";
import { SocketEvents } from "./monitor.ts";
import { fairnessCheck, yieldToEventLoop } from "./fairness.ts";

/** Options every socket constructor accepts. */
export interface SocketOptions extends OptionInit<typeof socketOptions> {
  /** The context to create the socket in (default: {@link Context.default}). */
  context?: Context;
}

interface Pending<T> {
  resolve(value: T): void;
  reject(reason: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
}
type PendingReceive = Pending<Uint8Array[]>;
/** What an immediate send achieved: all of it (true), or how far it got. */
type SendAttempt = true | { frames: readonly Frame[]; next: number };
/** Where a draft-API message goes: a peer's routing id, or a group. */
export interface DraftTarget {
  /** The routing id of the peer (CLIENT/SERVER/PEER). */
  routingId?: number;
  /** The group (RADIO). */
  group?: string | null;
}
interface PendingSend extends Pending<void> {
  /** Draft API: the routing id or group of a single-frame message. */
  readonly draft?: DraftTarget;
  readonly frames: readonly Frame[];
  /** Index of the next frame to hand to libzmq. */
  next: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** A context's maxMessageSize when none was set (INT_MAX). */
const NO_LIMIT = 2 ** 31 - 1;
const SPIN_MS = 0.05;
const metadataKey: unique symbol = Symbol("metadata");
type MessageWithMetadata = Uint8Array[] & { [metadataKey]?: number | string };

/** Draft sockets: the routing id or group a received message carried. */
export function messageMetadata(
  message: Uint8Array[],
): number | string | undefined {
  return (message as MessageWithMetadata)[metadataKey];
}
const internalsKey: unique symbol = Symbol("socketInternals");
const pool = new FramePool();

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
  readonly #eagain: number;
  readonly #eintr: number;
  #closed = false;
  readonly #receives = new Queue<PendingReceive>();
  readonly #sends = new Queue<PendingSend>();
  #parked = false;
  #serviceScheduled = false;
  #sendTimeout = -1;
  #receiveTimeout = -1;
  readonly #written = new Map<string, unknown>();
  readonly #wake = () => this.#service();
  // Callbacks of pollers and monitors interested in this socket's readiness.
  readonly #observers = new Set<() => void>();
  // Set while another component (a running Proxy) owns the socket.
  #owner: SocketOwner | null = null;
  #closeWhenReleased = false;
  #internals: SocketInternals | undefined;
  // Run just before the libzmq socket is closed (e.g. to stop its monitor).
  readonly #closeHooks: (() => void)[] = [];
  // Draft sockets: which per-message property received messages carry.
  #metadata: "routingId" | "group" | null = null;
  // What the safety net needs to close this socket if it is dropped unclosed.
  readonly #leak: LeakRecord;
  // inproc endpoints this socket is bound to: unbound on close, because libzmq
  // releases an inproc name only later on its reaper thread, and an
  // immediate rebind of the name would fail with EADDRINUSE.
  readonly #inprocBinds = new Set<string>();
  // Bound or connected to something other than inproc (see #spin).
  #remote = false;
  // The handle's address, unique among open sockets (see `wrapped`).
  readonly #address: unknown;

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
    this.#eagain = this.#b.errnos.EAGAIN;
    this.#eintr = this.#b.errnos.EINTR;
    if (context.closed) {
      throw new ZmqError("ETERM", this.#b.errnos.ETERM, "Context was closed");
    }
    const adopted = adopting !== null;
    const handle = adopting ?? this.#b.socketNew(this.#ctx.handle, type);
    adopting = null;
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
    this.#address = this.#b.handleAddress?.(handle) ?? handle;
    if (wrapped.has(this.#address)) {
      throw new TypeError(
        "This libzmq socket is already wrapped by an open socket of this library: use that one",
      );
    }
    wrapped.add(this.#address);
    const leak: LeakRecord = this.#leak = {
      label: `${typeName(type)} socket`,
      backend: this.#b,
      handle,
      released: false,
      unregister: () => {},
    };
    // The context closes a collected socket whose finalizer has not run yet.
    leak.unregister = this.#ctx.adopt(this, () => releaseLeak(leak));
    leaks.register(this, leak, this);
    try {
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
    return this.#closed;
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

  #assertOpen(): void {
    if (this.#closed) throw closedSocketError(this.#b.errnos);
    if (this.#owner !== ownerCall) throw this.#ownedError();
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
    if (!cls) throw new TypeError(`Unknown socket type ${socketType}`);
    adopting = handle;
    try {
      return new cls(options);
    } finally {
      adopting = null;
    }
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
      this.#endpointCall("bind", endpoint);
      return RESOLVED;
    } catch (err) {
      return Promise.reject(err);
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
      this.#endpointCall("unbind", endpoint);
      return RESOLVED;
    } catch (err) {
      return Promise.reject(err);
    }
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

  #endpointCall(
    call: "bind" | "unbind" | "connect" | "disconnect",
    endpoint: string,
  ): void {
    if (typeof endpoint !== "string") {
      throw new TypeError(
        `${call}() expects an endpoint string, got ${typeof endpoint}`,
      );
    }
    this.#assertOpen();
    if (endpoint.includes("\0")) {
      // libzmq would silently use the part before the NUL.
      throw new ZmqError(
        "EINVAL",
        this.#b.errnos.EINVAL,
        "Endpoints cannot contain NUL characters",
        {
          endpoint,
        },
      );
    }
    const unsupported = this.#b.unsupportedEndpoint?.(endpoint);
    if (unsupported) throw unsupported;
    const inproc = endpoint.startsWith("inproc://");
    const attaching = call === "bind" || call === "connect";
    const registry = this.#ctx.inproc;
    if (inproc && attaching) {
      registry.check(call, endpoint, this.#type, this.#b.errnos);
    }
    if (
      inproc && call === "connect" && this.#ctx.owned &&
      !registry.isBound(endpoint)
    ) {
      // See inproc.ts: connect once a socket of this context binds the name.
      registry.defer(endpoint, this, this.#type, () => {
        if (this.#closed || this.#b.connect(this.#h, endpoint) !== 0) return;
        this.#scheduleService();
        this.#ctx.noteOperation();
      });
    } else if (
      inproc && call === "disconnect" && registry.isDeferred(endpoint, this)
    ) {
      registry.forget(this, endpoint);
      return;
    } else if (this.#b[call](this.#h, endpoint) !== 0) {
      throw zmqError(this.#b, { endpoint });
    } else if (!inproc) {
      if (attaching) this.#remote = true;
    } else if (call === "bind") {
      registry.bound(endpoint, this, this.#type);
      this.#inprocBinds.add(endpoint);
    } else if (call === "unbind") {
      registry.forget(this, endpoint);
      this.#inprocBinds.delete(endpoint);
    }
    if (attaching) {
      // Name the socket by where it was used, for the leak warning.
      let where = endpoint;
      if (call === "bind") {
        try {
          where = this.lastEndpoint || endpoint;
        } catch { /* an endpoint too long to read back: keep the given one */ }
      }
      this.#leak.label = `${typeName(this.#type)} socket (${call} ${where})`;
    }
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
    if (this.#closed) return;
    if (this.#owner) {
      // Another thread may be using the socket: close once it hands it back.
      this.#closeWhenReleased = true;
      this.#owner.stop();
      return;
    }
    this.#closed = true;
    leaks.unregister(this);
    for (const hook of this.#closeHooks.splice(0)) hook();
    this.#unpark();
    const observers = [...this.#observers];
    this.#observers.clear();
    const receives = this.#receives.drain(), sends = this.#sends.drain();
    // At exit nothing could handle a rejection: pending operations are dropped.
    const exiting = processExiting();
    if (!exiting) { for (const observer of observers) observer(); }
    const error = closedSocketError(this.#b.errnos);
    for (const op of receives) if (!exiting) settle(op).reject(error);
    for (const op of sends) if (!exiting) settle(op).reject(error);
    for (const endpoint of this.#inprocBinds) this.#b.unbind(this.#h, endpoint);
    this.#ctx.inproc.forget(this);
    releaseLeak(this.#leak);
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

  // ---- sending ------------------------------------------------------------

  /**
   * Sends a message; an array is sent as one multipart message, atomically.
   * Resolves when libzmq has accepted the whole message. Concurrent calls are
   * served in order, and wait while the high-water mark is reached.
   */
  protected sendMessage(message: Message): Promise<void> {
    if (this.#closed) return Promise.reject(closedSocketError(this.#b.errnos));
    if (this.#owner !== ownerCall) return Promise.reject(this.#ownedError());
    let attempt: SendAttempt;
    try {
      // A zero timeout means "now or never": no fairness yield for those.
      attempt = this.#sendNow(message, this.#sendTimeout !== 0);
    } catch (err) {
      return Promise.reject(err);
    }
    if (attempt === true) return this.#afterFastPath();
    return this.#sendLater(attempt.frames, attempt.next);
  }

  /** Queues a send behind the others, honouring sendTimeout. */
  #sendLater(
    frames: readonly Frame[],
    next: number,
    draft?: DraftTarget,
  ): Promise<void> {
    if (this.#sendTimeout === 0 && next === 0) {
      return Promise.reject(this.#timeoutError("send"));
    }
    return new Promise<void>((resolve, reject) => {
      const op: PendingSend = { resolve, reject, frames, next, draft };
      if (this.#sendTimeout > 0) {
        op.timer = setTimeout(() => {
          // A partly sent multipart message must be completed, not abandoned.
          if (op.next === 0 && this.#sends.remove(op)) {
            reject(this.#timeoutError("send"));
            this.#afterQueueChange();
          }
        }, this.#sendTimeout);
      }
      this.#sends.push(op);
      this.#scheduleService();
    });
  }

  /**
   * Draft API: sends one frame with a routing id (CLIENT/SERVER/PEER) or a
   * group (RADIO), in order with other sends.
   */
  protected sendDraftMessage(frame: Frame, draft: DraftTarget): Promise<void> {
    if (this.#closed) return Promise.reject(closedSocketError(this.#b.errnos));
    if (this.#owner !== ownerCall) return Promise.reject(this.#ownedError());
    try {
      if (
        this.#sends.length === 0 &&
        (this.#sendTimeout === 0 || !fairnessCheck())
      ) {
        if (this.#sendDraftFrame(frame, draft)) return this.#afterFastPath();
      } else {
        frameBytes(frame); // validates
      }
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#sendLater([frame], 0, draft);
  }

  /** Hands a draft frame to libzmq; false on EAGAIN. */
  #sendDraftFrame(
    frame: Frame,
    { routingId = 0, group = null }: DraftTarget,
  ): boolean {
    if (!this.#b.sendDraft) {
      throw new ZmqError(
        "ENOTSUP",
        this.#b.errnos.ENOTSUP,
        "This backend has no draft API",
      );
    }
    if (this.#b.sendDraft(this.#h, frameBytes(frame), routingId, group) >= 0) {
      return true;
    }
    this.#checkAgain();
    return false;
  }

  /**
   * Hands a message to libzmq if that can be done at once (nothing queued
   * before it, and no fairness yield due when `fair`): true when all of it was
   * accepted, else the frames and how many were accepted.
   */
  #sendNow(message: Message, fair: boolean): SendAttempt {
    const single = !Array.isArray(message);
    const frames = single ? null : toFrames(message as readonly Frame[]);
    const bytes = single ? frameBytes(message as Frame) : null;
    if (this.#sends.length > 0 || (fair && fairnessCheck())) {
      return { frames: frames ?? [message as Frame], next: 0 };
    }
    if (bytes) {
      if (this.#b.send(this.#h, bytes, 0) >= 0) return true;
      this.#checkAgain();
      return { frames: [message as Frame], next: 0 };
    }
    const next = this.#sendFrames(frames!, 0);
    return next === frames!.length ? true : { frames: frames!, next };
  }

  /**
   * Sends a message only if libzmq accepts it right now: true if it did,
   * false if the socket would have to wait (high-water mark, no peer, or
   * earlier sends still queued). For tight loops that batch synchronous work.
   */
  protected trySendMessage(message: Message): boolean {
    this.#assertOpen();
    const attempt = this.#sendNow(message, false);
    if (attempt === true) {
      this.#afterFastPath();
      return true;
    }
    if (attempt.next === 0) return false;
    // libzmq took the first frames: the rest must follow (they will: libzmq
    // checks the high-water mark on the first frame only).
    const op: PendingSend = { resolve: () => {}, reject: () => {}, ...attempt };
    this.#sends.push(op);
    this.#scheduleService();
    return true;
  }

  /**
   * Receives a whole message if one is there right now, else returns null.
   * For tight loops that batch synchronous work.
   */
  protected tryReceiveMessage(): Uint8Array[] | null {
    this.#assertOpen();
    if (this.#receives.length > 0) return null;
    const message = this.#readMessage();
    if (message) this.#afterFastPath();
    return message;
  }

  /** Hands frames to libzmq from `next` on; returns the index reached (EAGAIN stops early). */
  #sendFrames(frames: readonly Frame[], next: number): number {
    const last = frames.length - 1;
    for (; next <= last; next++) {
      const bytes = frameBytes(frames[next]);
      if (this.#b.send(this.#h, bytes, next < last ? SNDMORE : 0) < 0) {
        this.#checkAgain();
        break;
      }
    }
    return next;
  }

  // ---- receiving ------------------------------------------------------------

  /**
   * Receives the next message as its frames. Concurrent calls are served in
   * order, each getting exactly one message.
   */
  protected receiveMessage(): Promise<Uint8Array[]> {
    let message: Uint8Array[] | null;
    try {
      message = this.#receiveNow();
    } catch (err) {
      return Promise.reject(err);
    }
    return message ? Promise.resolve(message) : this.#receiveLater();
  }

  /**
   * The next message if it can be had without waiting (nothing queued before
   * it, no fairness yield due, libzmq has one); null otherwise.
   */
  #receiveNow(): Uint8Array[] | null {
    if (this.#closed) throw closedSocketError(this.#b.errnos);
    if (this.#owner !== ownerCall) throw this.#ownedError();
    // A zero timeout means "now or never": no fairness yield for those.
    if (
      this.#receives.length > 0 ||
      (this.#receiveTimeout !== 0 && fairnessCheck())
    ) return null;
    const message = this.#readMessage();
    if (message) this.#afterFastPath();
    return message;
  }

  /** Queues a receive behind the others, honouring receiveTimeout. */
  #receiveLater(): Promise<Uint8Array[]> {
    if (this.#receiveTimeout === 0) {
      return Promise.reject(this.#timeoutError("receive"));
    }
    return new Promise<Uint8Array[]>((resolve, reject) => {
      const op: PendingReceive = { resolve, reject };
      if (this.#receiveTimeout > 0) {
        op.timer = setTimeout(() => {
          if (this.#receives.remove(op)) {
            reject(this.#timeoutError("receive"));
            this.#afterQueueChange();
          }
        }, this.#receiveTimeout);
      }
      this.#receives.push(op);
      this.#scheduleService();
    });
  }

  /** Reads one whole message without waiting, or returns null on EAGAIN. */
  #readMessage(): Uint8Array[] | null {
    const b = this.#b, h = this.#h;
    let size = b.receive(h);
    if (size < 0) {
      this.#checkAgain();
      return null;
    }
    const frames: Uint8Array[] = [];
    if (this.#metadata !== null) {
      // Draft sockets: the routing id or group rides on the (single) frame.
      (frames as MessageWithMetadata)[metadataKey] =
        this.#metadata === "routingId"
          ? b.receivedRoutingId!()
          : b.receivedGroup!();
    }
    for (;;) {
      const frame = pool.take(size);
      b.readFrame(frame);
      frames.push(frame);
      if (!b.receivedMore()) return frames;
      // The rest of a multipart message is already there: libzmq delivers it atomically.
      size = b.receive(h);
      while (size < 0 && b.errno() === this.#eintr) size = b.receive(h);
      if (size < 0) throw zmqError(b);
    }
  }

  /**
   * Iterates over incoming messages until the socket is closed.
   *
   * Hand-written rather than an async generator: a message that is already
   * there costs one resolved promise, where a generator costs several
   * (measured: 1.0-1.4 M msg/s against 1.6-2.4 M for a plain receive loop).
   * Fast streams still yield to the event loop regularly (see fairness.ts).
   */
  protected messages(): AsyncIterableIterator<Uint8Array[]> {
    const done: IteratorReturnResult<undefined> = {
      value: undefined,
      done: true,
    };
    const wrap = (
      value: Uint8Array[],
    ): IteratorResult<Uint8Array[], undefined> => ({
      value,
      done: false,
    });
    const endOnClose = (err: unknown) => {
      if (this.#closed) return done;
      throw err;
    };
    let finished = false;
    return {
      next: () => {
        if (finished || this.#closed) return Promise.resolve(done);
        try {
          const message = this.#receiveNow();
          if (message) return Promise.resolve(wrap(message));
        } catch (err) {
          return Promise.reject(err);
        }
        return this.#receiveLater().then(wrap, endOnClose);
      },
      return: () => {
        finished = true;
        return Promise.resolve(done);
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  // ---- waiting --------------------------------------------------------------

  /**
   * Throws unless the last failed call failed with EAGAIN, or EINTR (a signal,
   * e.g. a profiler's, interrupted libzmq's mailbox read): both mean "later".
   */
  #checkAgain(): void {
    const errno = this.#b.errno();
    if (errno !== this.#eagain && errno !== this.#eintr) {
      throw zmqError(this.#b, undefined, errno);
    }
  }

  #timeoutError(what: "send" | "receive"): ZmqError {
    return new ZmqError(
      "EAGAIN",
      this.#eagain,
      `Socket ${what} timed out after ${
        what === "send" ? this.#sendTimeout : this.#receiveTimeout
      } ms`,
    );
  }

  /**
   * After a synchronous success: the call may have consumed the notification a
   * waiter in the other direction was parked on, so that waiter looks again;
   * and inproc peers of this context may now be able to proceed.
   */
  #afterFastPath(): Promise<void> {
    if (this.#parked) this.#scheduleService();
    this.#ctx.noteOperation();
    return RESOLVED;
  }

  #afterQueueChange(): void {
    if (
      this.#receives.length === 0 && this.#sends.length === 0 &&
      this.#observers.size === 0
    ) {
      this.#unpark();
    }
  }

  #scheduleService(): void {
    if (this.#serviceScheduled) return;
    this.#serviceScheduled = true;
    queueMicrotask(() => {
      this.#serviceScheduled = false;
      this.#service();
    });
  }

  /** @ignore */
  [internalsKey](): SocketInternals {
    // Made once: pollers ask for it on every readiness check.
    return this.#internals ??= {
      backend: this.#b,
      handle: this.#h,
      context: this.#ctx,
      observe: (observer) => {
        // Watching readiness is not using the socket: owners do not mind.
        if (this.#closed) throw closedSocketError(this.#b.errnos);
        this.#observers.add(observer);
        this.#park();
        return () => {
          this.#observers.delete(observer);
          this.#afterQueueChange();
        };
      },
      setOwner: (owner) => {
        if (this.#closed) throw closedSocketError(this.#b.errnos);
        if (owner && this.#owner) throw this.#ownedError();
        this.#owner = owner;
        if (!owner && this.#closeWhenReleased) this.close();
      },
      onClose: (hook) => void this.#closeHooks.push(hook),
      busy: () => this.#receives.length > 0 || this.#sends.length > 0,
    };
  }

  /** Draft sockets: received messages carry this property (see messageMetadata). */
  protected receiveMetadata(kind: "routingId" | "group"): void {
    this.#metadata = kind;
  }

  /** Called by the context when an operation elsewhere may have changed this socket. */
  recheck(): void {
    this.#service();
  }

  /** Serves queued operations as far as libzmq allows, then parks or unparks. */
  #service(): void {
    if (this.#closed) return;
    if (fairnessCheck()) {
      // Too long without a macrotask: let timers and I/O run first.
      yieldToEventLoop(this.#wake);
      return;
    }
    const b = this.#b, h = this.#h;
    let progress = false;
    for (;;) {
      while (this.#receives.length > 0) {
        let message: Uint8Array[] | null;
        try {
          message = this.#readMessage();
        } catch (err) {
          settle(this.#receives.shift()!).reject(err);
          continue;
        }
        if (!message) break;
        settle(this.#receives.shift()!).resolve(message);
        progress = true;
      }
      while (this.#sends.length > 0) {
        const op = this.#sends.peek()!;
        try {
          op.next = op.draft
            ? (this.#sendDraftFrame(op.frames[0], op.draft) ? 1 : 0)
            : this.#sendFrames(op.frames, op.next);
        } catch (err) {
          this.#sends.shift();
          settle(op).reject(err);
          continue;
        }
        if (op.next < op.frames.length) break;
        this.#sends.shift();
        settle(op).resolve();
        progress = true;
      }
      if (this.#receives.length === 0 && this.#sends.length === 0) {
        if (this.#observers.size > 0) this.#park();
        else this.#unpark();
        break;
      }
      // ZMQ_FD is edge-triggered: a command consumed by a call may have made
      // the socket ready without a signal, so look at ZMQ_EVENTS before
      // parking. (Skipping it when the failed call alone should prove "not
      // ready" was measured: 2.2x slower inproc, 15k poll round trips per 1M
      // messages instead of ~30.)
      const wanted = (this.#receives.length > 0 ? POLLIN : 0) |
        (this.#sends.length > 0 ? POLLOUT : 0);
      let events = b.events(h);
      if (
        events >= 0 && !(events & wanted) && this.#remote && b.yieldThread &&
        this.#ctx.socketCount() === 1
      ) {
        events = this.#spin(wanted);
      }
      if (events < 0 || !(events & wanted)) {
        this.#park();
        break;
      }
    }
    if (progress) this.#ctx.noteOperation();
    if (this.#observers.size > 0) {
      for (const observer of [...this.#observers]) {
        observer();
      }
    }
  }

  /**
   * The only socket of its context, when it talks to remote peers, spins
   * briefly (yielding the CPU to libzmq's I/O thread) before parking: a
   * parked wait costs a poll on another thread and a cross-thread wake-up
   * (~30 us on a busy core), which dominated request-reply latency (tcp
   * REQ/REP 16 B, pinned: 150 us -> 68-85 us a round trip; native libzmq
   * 81-104 us). With other sockets in the context, or inproc peers, the peer
   * is likely on this very thread, which a spin would only hold up (measured:
   * a same-process tcp PUSH/PULL fell from 1.4 M to 80 k msg/s).
   */
  #spin(wanted: number): number {
    const b = this.#b, h = this.#h;
    const deadline = performance.now() + SPIN_MS;
    let events = 0;
    do {
      b.yieldThread!();
      events = b.events(h);
    } while (events >= 0 && !(events & wanted) && performance.now() < deadline);
    return events;
  }

  #park(): void {
    if (this.#parked) return;
    this.#parked = true;
    this.#ctx.reactor().watch(this.#h, this.#wake);
    this.#ctx.parked(this, true);
  }

  #unpark(): void {
    if (!this.#parked) return;
    this.#parked = false;
    this.#ctx.reactor().unwatch(this.#h);
    this.#ctx.parked(this, false);
  }

  // ---- options --------------------------------------------------------------

  /** @ignore */
  [optionGet](name: string, spec: OptionSpec): unknown {
    this.#assertOpen();
    if (spec.access === "w") return this.#written.get(name);
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
    if (spec.access === "w") this.#written.set(name, value);
    // Timeouts are applied by the queues above libzmq: keep them at hand.
    if (spec.id === socketOptions.sendTimeout.id) {
      this.#sendTimeout = value as number;
    }
    if (spec.id === socketOptions.receiveTimeout.id) {
      this.#receiveTimeout = value as number;
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

interface LeakRecord {
  label: string;
  readonly backend: Backend;
  readonly handle: Handle;
  /** Whether the libzmq socket was closed (by close(), the context or the finalizer). */
  released: boolean;
  unregister: () => void;
}

/** Closes the libzmq socket of a leak record, once. */
function releaseLeak(leak: LeakRecord): void {
  if (leak.released) return;
  leak.released = true;
  leak.unregister();
  wrapped.delete(leak.backend.handleAddress?.(leak.handle) ?? leak.handle);
  leak.backend.socketClose(leak.handle);
}

/**
 * The safety net for sockets dropped without close(): libzmq's socket would
 * otherwise stay open until the context ends (and keep `Context.close()` or
 * process exit waiting on its linger). Says which socket leaked.
 */
const leaks = new FinalizationRegistry<LeakRecord>((leak) => {
  if (leak.released) return;
  console.warn(
    `deno-zmq: a ${leak.label} was garbage-collected without close(); closing it now. ` +
      "Close sockets (or declare them with `using`) to release them deterministically.",
  );
  releaseLeak(leak);
});

/** What other modules of `src/` (poller, monitor, proxy) need from a socket. */
export interface SocketInternals {
  readonly backend: Backend;
  readonly handle: Handle;
  readonly context: ContextInternals;
  /** Calls `observer` whenever the socket's readiness may have changed; returns the undo. */
  observe(observer: () => void): () => void;
  /** Hands the socket to an owner (operations then fail) or takes it back (null). */
  setOwner(owner: SocketOwner | null): void;
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

let adopting: Handle | null = null;
// Addresses of the libzmq sockets wrapped by open sockets: one wrapper each.
const wrapped = new Set<unknown>();
// The owner on whose behalf the current call is made (see asOwner).
let ownerCall: SocketOwner | null = null;

/** Runs `call` (a socket operation) on behalf of the socket's owner. */
export function asOwner<T>(owner: SocketOwner, call: () => T): T {
  const previous = ownerCall;
  ownerCall = owner;
  try {
    return call();
  } finally {
    ownerCall = previous;
  }
}
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

/** Registers the class `Socket.fromHandle` uses for a socket type. */
export function registerSocketClass(
  type: number,
  cls: new (options?: SocketOptions) => Socket,
): void {
  socketClasses.set(type, cls);
}

/** The internals of a socket, for other modules of `src/`. */
export function socketInternals(socket: Socket): SocketInternals {
  return socket[internalsKey]();
}

/** Clears an operation's timer and returns it, ready to be settled. */
function settle<T extends Pending<never> | PendingReceive | PendingSend>(
  op: T,
): T {
  if (op.timer !== undefined) clearTimeout(op.timer);
  return op;
}

defineOptions(Socket.prototype, socketOptions);

/** Socket option properties, generated from the option table. */
export interface Socket extends OptionProperties<typeof socketOptions> {}
