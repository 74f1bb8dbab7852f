/**
 * The FFI backend on Node: the system libzmq through `koffi` (npm).
 *
 * The same design as the Deno binding: every call is a synchronous
 * ZMQ_DONTWAIT call on the JS thread; the only call that waits is libc
 * `poll()` in the {@link PollReactor}, run as a koffi async call (a worker
 * thread that only reads fds) so the event loop never stops.
 *
 * koffi is loaded lazily, synchronously and only on Node: importing this
 * module needs nothing, and Deno never loads it.
 *
 * @module
 */

import { createRequire } from "node:module";
import type { Backend, Handle, Reactor } from "../src/backend.ts";
import { ZmqError } from "../src/errors.ts";
import { errnosFor } from "./errnos.ts";
import { libraryCandidates, libraryNotFound } from "./library.ts";
import {
  PollReactor,
  timerPoll,
  type WakePipe,
  WORKER_POLL_MS,
} from "./reactor.ts";
import { onWorkerThread } from "../src/runtime.ts";
import { releaseAtThreadExit, type ThreadKeys } from "./thread_exit.ts";

/** The parts of koffi 3 this binding uses (pointers are BigInt). */
interface Koffi {
  load(path: string): KoffiLibrary;
}
interface KoffiLibrary {
  func(declaration: string): KoffiFunction;
}
// deno-lint-ignore no-explicit-any
type KoffiFunction = ((...args: any[]) => any) & {
  // deno-lint-ignore no-explicit-any
  async(...args: any[]): void;
};
/** A native pointer as koffi 3 represents it. */
type Pointer = bigint;

interface NodeProcess {
  platform: string;
  env: Record<string, string | undefined>;
  versions?: { node?: string; bun?: string };
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

const DONTWAIT = 1;
const ZMQ_EVENTS = 15;
const ZMQ_FD = 14;
const ZMQ_MSG_SIZE = 64;
/** Frames above this are released right after copying instead of kept in the reused zmq_msg_t. */
const KEEP_MSG_MAX = 64 * 1024;

/** Whether this is a Worker thread of Bun (see timerPoll in reactor.ts). */
function onBunWorker(): boolean {
  return nodeProcess?.versions?.bun !== undefined && onWorkerThread();
}

/** Whether this looks like Node (or a runtime compatible with its native addons). */
export function isNode(): boolean {
  return typeof nodeProcess?.versions?.node === "string" &&
    typeof (globalThis as { Deno?: unknown }).Deno === "undefined";
}

function loadKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)("koffi") as Koffi;
  } catch (err) {
    throw new ZmqError(
      "ENOENT",
      0,
      "The FFI backend on Node needs the koffi package (a dependency of deno-zmq): " +
        "reinstall deno-zmq, or use the WASM backend for inproc",
      { cause: err },
    );
  }
}

interface Zmq {
  zmq_version: KoffiFunction;
  zmq_has: KoffiFunction;
  zmq_errno: KoffiFunction;
  zmq_strerror: KoffiFunction;
  zmq_ctx_new: KoffiFunction;
  zmq_ctx_set: KoffiFunction;
  zmq_ctx_get: KoffiFunction;
  zmq_ctx_shutdown: KoffiFunction;
  zmq_ctx_term: KoffiFunction;
  zmq_socket: KoffiFunction;
  zmq_close: KoffiFunction;
  zmq_setsockopt: KoffiFunction;
  zmq_getsockopt: KoffiFunction;
  zmq_bind: KoffiFunction;
  zmq_connect: KoffiFunction;
  zmq_unbind: KoffiFunction;
  zmq_disconnect: KoffiFunction;
  zmq_send: KoffiFunction;
  zmq_msg_init: KoffiFunction;
  zmq_msg_close: KoffiFunction;
  zmq_msg_recv: KoffiFunction;
  zmq_msg_data: KoffiFunction;
  zmq_msg_more: KoffiFunction;
  zmq_socket_monitor: KoffiFunction;
  zmq_proxy_steerable: KoffiFunction;
  zmq_curve_keypair?: KoffiFunction;
  zmq_curve_public?: KoffiFunction;
}

