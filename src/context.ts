/**
 * The ZeroMQ context: owns a backend, its libzmq context and the reactor
 * that wakes the sockets waiting on it.
 *
 * @module
 */

import type { Backend, BackendKind, Handle, Reactor } from "./backend.ts";
import { ZmqError } from "./errors.ts";
import { zmqError } from "./last_error.ts";
import {
  contextOptions,
  type OptionInit,
  type OptionProperties,
  type OptionSpec,
} from "./options.ts";
import {
  defineOptions,
  encodeOption,
  noteWritten,
  optionGet,
  optionSet,
  writtenValue,
} from "./option_access.ts";
import { type BackendChoice, loadBackend, selectBackend } from "./select.ts";
import { onProcessExit } from "./runtime.ts";
import { InprocRegistry } from "./inproc.ts";

/**
 * An open context as the exit hook and the collector see it: weakly, so that
 * a context nobody references any more (and so with no socket in use: sockets
 * hold their context) can be garbage-collected.
 */
interface OpenContext {
  readonly ref: WeakRef<Context>;
  readonly backend: Backend;
  readonly handle: Handle;
  reactor?: Reactor;
}
// Contexts still open when the process exits. Terminating them at exit lets
// sockets with a linger period deliver their last messages, as in C programs.
const openContexts = new Set<OpenContext>();
let exitHookInstalled = false;
let exiting = false;
function terminateAtExit(): void {
  exiting = true;
  for (const open of [...openContexts]) {
    const context = open.ref.deref();
    if (context) context[terminateNow]();
    else {
      // Collected, its finalizer not run yet.
      openContexts.delete(open);
      open.backend.contextTermAtExit(open.handle);
    }
  }
}
// A collected context is terminated off the JS thread (zmq_ctx_term waits
// for the sockets the safety net in socket.ts closes).
const collected = new FinalizationRegistry<OpenContext>((open) => {
  if (!openContexts.delete(open)) return;
  void (async () => {
    await open.reactor?.close();
    await open.backend.contextTerm(open.handle);
  })().catch(() => {/* nothing is left to tell */});
});

/**
 * Whether the process (or this Worker) is exiting: sockets closed then drop
 * their pending operations instead of rejecting them, since no code could
 * handle the rejection and runtimes would print it as unhandled.
 */
export function processExiting(): boolean {
  return exiting;
}
const terminateNow: unique symbol = Symbol("terminateNow");
/** The options key of a libzmq context to share instead of creating one (see fromAddress). */
const shareKey: unique symbol = Symbol("share");
type SharingOptions = ContextOptions & { [shareKey]?: Handle };

/** Options for {@link Context}. */
export interface ContextOptions extends OptionInit<typeof contextOptions> {
  /** Which libzmq to use: "ffi" (system libzmq), "wasm" (libzmq in WebAssembly: inproc, tcp, ipc) or "auto" (default). */
  backend?: BackendChoice;
}

/** What sockets need from their context; not part of the public API. */
export interface ContextInternals {
  readonly backend: Backend;
  readonly handle: Handle;
  reactor(): Reactor;
  /**
   * Registers a socket, weakly (a dropped socket can be collected), with how
   * to close its libzmq socket should it be collected before its finalizer
   * ran; returns the unregistration.
   */
  adopt(socket: Closable, closeCollected: () => void): () => void;
  /** The inproc names of this context (see inproc.ts). */
  readonly inproc: InprocRegistry;
  /** False for a context shared from elsewhere (Context.fromAddress). */
  readonly owned: boolean;
  /** How many sockets the context has open. */
  socketCount(): number;
  /**
   * An operation on one of its sockets completed: the reactor (if any) wakes
   * the parked sockets, which may now proceed (see `Reactor.progress`).
   */
  noteOperation(): void;
}

/** A registered socket: weakly held, with how to close it once collected. */
interface SocketEntry {
  readonly ref: WeakRef<Closable>;
  readonly closeCollected: () => void;
}

/** A socket as seen by its context. */
export interface Closable {
  close(): void;
  /** False after close() while a Proxy still holds the socket. */
  readonly closed: boolean;
}

const internalsOf = new WeakMap<Context, ContextInternals>();

/** The internals of a context, for its sockets. */
export function internals(context: Context): ContextInternals {
  return internalsOf.get(context)!;
}

/**
 * A ZeroMQ context. Most programs use the default one implicitly; create your
 * own to choose a backend or set context options.
 *
 * @example A context with its own I/O threads
 * ```ts
 * import { Context, Pull } from "@deno-zmq/zmq";
 *
 * await using context = new Context({ ioThreads: 2 });
 * using pull = new Pull({ context });
 * console.log(context.backend, context.ioThreads); // "ffi" 2
 * ```
 */
