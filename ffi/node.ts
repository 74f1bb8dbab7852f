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
import { PollReactor, type WakePipe } from "./reactor.ts";
import { LIBC_FUNCTIONS } from "./libc.ts";
import {
  type CFunction,
  type CKind,
  KEEP_FRAME_MAX as KEEP_MSG_MAX,
  LIBZMQ_FUNCTIONS,
  ZMQ_DONTWAIT as DONTWAIT,
  ZMQ_EVENTS,
  ZMQ_FD,
  ZMQ_MSG_T_SIZE as ZMQ_MSG_SIZE,
} from "../src/libzmq.ts";

/** The parts of koffi 3 this binding uses (pointers are BigInt). */
interface Koffi {
  load(path: string): KoffiLibrary;
}
interface KoffiLibrary {
  func(name: string, result: string, parameters: string[]): KoffiFunction;
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
  versions?: { node?: string };
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

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

/** A table of C functions as koffi functions, by name (optional ones may be missing). */
type Bound<T> = { [K in keyof T]: KoffiFunction };

const KOFFI_TYPES: Record<CKind, string> = {
  // Buffers and typed arrays go as `void *` (koffi passes their memory
  // directly; `_Out_` arrays would cost ~1 us per call); strings as
  // `const char *` (koffi encodes them as NUL-terminated UTF-8).
  handle: "void *",
  address: "void *",
  memory: "void *",
  string: "const char *",
  text: "const char *",
  int: "int",
  uint32: "uint32_t",
  size: "size_t",
  uint64: "uint64_t",
  ssize: "intptr_t",
  void: "void",
};

/** Binds the native entries of a C function table (blocking ones are called through `.async()`). */
function bind<T extends Record<string, CFunction>>(
  lib: KoffiLibrary,
  functions: T,
): Bound<T> {
  const out: Record<string, KoffiFunction> = {};
  for (const [name, fn] of Object.entries(functions) as [string, CFunction][]) {
    if (fn.in === "wasm") continue;
    try {
      out[name] = lib.func(
        fn.symbol ?? name,
        KOFFI_TYPES[fn.result],
        fn.args.map((kind) => KOFFI_TYPES[kind]),
      );
    } catch (err) {
      if (!fn.draft && !fn.optional) throw err;
    }
  }
  return out as Bound<T>;
}

type Zmq = Bound<typeof LIBZMQ_FUNCTIONS>;
type Libc = Bound<typeof LIBC_FUNCTIONS>;

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
  return bind(koffi.load(name), LIBC_FUNCTIONS);
}

function openZmq(koffi: Koffi, libc: Libc): Zmq {
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
    pinLibrary(libc, path);
    return bind(lib, LIBZMQ_FUNCTIONS);
  }
  throw libraryNotFound(candidates, errors);
}

/**
 * Keeps libzmq mapped until the process ends even if the library handle is
 * released, since libzmq's threads may still run its code at exit.
 */
function pinLibrary(libc: Libc, path: string): void {
  const RTLD_NOW = 2;
  const RTLD_NODELETE = nodeProcess?.platform === "darwin" ? 0x80 : 0x1000;
  libc.dlopen?.(path, RTLD_NOW | RTLD_NODELETE);
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
  return loaded = new NodeFfiBackend(openZmq(koffi, libc), libc);
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
      this.#poll,
    );
  }

  readonly #poll = (pollfds: Uint8Array, count: number): Promise<number> =>
    new Promise((resolve, reject) => {
      this.#libc.poll.async(
        pollfds,
        count,
        -1,
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
