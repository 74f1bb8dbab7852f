/**
 * The native binding of the system libzmq, written once for both runtimes.
 *
 * Every call is a synchronous ZMQ_DONTWAIT call on the JS thread; the only
 * call that waits is libc `poll()` in the {@link PollReactor}, run off the JS
 * thread so the event loop never stops. A {@link NativeRuntime} (`deno.ts`:
 * `Deno.dlopen`; `node.ts`: koffi) supplies only the call mechanics: how a
 * library is opened, how sizes, strings and pointers cross, and how a
 * blocking call runs off the JS thread.
 *
 * @module
 */

import type { Backend, Handle, Reactor } from "../src/backend.ts";
import { type ErrnoTable, ZmqError } from "../src/errors.ts";
import {
  type CFunction,
  type CKind,
  KEEP_FRAME_MAX,
  LIBZMQ_FUNCTIONS,
  ZMQ_DONTWAIT,
  ZMQ_EVENTS,
  ZMQ_FD,
  ZMQ_MSG_T_SIZE,
} from "../src/libzmq.ts";
import { SocketType } from "../src/socket_types.ts";
import { errnosFor } from "./errnos.ts";
import { keyRegistry } from "./key_registry.ts";
import { LIBC_FUNCTIONS } from "./libc.ts";
import { libraryCandidates, libraryNotFound } from "./library.ts";
import { calibrateMsgLayout, type MsgLayout } from "./msg_layout.ts";
import {
  PollReactor,
  RECHECK_MS,
  timerPoll,
  type WakePipe,
  WORKER_POLL_MS,
} from "./reactor.ts";
import { onWorkerThread } from "../src/runtime.ts";
import {
  type Release,
  releaseAtThreadExit,
  type ThreadExitRelease,
  threadExitRelease,
  type ThreadKeys,
} from "./thread_exit.ts";

/** A native pointer as the runtime represents it (a Deno pointer object or null, a koffi BigInt). */
export type Pointer = unknown;
/** A `size_t` argument as the runtime takes it (see {@link NativeRuntime.size}). */
export type Size = unknown;
/** A `const char *` argument as the runtime takes it (see {@link NativeRuntime.string}). */
export type CString = unknown;

type Arg<K extends CKind> = K extends "handle" | "address" ? Pointer
  : K extends "memory" ? Uint8Array | Int32Array | BigUint64Array
  : K extends "string" ? CString | null
  : K extends "size" | "uint64" ? Size
  : number;
type Result<K extends CKind> = K extends "handle" | "address" | "text" ? Pointer
  : K extends "void" ? void
  : number;
type Args<A extends readonly CKind[]> = { -readonly [I in keyof A]: Arg<A[I]> };
type Call<F extends CFunction, Sync extends boolean> = (
  ...args: Args<F["args"]>
) => Sync extends true ? Result<F["result"]> : Promise<Result<F["result"]>>;
type Maybe<F, T> = F extends { draft: true } | { optional: true }
  ? T | undefined
  : T;

/**
 * The native functions of a C table as a runtime binds them: blocking ones
 * return a Promise (they run off the JS thread) and have a `<name>_sync`
 * twin; optional ones may be missing.
 */
export type Calls<T extends Record<string, CFunction>> =
  & {
    readonly [K in keyof T as T[K] extends { in: "wasm" } ? never : K]: Maybe<
      T[K],
      Call<T[K], T[K] extends { blocking: true } ? false : true>
    >;
  }
  & {
    readonly [
      K in keyof T as T[K] extends { blocking: true } ? `${K & string}_sync`
        : never
    ]: Call<T[K], true>;
  };

/** libzmq as a runtime binds it. */
export type ZmqCalls = Calls<typeof LIBZMQ_FUNCTIONS>;
/** libc as a runtime binds it. */
export type LibcCalls = Calls<typeof LIBC_FUNCTIONS>;