export class Context {
  static #default: Context | undefined;

  /**
   * The context sockets use when none is given (created on first use, with
   * the "auto" backend).
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq";
   * console.log(Context.default.backend);
   * ```
   */
  static get default(): Context {
    if (!Context.#default || Context.#default.closed) {
      Context.#default = new Context();
    }
    return Context.#default;
  }

  readonly #backend: Backend;
  readonly #handle: Handle;
  #reactor: Reactor | undefined;
  // Weak, so that a socket dropped without close() can be collected (and
  // closed by the safety net in socket.ts).
  readonly #sockets = new Set<SocketEntry>();
  #closing: Promise<void> | undefined;
  // False for a context shared from elsewhere (fromAddress): we do not terminate it.
  readonly #owned: boolean;
  // This context in openContexts (owned contexts only).
  #open: OpenContext | undefined;
  // Whether `address` was read: Workers may hold sockets on this context.
  #sharedOut = false;

  /**
   * Creates a context.
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq";
   * await using context = new Context({ backend: "auto", maxSockets: 2048 });
   * ```
   */
  constructor(options: ContextOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Context options must be an object");
    }
    const { backend: choice, [shareKey]: shared, ...rest } =
      options as SharingOptions;
    const backend = this.#backend = selectBackend(choice);
    const handle = shared ?? backend.contextNew();
    if (handle === null) throw zmqError(backend);
    this.#handle = handle;
    this.#owned = shared === undefined;
    // Like zeromq.js: sockets default to linger 0, so closing never hangs on unsent messages.
    if (this.#owned) backend.contextSet(handle, contextOptions.blocky.id, 0);
    try {
      for (const [name, value] of Object.entries(rest)) {
        const spec = (contextOptions as Record<string, OptionSpec>)[name];
        if (!spec) throw new TypeError(`Unknown context option "${name}"`);
        if (spec.access === "r") {
          throw new TypeError(`Context option "${name}" is read-only`);
        }
        (this as Record<string, unknown>)[name] = value;
      }
    } catch (err) {
      void backend.contextTerm(handle);
      throw err;
    }
    if (this.#owned) {
      this.#open = { ref: new WeakRef(this), backend, handle };
      openContexts.add(this.#open);
      collected.register(this, this.#open, this);
    }
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      onProcessExit(terminateAtExit);
    }
    internalsOf.set(this, {
      backend,
      handle,
      reactor: () => {
        if (this.#reactor) return this.#reactor;
        if (this.#closing) {
          throw new ZmqError(
            "ETERM",
            backend.errnos.ETERM,
            "Context was closed",
          );
        }
        this.#reactor = backend.createReactor(handle);
        if (this.#open) this.#open.reactor = this.#reactor;
        return this.#reactor;
      },
      adopt: (socket, closeCollected) => {
        const entry = { ref: new WeakRef(socket), closeCollected };
        this.#sockets.add(entry);
        return () => void this.#sockets.delete(entry);
      },
      inproc: new InprocRegistry(),
      owned: this.#owned,
      socketCount: () => this.#sockets.size,
      noteOperation: () => this.#reactor?.progress(),
    });
  }

  /**
   * Creates a context once its backend is loaded: the way to get a WASM
   * context in a program that also has FFI (the WASM module is loaded on
   * demand; `new Context({ backend: "wasm" })` works once it is).
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq";
   * await using context = await Context.create({ backend: "wasm" });
   * console.log(context.backend); // "wasm"
   * ```
   */
  static async create(options: ContextOptions = {}): Promise<Context> {
    if (typeof options !== "object" || options === null) {
      throw new TypeError("Context options must be an object");
    }
    await loadBackend(options.backend ?? "auto");
    return new Context(options);
  }

  /**
   * The address of the libzmq context, to share it with Workers (see
   * {@link Context.fromAddress}): inproc endpoints then connect across threads.
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq";
   * await using context = new Context();
   * const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
   * worker.postMessage({ context: context.address });
   * ```
   */
  get address(): bigint {
    if (!this.#backend.handleAddress) {
      throw new ZmqError(
        "ENOTSUP",
        this.#backend.errnos.ENOTSUP,
        `Contexts of the ${this.backend} backend cannot be shared`,
      );
    }
    this.#sharedOut = true;
    return this.#backend.handleAddress(this.#handle);
  }

  /**
   * A context for a libzmq context created elsewhere (by {@link Context.address}
   * in another Worker, or by other native code). Its `close()` closes the
   * sockets made through it but leaves the libzmq context to its owner.
   *
   * @example
   * ```ts
   * import { Context, Pull } from "@deno-zmq/zmq";
   * self.onmessage = async (event) => {
   *   await using context = Context.fromAddress(event.data.context);
   *   using pull = new Pull({ context });
   *   pull.connect("inproc://work");
   * };
   * ```
   */
  static fromAddress(
    address: bigint,
    options: { backend?: BackendChoice } = {},
  ): Context {
    if (typeof address !== "bigint" || address <= 0n) {
      throw new TypeError(
        "Context.fromAddress expects the bigint from context.address",
      );
    }
    const backend = selectBackend(options.backend ?? "ffi");
    if (!backend.handleFromAddress) {
      throw new ZmqError(
        "ENOTSUP",
        backend.errnos.ENOTSUP,
        `Contexts of the ${backend.kind} backend cannot be shared`,
      );
    }
    const sharing: SharingOptions = {
      backend: backend.kind,
      [shareKey]: backend.handleFromAddress(address),
    };
    return new Context(sharing);
  }

  /**
   * Whether this context's libzmq was built with a capability (`zmq_has`):
   * "ipc", "pgm", "tipc", "norm", "curve", "gssapi", "draft".
   *
   * @example
   * ```ts
   * import { Context } from "@deno-zmq/zmq";
   * await using context = new Context({ backend: "wasm" });
   * console.log(context.has("curve")); // false: the WASM build has no CURVE
   * ```
   */
  has(capability: string): boolean {
    if (typeof capability !== "string") {
      throw new TypeError("has() expects a capability name");
    }
    return this.#backend.has(capability);
  }

  /** The backend this context uses: "ffi" or "wasm". */
  get backend(): BackendKind {
    return this.#backend.kind;
  }

  /** Whether {@link Context.close} was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Closes every socket of the context (rejecting their pending operations)
   * and terminates it. Resolves once libzmq has released everything; linger
   * periods of sockets with unsent messages are waited for without blocking.
   *
   * @example
   * ```ts
   * import { Context, Push } from "@deno-zmq/zmq";
   * const context = new Context();
   * const push = new Push({ context });
   * await context.close();
   * console.log(push.closed); // true
   * ```
   */
  close(): Promise<void> {
    this.#forgetOpen();
    return this.#closing ??= (async () => {
      this.#closeSockets();
      await this.#reactor?.close();
      if (!this.#owned) return;
      const rc = await this.#backend.contextTerm(this.#handle);
      if (rc !== 0) throw zmqError(this.#backend);
    })();
  }

  /** Closes every socket and terminates synchronously: only at process exit. */
  [terminateNow](): void {
    this.#forgetOpen();
    if (this.#closing || !this.#owned) return;
    this.#closing = Promise.resolve();
    const allClosed = this.#closeSockets();
    // Workers still running may hold sockets on a shared context: terminating
    // it would wait for them, or fail their pending operations while the
    // process ends. It ends with the process instead (without a linger flush).
    if (this.#sharedOut) return;
    if (!allClosed) {
      // A running Proxy's sockets close only once it hands them back, which
      // no longer happens: terminating would wait for them forever.
      this.#backend.contextShutdown(this.#handle);
      return;
    }
    // A poll may still be parked on a thread: it no longer matters at exit.
    this.#backend.contextTermAtExit(this.#handle);
  }

  #forgetOpen(): void {
    if (!this.#open) return;
    openContexts.delete(this.#open);
    collected.unregister(this);
    this.#open = undefined;
  }

  /** Closes every socket; false if some could only be asked to close (a Proxy's). */
  #closeSockets(): boolean {
    let allClosed = true;
    for (const entry of [...this.#sockets]) {
      const socket = entry.ref.deref();
      if (socket) {
        socket.close();
        if (!socket.closed) allClosed = false;
      } else entry.closeCollected(); // collected, finalizer still pending
    }
    return allClosed;
  }

  /** Same as {@link Context.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** @ignore */
  [optionGet](name: string, spec: OptionSpec): unknown {
    if (spec.access === "w") return writtenValue(this, name);
    const rc = this.#backend.contextGet(this.#handle, spec.id);
    if (rc < 0) throw zmqError(this.#backend, { option: name });
    return spec.type === "bool" ? rc !== 0 : rc;
  }

  /** @ignore */
  [optionSet](name: string, spec: OptionSpec, value: unknown): void {
    if (this.#closing) {
      throw new ZmqError(
        "ETERM",
        this.#backend.errnos.ETERM,
        "Context was closed",
      );
    }
    const bytes = encodeOption(name, spec, value);
    const n = new DataView(bytes.buffer, bytes.byteOffset).getInt32(0, true);
    if (this.#backend.contextSet(this.#handle, spec.id, n) !== 0) {
      throw zmqError(this.#backend, { option: name });
    }
    noteWritten(this, name, spec, value);
  }
}

defineOptions(Context.prototype, contextOptions);

/** Context option properties, generated from the option table. */
export interface Context extends OptionProperties<typeof contextOptions> {}