/**
 * libzmq 4.3 prototypes. Buffers and typed arrays go as `void *` (koffi
 * passes their memory directly; `_Out_` arrays would cost ~1 us per call);
 * strings as `const char *` (koffi encodes them as NUL-terminated UTF-8).
 */
const ZMQ_PROTOTYPES: Record<keyof Zmq, string> = {
  zmq_version: "void zmq_version(void *major, void *minor, void *patch)",
  zmq_has: "int zmq_has(const char *capability)",
  zmq_errno: "int zmq_errno()",
  zmq_strerror: "const char *zmq_strerror(int errnum)",
  zmq_ctx_new: "void *zmq_ctx_new()",
  zmq_ctx_set: "int zmq_ctx_set(void *context, int option, int value)",
  zmq_ctx_get: "int zmq_ctx_get(void *context, int option)",
  zmq_ctx_shutdown: "int zmq_ctx_shutdown(void *context)",
  zmq_ctx_term: "int zmq_ctx_term(void *context)",
  zmq_socket: "void *zmq_socket(void *context, int type)",
  zmq_close: "int zmq_close(void *socket)",
  zmq_setsockopt:
    "int zmq_setsockopt(void *socket, int option, const void *value, size_t size)",
  zmq_getsockopt:
    "int zmq_getsockopt(void *socket, int option, void *value, void *size)",
  zmq_bind: "int zmq_bind(void *socket, const char *endpoint)",
  zmq_connect: "int zmq_connect(void *socket, const char *endpoint)",
  zmq_unbind: "int zmq_unbind(void *socket, const char *endpoint)",
  zmq_disconnect: "int zmq_disconnect(void *socket, const char *endpoint)",
  zmq_send:
    "int zmq_send(void *socket, const void *buffer, size_t size, int flags)",
  zmq_msg_init: "int zmq_msg_init(void *msg)",
  zmq_msg_close: "int zmq_msg_close(void *msg)",
  zmq_msg_recv: "int zmq_msg_recv(void *msg, void *socket, int flags)",
  zmq_msg_data: "void *zmq_msg_data(void *msg)",
  zmq_msg_more: "int zmq_msg_more(void *msg)",
  zmq_socket_monitor:
    "int zmq_socket_monitor(void *socket, const char *endpoint, int events)",
  // Runs until terminated through its control socket: called through .async().
  zmq_proxy_steerable:
    "int zmq_proxy_steerable(void *frontend, void *backend, void *capture, void *control)",
  zmq_curve_keypair:
    "int zmq_curve_keypair(void *public_key, void *secret_key)",
  zmq_curve_public:
    "int zmq_curve_public(void *public_key, const char *secret_key)",
};
const OPTIONAL_ZMQ = new Set<keyof Zmq>([
  "zmq_curve_keypair",
  "zmq_curve_public",
]);

interface Libc {
  poll: KoffiFunction;
  eventfd?: KoffiFunction;
  pipe: KoffiFunction;
  write: KoffiFunction;
  read: KoffiFunction;
  close: KoffiFunction;
  memcpy: KoffiFunction;
  dlopen?: KoffiFunction;
  dlsym?: KoffiFunction;
  pthread_key_create?: KoffiFunction;
  pthread_setspecific?: KoffiFunction;
  pthread_key_delete?: KoffiFunction;
}

const LIBC_PROTOTYPES: Record<keyof Libc, string> = {
  // Blocks until a watched fd fires: always called through .async().
  poll: "int poll(void *fds, uint64_t nfds, int timeout)",
  eventfd: "int eventfd(unsigned int initval, int flags)",
  pipe: "int pipe(void *fds)",
  write: "intptr_t write(int fd, const void *buf, size_t count)",
  read: "intptr_t read(int fd, void *buf, size_t count)",
  close: "int close(int fd)",
  // Copies received frames out of libzmq.
  memcpy: "void *memcpy(void *dest, void *src, size_t n)",
  // Pins libzmq in memory (RTLD_NODELETE), see pinLibrary.
  dlopen: "void *dlopen(const char *path, int flags)",
  // Release a Worker's handles when its thread ends (thread_exit.ts).
  dlsym: "void *dlsym(void *handle, const char *name)",
  pthread_key_create: "int pthread_key_create(void *key, void *destructor)",
  pthread_setspecific: "int pthread_setspecific(uint32_t key, void *value)",
  pthread_key_delete: "int pthread_key_delete(uint32_t key)",
};
const OPTIONAL_LIBC = new Set<keyof Libc>([
  "eventfd",
  "dlopen",
  "dlsym",
  "pthread_key_create",
  "pthread_setspecific",
  "pthread_key_delete",
]);

