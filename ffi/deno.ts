/**
 * The FFI backend on Deno: `Deno.dlopen` of the system libzmq.
 *
 * Every call is a synchronous ZMQ_DONTWAIT call on the JS thread; the only
 * call that waits is libc `poll()` in the {@link PollReactor}, run as a
 * nonblocking FFI call so the event loop never stops.
 *
 * @module
 */

import type { Backend, Handle, Reactor } from "../src/backend.ts";
import { ZmqError } from "../src/errors.ts";
import { errnosFor } from "./errnos.ts";
import { libcSymbols, zmqSymbols } from "./deno_symbols.ts";
import { libraryCandidates, libraryNotFound } from "./library.ts";
import { PollReactor, type WakePipe } from "./reactor.ts";
import { onWorkerThread } from "../src/runtime.ts";
import { releaseAtThreadExit, type ThreadKeys } from "./thread_exit.ts";
import { calibrateMsgLayout, type MsgLayout } from "./msg_layout.ts";

type Zmq = Deno.DynamicLibrary<typeof zmqSymbols>["symbols"];
type Libc = Deno.DynamicLibrary<typeof libcSymbols>["symbols"];

const DONTWAIT = 1;
const ZMQ_EVENTS = 15;
const ZMQ_FD = 14;
const ZMQ_MSG_SIZE = 64;
/** Frames above this are released right after copying instead of kept in the reused zmq_msg_t. */
const KEEP_MSG_MAX = 64 * 1024;

const encoder = new TextEncoder();
// size_t arguments must be BigInts to stay on the fast-call path; allocating
// one per send shows in profiles, so small sizes come from a table.
const SIZES = Array.from({ length: 4097 }, (_, i) => BigInt(i));
function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = encoder.encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}