/** The per-runtime call mechanics of the native binding. */
export interface NativeRuntime {
  /** The operating system, as Deno and Node spell it ("linux", "darwin", ...). */
  readonly os: string;
  /** ZMQ_LIB_PATH, when set and readable. */
  libraryOverride(): string | undefined;
  /** Opens a library and binds the native functions of a table; throws when it cannot. */
  open<T extends Record<string, CFunction>>(
    path: string,
    functions: T,
  ): Calls<T>;
  /** Turns an error of `open` into the one to throw at once (e.g. a missing permission), or undefined to try the next candidate. */
  fatal?(error: unknown): ZmqError | undefined;
  /** A `size_t` argument (Deno: a BigInt, for V8's fast calls). */
  size(n: number): Size;
  /** A `const char *` argument. */
  string(text: string): CString;
  /** A `text` result as a JS string (null for a null pointer). */
  text(result: Pointer): string | null;
  /** A pointer's address. */
  address(pointer: Pointer): bigint;
  /** The pointer at an address. */
  pointer(address: bigint): Pointer;
  /**
   * How the reactor's poll waits on a Worker thread of this runtime (the main
   * thread always waits without bound): "unbounded" where terminating a
   * Worker does not wait for its off-thread call (Deno), "bounded" where it
   * does (Node: see WORKER_POLL_MS), "timer" where a call returning after its
   * Worker was terminated crashes the process (Bun: see timerPoll).
   */
  readonly workerPoll: "unbounded" | "bounded" | "timer";
}

function libcName(os: string): string {
  return os === "darwin"
    ? "libSystem.B.dylib"
    : os === "linux"
    ? "libc.so.6"
    : "libc.so";
}

/**
 * Opens libc and libzmq and returns the backend; throws ZmqError when it
 * cannot. Called once per process by each runtime's loader.
 */
export function loadNative(runtime: NativeRuntime): Backend {
  const open = <T extends Record<string, CFunction>>(
    path: string,
    table: T,
  ) => {
    try {
      return runtime.open(path, table);
    } catch (err) {
      throw runtime.fatal?.(err) ?? err;
    }
  };
  const libc = open(libcName(runtime.os), LIBC_FUNCTIONS);
  const candidates = libraryCandidates(runtime.os, runtime.libraryOverride());
  const errors: unknown[] = [];
  for (const path of candidates) {
    let zmq: ZmqCalls;
    try {
      zmq = open(path, LIBZMQ_FUNCTIONS);
    } catch (err) {
      if (err instanceof ZmqError) throw err;
      errors.push(err);
      continue;
    }
    const pinned = pinLibrary(runtime, libc, path);
    const held = threadExitRelease(
      threadKeys(runtime, libc, pinned),
      onWorkerThread(),
    );
    const backend = new NativeBackend(runtime, zmq, libc, held);
    releaseAtThreadExit(backend, held);
    return backend;
  }
  throw libraryNotFound(candidates, errors);
}

/**
 * Runtimes may unload FFI libraries when they shut down, while libzmq's
 * reaper and I/O threads may still be running its code: a segfault at exit.
 * A second dlopen with RTLD_NODELETE keeps libzmq mapped until the process ends.
 */
function pinLibrary(
  runtime: NativeRuntime,
  libc: LibcCalls,
  path: string,
): Pointer {
  const RTLD_NOW = 2;
  const RTLD_NODELETE = runtime.os === "darwin" ? 0x80 : 0x1000;
  return libc.dlopen?.(runtime.string(path), RTLD_NOW | RTLD_NODELETE) ?? null;
}

/** pthread keys whose destructors are libzmq functions (see thread_exit.ts). */
function threadKeys(
  runtime: NativeRuntime,
  libc: LibcCalls,
  zmq: Pointer,
): ThreadKeys | null {
  const {
    dlsym,
    pthread_key_create,
    pthread_setspecific,
    pthread_getspecific,
    pthread_key_delete,
  } = libc;
  if (!zmq || !dlsym || !pthread_key_create || !pthread_setspecific) {
    return null;
  }
  const key = new Int32Array(new ArrayBuffer(8), 0, 1); // pthread_key_t: unsigned int
  const create = (release: Release) => {
    const destructor = dlsym(zmq, runtime.string(release));
    return destructor && pthread_key_create(key, destructor) === 0
      ? key[0] >>> 0
      : -1;
  };
  let registry: ReturnType<typeof keyRegistry> | undefined;
  return {
    create,
    set: (k, handle) => void pthread_setspecific(k, handle),
    isFree: (k) =>
      !pthread_getspecific || runtime.address(pthread_getspecific(k)) === 0n,
    fdValue: (fd) => runtime.pointer(BigInt(fd)),
    delete: (k) => void pthread_key_delete?.(k),
    // Built when a Worker first holds a handle: the main thread needs none.
    sharedChunk: (index) =>
      (registry ??= keyRegistry(runtime, libc, create))?.(index) ?? null,
  };
}