function bind<T extends object>(
  lib: KoffiLibrary,
  prototypes: Record<string, string>,
  optional: Set<string> = new Set(),
): T {
  const out: Record<string, KoffiFunction> = {};
  for (const [name, prototype] of Object.entries(prototypes)) {
    try {
      out[name] = lib.func(prototype);
    } catch (err) {
      if (!optional.has(name)) throw err;
    }
  }
  return out as T;
}

function envLibraryPath(): string | undefined {
  try {
    return nodeProcess?.env.ZMQ_LIB_PATH || undefined;
  } catch {
    return undefined;
  }
}

function openLibc(koffi: Koffi): Libc {
  const os = nodeProcess?.platform;
  const name = os === "darwin"
    ? "libSystem.B.dylib"
    : os === "linux"
    ? "libc.so.6"
    : "libc.so";
  return bind<Libc>(koffi.load(name), LIBC_PROTOTYPES, OPTIONAL_LIBC);
}

function openZmq(
  koffi: Koffi,
  libc: Libc,
): { zmq: Zmq; pinned: Pointer | null } {
  const candidates = libraryCandidates(
    nodeProcess?.platform ?? "linux",
    envLibraryPath(),
  );
  const errors: unknown[] = [];
  for (const path of candidates) {
    let lib: KoffiLibrary;
    try {
      lib = koffi.load(path);
    } catch (err) {
      errors.push(err);
      continue;
    }
    const pinned = pinLibrary(libc, path);
    return { zmq: bind<Zmq>(lib, ZMQ_PROTOTYPES, OPTIONAL_ZMQ), pinned };
  }
  throw libraryNotFound(candidates, errors);
}

/**
 * Keeps libzmq mapped until the process ends even if the library handle is
 * released, since libzmq's threads may still run its code at exit.
 */
function pinLibrary(libc: Libc, path: string): Pointer | null {
  const RTLD_NOW = 2;
  const RTLD_NODELETE = nodeProcess?.platform === "darwin" ? 0x80 : 0x1000;
  return libc.dlopen?.(path, RTLD_NOW | RTLD_NODELETE) ?? null;
}

/** pthread keys whose destructors are libzmq functions (see thread_exit.ts). */
function threadKeys(libc: Libc, zmq: Pointer | null): ThreadKeys | null {
  const { dlsym, pthread_key_create, pthread_setspecific, pthread_key_delete } =
    libc;
  if (!zmq || !dlsym || !pthread_key_create || !pthread_setspecific) {
    return null;
  }
  const key = new Uint32Array(new ArrayBuffer(64), 0, 1);
  return {
    create: (release) => {
      const destructor = dlsym(zmq, release);
      return destructor && pthread_key_create(key, destructor) === 0
        ? key[0]
        : -1;
    },
    set: (k, handle) => void pthread_setspecific(k, handle),
    delete: (k) => void pthread_key_delete?.(k),
  };
}

const textDecoder = new TextDecoder();
/** A NUL-terminated string in a buffer. */
function zString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return textDecoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

let loaded: NodeFfiBackend | undefined;

/** Loads koffi and libzmq once per process and returns the backend; throws ZmqError when it cannot. */
export function loadNodeFfi(): Backend {
  if (loaded) return loaded;
  const koffi = loadKoffi();
  const libc = openLibc(koffi);
  const { zmq, pinned } = openZmq(koffi, libc);
  loaded = new NodeFfiBackend(zmq, libc);
  releaseAtThreadExit(loaded, threadKeys(libc, pinned), onWorkerThread());
  return loaded;
}