const decoder = new TextDecoder();
function zString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** Whether this runtime may load native libraries without prompting. */
export function ffiAllowed(): boolean {
  if (typeof Deno?.dlopen !== "function") return false;
  try {
    return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

function envLibraryPath(): string | undefined {
  try {
    const query = { name: "env", variable: "ZMQ_LIB_PATH" } as const;
    if (Deno.permissions.querySync(query).state !== "granted") return undefined;
    return Deno.env.get("ZMQ_LIB_PATH") || undefined;
  } catch {
    return undefined;
  }
}

function openZmq(
  libc: Libc,
): { lib: Deno.DynamicLibrary<typeof zmqSymbols>; pinned: Deno.PointerValue } {
  const candidates = libraryCandidates(Deno.build.os, envLibraryPath());
  const errors: unknown[] = [];
  for (const path of candidates) {
    try {
      const lib = Deno.dlopen(path, zmqSymbols);
      return { lib, pinned: pinLibrary(libc, path) };
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable) throw permissionError(err);
      errors.push(err);
    }
  }
  throw libraryNotFound(candidates, errors);
}

function permissionError(cause: unknown): ZmqError {
  return new ZmqError(
    "EACCES",
    0,
    "Loading libzmq needs the FFI permission: run with --allow-ffi, or use the WASM backend for inproc",
    { cause },
  );
}

function openLibc(): Libc {
  const name = Deno.build.os === "darwin"
    ? "libSystem.B.dylib"
    : Deno.build.os === "linux"
    ? "libc.so.6"
    : "libc.so";
  try {
    return Deno.dlopen(name, libcSymbols).symbols;
  } catch (err) {
    throw err instanceof Deno.errors.NotCapable ? permissionError(err) : err;
  }
}

/**
 * Deno unloads FFI libraries when the runtime shuts down, while libzmq's
 * reaper and I/O threads may still be running its code: a segfault at exit.
 * A second dlopen with RTLD_NODELETE keeps libzmq mapped until the process ends.
 */
function pinLibrary(libc: Libc, path: string): Deno.PointerValue {
  const RTLD_NOW = 2;
  const RTLD_NODELETE = Deno.build.os === "darwin" ? 0x80 : 0x1000;
  return libc.dlopen?.(cString(path), RTLD_NOW | RTLD_NODELETE) ?? null;
}

/** pthread keys whose destructors are libzmq functions (see thread_exit.ts). */
function threadKeys(libc: Libc, zmq: Deno.PointerValue): ThreadKeys | null {
  const { dlsym, pthread_key_create, pthread_setspecific, pthread_key_delete } =
    libc;
  if (!zmq || !dlsym || !pthread_key_create || !pthread_setspecific) {
    return null;
  }
  const key = new Uint32Array(1);
  return {
    create: (release) => {
      const destructor = dlsym(zmq, cString(release));
      const out = new Uint8Array(key.buffer);
      return destructor && pthread_key_create(out, destructor) === 0
        ? key[0]
        : -1;
    },
    set: (k, handle) =>
      void pthread_setspecific(k, handle as Deno.PointerObject | null),
    delete: (k) => void pthread_key_delete?.(k),
  };
}

let loaded: DenoFfiBackend | undefined;

/** Loads libzmq once per process and returns the backend; throws ZmqError when it cannot. */
export function loadDenoFfi(): Backend {
  if (loaded) return loaded;
  const libc = openLibc();
  const { lib, pinned } = openZmq(libc);
  loaded = new DenoFfiBackend(lib.symbols, libc);
  releaseAtThreadExit(loaded, threadKeys(libc, pinned), onWorkerThread());
  return loaded;
}

class DenoFfiBackend implements Backend {
  readonly kind = "ffi";
  readonly errnos = errnosFor(Deno.build.os);
  readonly #zmq: Zmq;
  readonly #libc: Libc;
  // One zmq_msg_t reused for every receive; frames are copied out at once.
  readonly #msg = new Uint8Array(ZMQ_MSG_SIZE);
  // A second zmq_msg_t for draft sends (routing ids and groups ride on it).
  readonly #sendMsg = new Uint8Array(ZMQ_MSG_SIZE);
  #frameSize = 0;
  #more = false;
  // The measured layout of small frames in zmq_msg_t, or null (see msg_layout.ts).
  readonly #layout: MsgLayout | null;
  #inline = false;
  readonly #int = new Int32Array(1);
  readonly #intBytes = new Uint8Array(this.#int.buffer);
  readonly #len = new BigUint64Array(1);
  readonly #lenBytes = new Uint8Array(this.#len.buffer);

  constructor(zmq: Zmq, libc: Libc) {
    this.#zmq = zmq;
    this.#libc = libc;
    zmq.zmq_msg_init(this.#msg);
    zmq.zmq_msg_init(this.#sendMsg);
    this.#layout = this.#calibrate();
  }

  version(): [number, number, number] {
    const parts = new Int32Array(3);
    const view = (i: number) => new Uint8Array(parts.buffer, i * 4, 4);
    this.#zmq.zmq_version(view(0), view(1), view(2));
    return [parts[0], parts[1], parts[2]];
  }
  has(capability: string): boolean {
    return this.#zmq.zmq_has(cString(capability)) === 1;
  }
  errno(): number {
    return this.#zmq.zmq_errno();
  }
  strerror(errno: number): string {
    const ptr = this.#zmq.zmq_strerror(errno);
    return ptr ? Deno.UnsafePointerView.getCString(ptr) : `errno ${errno}`;
  }

  contextNew(): Handle | null {
    return this.#zmq.zmq_ctx_new();
  }
  contextSet(context: Handle, option: number, value: number): number {
    return this.#zmq.zmq_ctx_set(context as Deno.PointerObject, option, value);
  }
  contextGet(context: Handle, option: number): number {
    return this.#zmq.zmq_ctx_get(context as Deno.PointerObject, option);
  }
  contextShutdown(context: Handle): number {
    return this.#zmq.zmq_ctx_shutdown(context as Deno.PointerObject);
  }
  contextTerm(context: Handle): Promise<number> {
    return this.#zmq.zmq_ctx_term(context as Deno.PointerObject);
  }
  contextTermAtExit(context: Handle): number {
    return this.#zmq.zmq_ctx_term_at_exit(context as Deno.PointerObject);
  }

  socketNew(context: Handle, type: number): Handle | null {
    return this.#zmq.zmq_socket(context as Deno.PointerObject, type);
  }
  socketClose(socket: Handle): number {
    return this.#zmq.zmq_close(socket as Deno.PointerObject);
  }
  setOption(socket: Handle, option: number, value: Uint8Array): number {
    return this.#zmq.zmq_setsockopt(
      socket as Deno.PointerObject,
      option,
      value as Uint8Array<ArrayBuffer>,
      BigInt(value.byteLength),
    );
  }
  getOption(socket: Handle, option: number, into: Uint8Array): number {
    this.#len[0] = BigInt(into.byteLength);
    const rc = this.#zmq.zmq_getsockopt(
      socket as Deno.PointerObject,
      option,
      into as Uint8Array<ArrayBuffer>,
      this.#lenBytes,
    );
    return rc < 0 ? rc : Number(this.#len[0]);
  }
  events(socket: Handle): number {
    return this.#getInt(socket, ZMQ_EVENTS);
  }
  #getInt(socket: Handle, option: number): number {
    this.#len[0] = 4n;
    const rc = this.#zmq.zmq_getsockopt(
      socket as Deno.PointerObject,
      option,
      this.#intBytes,
      this.#lenBytes,
    );
    return rc < 0 ? rc : this.#int[0];
  }

  bind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_bind(socket as Deno.PointerObject, cString(endpoint));
  }
  connect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_connect(
      socket as Deno.PointerObject,
      cString(endpoint),
    );
  }
  unbind(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_unbind(
      socket as Deno.PointerObject,
      cString(endpoint),
    );
  }
  disconnect(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_disconnect(
      socket as Deno.PointerObject,
      cString(endpoint),
    );
  }

  send(socket: Handle, frame: Uint8Array, flags: number): number {
    const size = frame.byteLength;
    return this.#zmq.zmq_send(
      socket as Deno.PointerObject,
      frame as Uint8Array<ArrayBuffer>,
      size < SIZES.length ? SIZES[size] : BigInt(size),
      flags | DONTWAIT,
    );
  }
  #calibrate(): MsgLayout | null {
    const zmq = this.#zmq;
    const base = Deno.UnsafePointer.value(Deno.UnsafePointer.of(this.#msg));
    let context: Deno.PointerObject | null = null;
    const sockets: Deno.PointerObject[] = [];
    return calibrateMsgLayout({
      pair: () => {
        context = zmq.zmq_ctx_new()!;
        const [a, b] = [
          zmq.zmq_socket(context, 0)!,
          zmq.zmq_socket(context, 0)!,
        ];
        sockets.push(a, b);
        const endpoint = cString(
          `inproc://deno-zmq-calibration-${Math.random()}`,
        );
        zmq.zmq_bind(a, endpoint);
        zmq.zmq_connect(b, endpoint);
        return [a, b];
      },
      send: (socket, data, flags) =>
        zmq.zmq_send(
          socket as Deno.PointerObject,
          data as Uint8Array<ArrayBuffer>,
          BigInt(data.length),
          flags | DONTWAIT,
        ),
      recv: (msg, socket) =>
        zmq.zmq_msg_recv(
          msg as Uint8Array<ArrayBuffer>,
          socket as Deno.PointerObject,
          DONTWAIT,
        ),
      more: (msg) => zmq.zmq_msg_more(msg as Uint8Array<ArrayBuffer>) === 1,
      dataOffset: (msg) =>
        Number(
          BigInt(
            Deno.UnsafePointer.value(
              zmq.zmq_msg_data(msg as Uint8Array<ArrayBuffer>),
            ),
          ) -
            BigInt(base),
        ),
      done: () => {
        for (const socket of sockets) zmq.zmq_close(socket);
        // Synchronous: nothing lingers on a closed inproc pair.
        if (context) zmq.zmq_ctx_term_at_exit(context);
      },
    }, this.#msg);
  }

  receive(socket: Handle): number {
    const msg = this.#msg;
    const size = this.#zmq.zmq_msg_recv(
      msg,
      socket as Deno.PointerObject,
      DONTWAIT,
    );
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
    if (this.#inline) {
      const msg = this.#msg, start = this.#layout!.data, size = this.#frameSize;
      for (let i = 0; i < size; i++) into[i] = msg[start + i];
      return;
    }
    if (this.#frameSize > 0) {
      const data = this.#zmq.zmq_msg_data(this.#msg);
      this.#libc.memcpy(
        into as Uint8Array<ArrayBuffer>,
        data,
        BigInt(this.#frameSize),
      );
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
    return this.#zmq.zmq_socket_monitor(
      socket as Deno.PointerObject,
      endpoint === null ? null : cString(endpoint),
      events,
    );
  }
  proxySteerable(
    frontend: Handle,
    backend: Handle,
    capture: Handle | null,
    control: Handle,
  ): Promise<number> {
    return this.#zmq.zmq_proxy_steerable(
      frontend as Deno.PointerObject,
      backend as Deno.PointerObject,
      capture as Deno.PointerObject | null,
      control as Deno.PointerObject,
    );
  }
  curveKeypair(): { publicKey: string; secretKey: string } | null {
    const publicKey = new Uint8Array(41), secretKey = new Uint8Array(41);
    if (this.#zmq.zmq_curve_keypair(publicKey, secretKey) !== 0) return null;
    return { publicKey: zString(publicKey), secretKey: zString(secretKey) };
  }
  curvePublic(secretKey: string): string | null {
    const publicKey = new Uint8Array(41);
    if (this.#zmq.zmq_curve_public(publicKey, cString(secretKey)) !== 0) {
      return null;
    }
    return zString(publicKey);
  }
  yieldThread(): void {
    this.#libc.sched_yield();
  }
  handleAddress(handle: Handle): bigint {
    return BigInt(Deno.UnsafePointer.value(handle as Deno.PointerObject));
  }
  handleFromAddress(address: bigint): Handle {
    return Deno.UnsafePointer.create(address);
  }

  sendDraft(
    socket: Handle,
    frame: Uint8Array,
    routingId: number,
    group: string | null,
  ): number {
    const zmq = this.#zmq, msg = this.#sendMsg;
    if (
      !zmq.zmq_msg_init_size ||
      zmq.zmq_msg_init_size(msg, BigInt(frame.byteLength)) !== 0
    ) {
      return -1;
    }
    if (frame.byteLength > 0) {
      this.#libc.memcpy_in(
        zmq.zmq_msg_data(msg),
        frame as Uint8Array<ArrayBuffer>,
        BigInt(frame.byteLength),
      );
    }
    if (
      (routingId !== 0 && zmq.zmq_msg_set_routing_id!(msg, routingId) !== 0) ||
      (group !== null && zmq.zmq_msg_set_group!(msg, cString(group)) !== 0)
    ) {
      zmq.zmq_msg_close(msg);
      return -1;
    }
    const rc = zmq.zmq_msg_send!(msg, socket as Deno.PointerObject, DONTWAIT);
    if (rc < 0) zmq.zmq_msg_close(msg);
    return rc;
  }
  receivedRoutingId(): number {
    return this.#zmq.zmq_msg_routing_id?.(this.#msg) ?? 0;
  }
  receivedGroup(): string {
    const ptr = this.#zmq.zmq_msg_group?.(this.#msg);
    return ptr ? Deno.UnsafePointerView.getCString(ptr) : "";
  }
  join(socket: Handle, group: string): number {
    return this.#zmq.zmq_join?.(socket as Deno.PointerObject, cString(group)) ??
      -1;
  }
  leave(socket: Handle, group: string): number {
    return this.#zmq.zmq_leave?.(
      socket as Deno.PointerObject,
      cString(group),
    ) ?? -1;
  }
  connectPeer(socket: Handle, endpoint: string): number {
    return this.#zmq.zmq_connect_peer?.(
      socket as Deno.PointerObject,
      cString(endpoint),
    ) ?? 0;
  }

  createReactor(_context: Handle): Reactor {
    return new PollReactor(
      this.#wakePipe(),
      (socket) => this.#getInt(socket, ZMQ_FD),
      // Unbounded even on a Worker thread: Deno does not wait for the call
      // when terminating one, and the poll returns once thread_exit.ts has
      // closed the sockets it watches.
      this.#poll,
    );
  }

  readonly #poll = (
    pollfds: Uint8Array,
    count: number,
    timeoutMs: number,
  ): Promise<number> =>
    this.#libc.poll(
      pollfds as Uint8Array<ArrayBuffer>,
      BigInt(count),
      timeoutMs,
    );

  #wakePipe(): WakePipe {
    const libc = this.#libc;
    const EFD_NONBLOCK = 0o4000, EFD_CLOEXEC = 0o2000000;
    let readFd: number, writeFd: number;
    const efd = libc.eventfd ? libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC) : -1;
    if (efd >= 0) {
      readFd = writeFd = efd;
    } else {
      const fds = new Int32Array(2);
      if (libc.pipe(new Uint8Array(fds.buffer)) !== 0) {
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
      signal: () => void libc.write(writeFd, one, 8n),
      drain: () => void libc.read(readFd, scratch, 64n),
      close: () => {
        libc.close(readFd);
        if (writeFd !== readFd) libc.close(writeFd);
      },
    };
  }
}