const decoder = new TextDecoder();
/** A NUL-terminated string in a buffer. */
function zString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Memory for one call's out-parameter (off the V8 heap, so its address holds). */
function cell(bytes: number): Uint8Array {
  return new Uint8Array(new ArrayBuffer(bytes));
}

class NativeBackend implements Backend {
  readonly kind = "ffi";
  readonly errnos: ErrnoTable;
  readonly #rt: NativeRuntime;
  readonly #zmq: ZmqCalls;
  readonly #libc: LibcCalls;
  // One zmq_msg_t reused for every receive; frames are copied out at once.
  readonly #msg = cell(ZMQ_MSG_T_SIZE);
  // A second zmq_msg_t for draft sends (routing ids and groups ride on it).
  readonly #sendMsg = cell(ZMQ_MSG_T_SIZE);
  #frameSize = 0;
  #more = false;
  // The measured layout of small frames in zmq_msg_t, or null (see msg_layout.ts).
  readonly #layout: MsgLayout | null;
  #inline = false;
  readonly #int = new Int32Array(new ArrayBuffer(8), 0, 1);
  readonly #len = new BigUint64Array(new ArrayBuffer(8), 0, 1);
  readonly #size: (n: number) => Size;
  // On a Worker thread: closes the reactors' wake-up fds if it is terminated.
  readonly #threadExit: ThreadExitRelease | null;

  constructor(
    runtime: NativeRuntime,
    zmq: ZmqCalls,
    libc: LibcCalls,
    threadExit: ThreadExitRelease | null,
  ) {
    this.#rt = runtime;
    this.#threadExit = threadExit;
    this.#zmq = zmq;
    this.#libc = libc;
    this.#size = runtime.size;
    this.errnos = errnosFor(runtime.os);
    zmq.zmq_msg_init(this.#msg);
    zmq.zmq_msg_init(this.#sendMsg);
    this.#layout = this.#calibrate();
  }

  version(): [number, number, number] {
    const parts = new Int32Array(new ArrayBuffer(12));
    const view = (i: number) => parts.subarray(i, i + 1);
    this.#zmq.zmq_version(view(0), view(1), view(2));
    return [parts[0], parts[1], parts[2]];
  }
  has(capability: string): boolean {
    return this.#zmq.zmq_has(this.#rt.string(capability)) === 1;
  }
  errno(): number {
    return this.#zmq.zmq_errno();
  }
  strerror(errno: number): string {
    return this.#rt.text(this.#zmq.zmq_strerror(errno)) ?? `errno ${errno}`;
  }

  contextNew(): Handle | null {
    return this.#zmq.zmq_ctx_new() ?? null;
  }
  contextSet(context: Handle, option: number, value: number): number {
    return this.#zmq.zmq_ctx_set(context, option, value);
  }
  contextGet(context: Handle, option: number): number {
    return this.#zmq.zmq_ctx_get(context, option);
  }
  contextShutdown(context: Handle): number {
    return this.#zmq.zmq_ctx_shutdown(context);
  }
  contextTerm(context: Handle): Promise<number> {
    return this.#zmq.zmq_ctx_term(context);
  }
  contextTermAtExit(context: Handle): number {
    // At process exit only: flushes lingering messages before the process ends.
    return this.#zmq.zmq_ctx_term_sync(context);
  }

  socketNew(context: Handle, type: number): Handle | null {
    return this.#zmq.zmq_socket(context, type) ?? null;
  }
  socketClose(socket: Handle): number {
    return this.#zmq.zmq_close(socket);
  }
  setOption(socket: Handle, option: number, value: Uint8Array): number {
    return this.#zmq.zmq_setsockopt(
      socket,
      option,
      value,
      this.#size(value.byteLength),
    );
  }
  getOption(socket: Handle, option: number, into: Uint8Array): number {
    this.#len[0] = BigInt(into.byteLength);
    const rc = this.#zmq.zmq_getsockopt(socket, option, into, this.#len);
    return rc < 0 ? rc : Number(this.#len[0]);
  }
  events(socket: Handle): number {
    return this.#getInt(socket, ZMQ_EVENTS);
  }
  #getInt(socket: Handle, option: number): number {
    this.#len[0] = 4n;
    const rc = this.#zmq.zmq_getsockopt(socket, option, this.#int, this.#len);
    return rc < 0 ? rc : this.#int[0];
  }

  bind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_bind(socket, this.#rt.string(endpoint));
  }
  connect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_connect(socket, this.#rt.string(endpoint));
  }
  unbind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_unbind(socket, this.#rt.string(endpoint));
  }
  disconnect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_disconnect(socket, this.#rt.string(endpoint));
  }

  send(socket: Handle, frame: Uint8Array, flags: number): number {
    return this.#zmq.zmq_send(
      socket,
      frame,
      this.#size(frame.byteLength),
      flags | ZMQ_DONTWAIT,
    );
  }
  receive(socket: Handle): number {
    const msg = this.#msg;
    const size = this.#zmq.zmq_msg_recv(msg, socket, ZMQ_DONTWAIT);
    if (size >= 0) {
      this.#frameSize = size;
      const layout = this.#layout;
      // Small frames: data and MORE flag read from the struct (see msg_layout.ts).
      this.#inline = layout !== null && msg[layout.type] === layout.vsmType;
      this.#more = this.#inline
        ? (msg[layout!.flags] & 1) === 1
        : this.#zmq.zmq_msg_more(msg) === 1;
    }
    return size;
  }
  readFrame(into: Uint8Array): void {
    const size = this.#frameSize;
    if (this.#inline) {
      const msg = this.#msg, start = this.#layout!.data;
      for (let i = 0; i < size; i++) into[i] = msg[start + i];
      return;
    }
    if (size > 0) {
      const data = this.#zmq.zmq_msg_data(this.#msg);
      this.#libc.memcpy(into, data, this.#size(size));
    }
    if (size > KEEP_FRAME_MAX) {
      // Do not keep a big frame alive until the next receive.
      this.#zmq.zmq_msg_close(this.#msg);
      this.#zmq.zmq_msg_init(this.#msg);
    }
  }
  receivedMore(): boolean {
    return this.#more;
  }