class NodeFfiBackend implements Backend {
  readonly kind = "ffi";
  readonly errnos = errnosFor(nodeProcess?.platform ?? "linux");
  readonly #zmq: Zmq;
  readonly #libc: Libc;
  // One zmq_msg_t reused for every receive; frames are copied out at once.
  readonly #msg = new Uint8Array(new ArrayBuffer(ZMQ_MSG_SIZE));
  #frameSize = 0;
  #more = false;
  readonly #int = new Int32Array(new ArrayBuffer(64), 0, 1);
  readonly #len = new BigUint64Array(new ArrayBuffer(64), 0, 1);
  // Hot functions, looked up once.
  readonly #send: KoffiFunction;
  readonly #msgRecv: KoffiFunction;
  readonly #msgMore: KoffiFunction;
  readonly #msgData: KoffiFunction;
  readonly #getsockopt: KoffiFunction;
  readonly #memcpy: KoffiFunction;

  constructor(zmq: Zmq, libc: Libc) {
    this.#zmq = zmq;
    this.#libc = libc;
    this.#send = zmq.zmq_send;
    this.#msgRecv = zmq.zmq_msg_recv;
    this.#msgMore = zmq.zmq_msg_more;
    this.#msgData = zmq.zmq_msg_data;
    this.#getsockopt = zmq.zmq_getsockopt;
    this.#memcpy = libc.memcpy;
    zmq.zmq_msg_init(this.#msg);
  }

  version(): [number, number, number] {
    const parts = new Int32Array(new ArrayBuffer(64), 0, 3);
    const view = (i: number) => parts.subarray(i, i + 1);
    this.#zmq.zmq_version(view(0), view(1), view(2));
    return [parts[0], parts[1], parts[2]];
  }
  has(capability: string): boolean {
    return this.#zmq.zmq_has(capability) === 1;
  }
  errno(): number {
    return this.#zmq.zmq_errno();
  }
  strerror(errno: number): string {
    return this.#zmq.zmq_strerror(errno) ?? `errno ${errno}`;
  }

  contextNew(): Handle | null {
    return this.#zmq.zmq_ctx_new() ?? null;
  }
  contextSet(context: Handle, option: number, value: number): number {
    return this.#zmq.zmq_ctx_set(context as Pointer, option, value);
  }
  contextGet(context: Handle, option: number): number {
    return this.#zmq.zmq_ctx_get(context as Pointer, option);
  }
  contextShutdown(context: Handle): number {
    return this.#zmq.zmq_ctx_shutdown(context as Pointer);
  }
  contextTerm(context: Handle): Promise<number> {
    // Waits for sockets to close and linger to pass: run off the JS thread.
    return new Promise((resolve, reject) => {
      this.#zmq.zmq_ctx_term.async(
        context as Pointer,
        (err: unknown, rc: number) => err ? reject(err) : resolve(rc),
      );
    });
  }
  contextTermAtExit(context: Handle): number {
    // At process exit only: flushes lingering messages before the process ends.
    return this.#zmq.zmq_ctx_term(context as Pointer);
  }