  #calibrate(): MsgLayout | null {
    const zmq = this.#zmq, rt = this.#rt;
    let context: Pointer = null;
    const sockets: Pointer[] = [];
    return calibrateMsgLayout({
      pair: () => {
        context = zmq.zmq_ctx_new();
        const pair = SocketType.Pair;
        const [a, b] = [
          zmq.zmq_socket(context, pair),
          zmq.zmq_socket(context, pair),
        ];
        sockets.push(a, b);
        const endpoint = rt.string(
          `inproc://deno-zmq-calibration-${Math.random()}`,
        );
        zmq.zmq_bind(a, endpoint);
        zmq.zmq_connect(b, endpoint);
        return [a, b];
      },
      send: (socket, data, flags) =>
        zmq.zmq_send(
          socket,
          data,
          this.#size(data.length),
          flags | ZMQ_DONTWAIT,
        ),
      recv: (msg, socket) => zmq.zmq_msg_recv(msg, socket, ZMQ_DONTWAIT),
      more: (msg) => zmq.zmq_msg_more(msg) === 1,
      dataOffset: (msg) => {
        const data = zmq.zmq_msg_data(msg);
        // memcpy returns its destination: the address of `msg` itself.
        const base = this.#libc.memcpy(msg, data, this.#size(0));
        return Number(rt.address(data) - rt.address(base));
      },
      done: () => {
        for (const socket of sockets) zmq.zmq_close(socket);
        // Synchronous: nothing lingers on a closed inproc pair.
        if (context) zmq.zmq_ctx_term_sync(context);
      },
    }, this.#msg);
  }