  socketNew(context: Handle, type: number): Handle | null {
    return this.#zmq.zmq_socket(context as Pointer, type) ?? null;
  }
  socketClose(socket: Handle): number {
    return this.#zmq.zmq_close(socket as Pointer);
  }
  setOption(socket: Handle, option: number, value: Uint8Array): number {
    return this.#zmq.zmq_setsockopt(
      socket as Pointer,
      option,
      value,
      value.byteLength,
    );
  }
  getOption(socket: Handle, option: number, into: Uint8Array): number {
    this.#len[0] = BigInt(into.byteLength);
    const rc = this.#getsockopt(socket as Pointer, option, into, this.#len);
    return rc < 0 ? rc : Number(this.#len[0]);
  }
  events(socket: Handle): number {
    return this.#getInt(socket, ZMQ_EVENTS);
  }
  #getInt(socket: Handle, option: number): number {
    this.#len[0] = 4n;
    const rc = this.#getsockopt(
      socket as Pointer,
      option,
      this.#int,
      this.#len,
    );
    return rc < 0 ? rc : this.#int[0];
  }

  bind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_bind(socket as Pointer, endpoint);
  }
  connect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_connect(socket as Pointer, endpoint);
  }
  unbind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_unbind(socket as Pointer, endpoint);
  }
  disconnect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_disconnect(socket as Pointer, endpoint);
  }

  send(socket: Handle, frame: Uint8Array, flags: number): number {
    return this.#send(
      socket as Pointer,
      frame,
      frame.byteLength,
      flags | DONTWAIT,
    );
  }
  receive(socket: Handle): number {
    const size = this.#msgRecv(this.#msg, socket as Pointer, DONTWAIT);
    if (size >= 0) {
      this.#frameSize = size;
      this.#more = this.#msgMore(this.#msg) === 1;
    }
    return size;
  }
  readFrame(into: Uint8Array): void {
    if (this.#frameSize > 0) {
      this.#memcpy(into, this.#msgData(this.#msg), this.#frameSize);
    }
    if (this.#frameSize > KEEP_MSG_MAX) {
      // Do not keep a big frame alive until the next receive.
      this.#zmq.zmq_msg_close(this.#msg);
      this.#zmq.zmq_msg_init(this.#msg);
    }
  }
  receivedMore(): boolean {
    return this.#more;
  }

  socketMonitor(
    socket: Handle,
    endpoint: string | null,
    events: number,
  ): number {
    return this.#zmq.zmq_socket_monitor(socket as Pointer, endpoint, events);
  }
  proxySteerable(
    frontend: Handle,
    backend: Handle,
    capture: Handle | null,
    control: Handle,
  ): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#zmq.zmq_proxy_steerable.async(
        frontend as Pointer,
        backend as Pointer,
        capture as Pointer | null,
        control as Pointer,
        (err: unknown, rc: number) => err ? reject(err) : resolve(rc),
      );
    });
  }
  curveKeypair(): { publicKey: string; secretKey: string } | null {
    const publicKey = new Uint8Array(41), secretKey = new Uint8Array(41);
    if (this.#zmq.zmq_curve_keypair?.(publicKey, secretKey) !== 0) return null;
    return { publicKey: zString(publicKey), secretKey: zString(secretKey) };
  }
  curvePublic(secretKey: string): string | null {
    const publicKey = new Uint8Array(41);
    if (this.#zmq.zmq_curve_public?.(publicKey, secretKey) !== 0) return null;
    return zString(publicKey);
  }
  handleAddress(handle: Handle): bigint {
    // koffi 3 represents pointers as BigInt addresses already.
    return BigInt(handle as Pointer);
  }
  handleFromAddress(address: bigint): Handle {
    return address;
  }

  createReactor(_context: Handle): Reactor {
    return new PollReactor(
      this.#wakePipe(),
      (socket) => this.#getInt(socket, ZMQ_FD),
      onBunWorker()
        ? timerPoll((pollfds, count) => this.#libc.poll(pollfds, count, 0))
        : this.#poll,
      onWorkerThread() ? WORKER_POLL_MS : -1,
    );
  }

  readonly #poll = (
    pollfds: Uint8Array,
    count: number,
    timeoutMs: number,
  ): Promise<number> =>
    new Promise((resolve, reject) => {
      this.#libc.poll.async(
        pollfds,
        count,
        timeoutMs,
        (err: unknown, rc: number) => err ? reject(err) : resolve(rc),
      );
    });

  #wakePipe(): WakePipe {
    const libc = this.#libc;
    const EFD_NONBLOCK = 0o4000, EFD_CLOEXEC = 0o2000000;
    let readFd: number, writeFd: number;
    const efd = libc.eventfd ? libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
    if (efd >= 0) {
      readFd = writeFd = efd;
    } else {
      const fds = new Int32Array(new ArrayBuffer(64), 0, 2);
      if (libc.pipe(fds) !== 0) {
        throw new ZmqError(
          "EMFILE",
          0,
          "Cannot create the reactor's wake-up pipe",
        );
      }
      [readFd, writeFd] = fds;
    }
    const one = new Uint8Array(new BigUint64Array([1n]).buffer);
    const scratch = new Uint8Array(64);
    return {
      fd: readFd,
      signal: () => void libc.write(writeFd, one, 8),
      drain: () => void libc.read(readFd, scratch, 64),
      close: () => {
        libc.close(readFd);
        if (writeFd !== readFd) libc.close(writeFd);
      },
    };
  }
}