  socketMonitor(
    socket: Handle,
    endpoint: string | null,
    events: number,
  ): number {
    return this.#zmq.zmq_socket_monitor(
      socket,
      endpoint === null ? null : this.#rt.string(endpoint),
      events,
    );
  }
  proxySteerable(
    frontend: Handle,
    backend: Handle,
    capture: Handle | null,
    control: Handle,
  ): Promise<number> {
    return this.#zmq.zmq_proxy_steerable(frontend, backend, capture, control);
  }
  curveKeypair(): { publicKey: string; secretKey: string } | null {
    const publicKey = cell(41), secretKey = cell(41);
    if (this.#zmq.zmq_curve_keypair(publicKey, secretKey) !== 0) return null;
    return { publicKey: zString(publicKey), secretKey: zString(secretKey) };
  }
  curvePublic(secretKey: string): string | null {
    const publicKey = cell(41);
    const rc = this.#zmq.zmq_curve_public(
      publicKey,
      this.#rt.string(secretKey),
    );
    return rc === 0 ? zString(publicKey) : null;
  }
  yieldThread(): void {
    this.#libc.sched_yield();
  }
  handleAddress(handle: Handle): bigint {
    return this.#rt.address(handle);
  }
  handleFromAddress(address: bigint): Handle {
    return this.#rt.pointer(address);
  }

  msgInitSize(frame: Uint8Array): number {
    const zmq = this.#zmq, msg = this.#sendMsg, size = frame.byteLength;
    const rc = zmq.zmq_msg_init_size(msg, this.#size(size));
    if (rc === 0 && size > 0) {
      this.#libc.memcpy_in(zmq.zmq_msg_data(msg), frame, this.#size(size));
    }
    return rc;
  }
  msgSetRoutingId(routingId: number): number {
    return this.#zmq.zmq_msg_set_routing_id?.(this.#sendMsg, routingId) ?? -1;
  }
  msgSetGroup(group: string): number {
    return this.#zmq.zmq_msg_set_group?.(
      this.#sendMsg,
      this.#rt.string(group),
    ) ?? -1;
  }
  msgSend(socket: Handle): number {
    return this.#zmq.zmq_msg_send(this.#sendMsg, socket, ZMQ_DONTWAIT);
  }
  msgClose(): number {
    return this.#zmq.zmq_msg_close(this.#sendMsg);
  }
  receivedRoutingId(): number {
    return this.#zmq.zmq_msg_routing_id?.(this.#msg) ?? 0;
  }
  receivedGroup(): string {
    const group = this.#zmq.zmq_msg_group?.(this.#msg);
    return group === undefined ? "" : this.#rt.text(group) ?? "";
  }
  join(socket: Handle, group: string): number {
    return this.#zmq.zmq_join?.(socket, this.#rt.string(group)) ?? -1;
  }
  leave(socket: Handle, group: string): number {
    return this.#zmq.zmq_leave?.(socket, this.#rt.string(group)) ?? -1;
  }
  connectPeer(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_connect_peer?.(socket, this.#rt.string(endpoint)) ??
      0;
  }

  createReactor(_context: Handle): Reactor {
    const wait = onWorkerThread() ? this.#rt.workerPoll : "unbounded";
    return new PollReactor(
      this.#wakePipe(),
      (socket) => this.#getInt(socket, ZMQ_FD),
      wait === "timer"
        ? timerPoll((fds, n) => this.#libc.poll_sync(fds, this.#size(n), 0))
        : this.#poll,
      wait === "bounded" ? WORKER_POLL_MS : RECHECK_MS,
    );
  }

  readonly #poll = (
    pollfds: Uint8Array,
    count: number,
    timeoutMs: number,
  ): Promise<number> => this.#libc.poll(pollfds, this.#size(count), timeoutMs);

  #wakePipe(): WakePipe {
    const libc = this.#libc, size = this.#size;
    const EFD_NONBLOCK = 0o4000, EFD_CLOEXEC = 0o2000000;
    let readFd: number, writeFd: number;
    const efd = libc.eventfd ? libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
    if (efd >= 0) {
      readFd = writeFd = efd;
    } else {
      const fds = new Int32Array(new ArrayBuffer(8));
      if (libc.pipe(fds) !== 0) {
        throw new ZmqError(
          "EMFILE",
          0,
          "Cannot create the reactor's wake-up pipe",
        );
      }
      [readFd, writeFd] = fds;
    }
    const fds = readFd === writeFd ? [readFd] : [readFd, writeFd];
    for (const fd of fds) this.#threadExit?.fdOpened(fd);
    const one = new Uint8Array(new BigUint64Array([1n]).buffer);
    const scratch = cell(64);
    return {
      fd: readFd,
      signal: () => void libc.write(writeFd, one, size(8)),
      drain: () => void libc.read(readFd, scratch, size(64)),
      close: () => {
        for (const fd of fds) {
          this.#threadExit?.fdClosed(fd);
          libc.close(fd);
        }
      },
    };
  }
}
