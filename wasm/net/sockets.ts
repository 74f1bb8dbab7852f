/**
 * Virtual sockets: the POSIX socket calls libzmq's tcp:// and ipc:// code
 * makes (socket, bind, listen, accept4, connect, getsockopt(SO_ERROR),
 * getsockname, getpeername, send, recv, close, poll), served synchronously
 * and without blocking over the host runtime's asynchronous sockets
 * ({@link HostNet}). wasm/library_net.jslib converts the C ABI and calls the
 * methods of {@link VirtualSockets}.
 *
 * - Inbound bytes are buffered as they arrive, in a ring of up to
 *   {@link INBOUND_LIMIT} bytes; when it is full the host connection is
 *   paused, so a slow reader slows the sender (TCP flow control), as a full
 *   kernel buffer would.
 * - Outbound bytes are queued up to {@link OUTBOUND_WINDOW}; beyond it send
 *   fails with EAGAIN, so backpressure reaches libzmq and its HWM.
 * - connect returns EINPROGRESS; the outcome shows as POLLOUT (and SO_ERROR).
 * - A listener is opened by {@link VirtualSockets.prepareListener} before
 *   libzmq binds (listening is asynchronous in Node); bind claims it by port.
 * - Every host event calls `wake` (the backend then pumps libzmq's loops
 *   soon); room for a writer libzmq found blocked calls `pumpNow`, which
 *   pumps at once, before the program can queue more frames.
 *
 * @module
 */

import type { LibzmqWasmModule } from "../dist/libzmq_wasm.js";
import type { ErrnoTable } from "../../src/errors.ts";
import type { HostConn, HostListener, HostNet, HostTarget } from "./host.ts";
import { ByteRing } from "./ring.ts";
import { writeWaiting } from "../../src/fairness.ts";

const AF_UNIX = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
/** Socket type bits (the rest are SOCK_NONBLOCK / SOCK_CLOEXEC flags). */
const SOCK_TYPE_MASK = 0xf;
// struct pollfd bits (musl).
const POLLIN = 1;
const POLLOUT = 4;
const POLLERR = 8;
const POLLHUP = 16;

/** Buffered inbound bytes at which the host connection is paused. */
export const INBOUND_LIMIT = 256 * 1024;
/** The inbound ring starts this small and grows while reads fill it. */
const INBOUND_INITIAL = 16 * 1024;
/**
 * Queued outbound bytes beyond which send fails with EAGAIN (a kernel's
 * send buffer may hold as much: Linux tcp_wmem grows to 4 MiB). Streaming
 * 20k frames of 64 KiB, the sender's CPU: 0.673-0.716 s with 1 MiB,
 * 0.722-0.782 s with 256 KiB (7 interleaved pairs: fewer, bigger host
 * writes), 0.77-0.82 s with 64 KiB. The ring only grows while it fills.
 */
export const OUTBOUND_WINDOW = 1024 * 1024;
/** The outbound ring starts this small and grows to the window as needed. */
const OUTBOUND_INITIAL = 16 * 1024;

/** A socket address as library_net.jslib reads and writes it. */
export type SocketAddress =
  | { family: number; addr: string; port: number }
  | { family: typeof AF_UNIX; path: string };

/** Errors libzmq's tcp connecter accepts from SO_ERROR (others it asserts on). */
const CONNECT_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
]);
/** Errors libzmq's tcp_read / tcp_write take as a lost connection. */
const STREAM_ERRORS = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
]);

/**
 * Microtask turns after which a host write that has not finished is taken to
 * wait for the event loop (the socket buffer was full). One the kernel takes
 * at once finishes within 2 in Deno (3,476 of 3,535 writes streaming 64 KiB
 * frames; the other 59 waited).
 */
const WRITE_WAIT_HOPS = 4;

/**
 * Reports `written` to the fairness module while it waits for the event
 * loop (src/fairness.ts: sends then yield every 64 KiB, so the loop can
 * finish it; a peer that never reads keeps that up, at ~4 us a turn);
 * returns it.
 */
function watchWrite(written: Promise<void>): Promise<void> {
  let settled = false, waiting = false, hops = WRITE_WAIT_HOPS;
  const settle = () => {
    settled = true;
    if (waiting) writeWaiting(false);
  };
  const check = () => {
    if (settled) return;
    if (--hops > 0) return queueMicrotask(check);
    waiting = true;
    writeWaiting(true);
  };
  written.then(settle, settle);
  queueMicrotask(check);
  return written;
}

type State = "new" | "bound" | "listening" | "connecting" | "open" | "closed";

interface Prepared {
  listener: HostListener;
  /** Connections accepted before libzmq bound the socket. */
  early: HostConn[];
  owner?: VirtualSocket;
}

class VirtualSocket {
  state: State = "new";
  /** errno of a failed connect (read once through SO_ERROR) or stream. */
  error = 0;
  prepared?: Prepared;
  accepted: HostConn[] = [];
  conn?: HostConn;
  inbound = new ByteRing(INBOUND_INITIAL, INBOUND_LIMIT);
  /** Chunks (of runtimes delivering their own) that did not fit in the ring. */
  overflow: Uint8Array[] = [];
  paused = false;
  ended = false;
  outbound = new ByteRing(OUTBOUND_INITIAL, OUTBOUND_WINDOW);
  writing = false;
  /** libzmq waits for room (send failed or poll said no): wake it when there is. */
  blocked = false;

  constructor(readonly fd: number, readonly family: number) {}
}

function keyOf(target: HostTarget): string {
  return "path" in target ? `unix:${target.path}` : `tcp:${target.port}`;
}

function toAddress(target: HostTarget): SocketAddress {
  if ("path" in target) return { family: AF_UNIX, path: target.path };
  const addr = target.hostname;
  return {
    family: addr.includes(":") ? AF_INET6 : AF_INET,
    addr,
    port: target.port,
  };
}

function toTarget(address: SocketAddress): HostTarget {
  return "path" in address
    ? { path: address.path }
    : { hostname: address.addr, port: address.port };
}

/** The socket table and syscalls of one libzmq instance. */
export class VirtualSockets {
  readonly #m: LibzmqWasmModule;
  readonly #host: HostNet;
  readonly #errnos: Readonly<Record<string, number>>;
  readonly #wake: () => void;
  readonly #pumpNow: () => void;
  readonly #sockets = new Map<number, VirtualSocket>();
  readonly #prepared = new Map<string, Prepared>();
  #held = false;

  constructor(
    m: LibzmqWasmModule,
    host: HostNet,
    errnos: ErrnoTable,
    wake: () => void,
    pumpNow: () => void,
  ) {
    this.#m = m;
    this.#host = host;
    this.#errnos = errnos;
    this.#wake = wake;
    this.#pumpNow = pumpNow;
  }

  /** How many host sockets are open (listeners and connections). */
  get size(): number {
    return this.#sockets.size + this.#prepared.size;
  }

  #err(name: string): number {
    return -(this.#errnos[name] ?? this.#errnos.EINVAL);
  }

  /** The errno (positive) of a host error, within the set libzmq expects. */
  #errnoOf(err: unknown, accepted: Set<string>, fallback: string): number {
    const name = this.#host.errnoName(err);
    return this.#errnos[name && accepted.has(name) ? name : fallback];
  }

  /**
   * Whether host sockets keep the process alive (while a receive is
   * pending); new sockets follow the current setting.
   */
  hold(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    for (const p of this.#prepared.values()) this.#refHandle(p.listener);
    for (const s of this.#sockets.values()) {
      if (s.prepared) this.#refHandle(s.prepared.listener);
      if (s.conn) this.#refHandle(s.conn);
    }
  }

  #refHandle(handle: { ref(): void; unref(): void }): void {
    if (this.#held) handle.ref();
    else handle.unref();
  }

  // ------------------------------------------------ before zmq_bind ----

  /**
   * Opens a host listener for a later bind; resolves with its address (the
   * real port when `target.port` is 0). Rejects with the host's error.
   */
  async prepareListener(target: HostTarget): Promise<HostTarget> {
    const slot: { prepared?: Prepared } = {};
    const listener = await this.#host.listen(target, this.#accepter(slot));
    return this.#prepare(slot, listener);
  }

  /**
   * {@link VirtualSockets.prepareListener}, synchronously; or why the
   * runtime cannot listen on `target` synchronously. Throws the host's error.
   */
  prepareListenerSync(
    target: HostTarget,
  ): HostTarget | { unsupported: string } {
    if (!this.#host.listenSync) {
      return { unsupported: "this runtime listens asynchronously" };
    }
    const slot: { prepared?: Prepared } = {};
    const listener = this.#host.listenSync(target, this.#accepter(slot));
    if ("unsupported" in listener) return listener;
    return this.#prepare(slot, listener);
  }

  /** Where a prepared listener's connections go: its socket once bound. */
  #accepter(slot: { prepared?: Prepared }): (conn: HostConn) => void {
    return (conn) => {
      const prepared = slot.prepared;
      if (!prepared) return conn.close();
      if (prepared.owner) {
        prepared.owner.accepted.push(conn);
        this.#wake();
      } else {
        prepared.early.push(conn);
      }
    };
  }

  #prepare(slot: { prepared?: Prepared }, listener: HostListener): HostTarget {
    slot.prepared = { listener, early: [] };
    this.#refHandle(listener);
    this.#prepared.set(keyOf(listener.local), slot.prepared);
    return listener.local;
  }

  /** Closes a prepared listener that libzmq did not claim (a failed bind). */
  discardListener(target: HostTarget): void {
    const prepared = this.#prepared.get(keyOf(target));
    if (!prepared) return;
    this.#prepared.delete(keyOf(target));
    prepared.listener.close();
    for (const conn of prepared.early) conn.close();
  }

  // ------------------------------------------------------- syscalls ----

  socket(domain: number, type: number): number {
    if (domain !== AF_INET && domain !== AF_INET6 && domain !== AF_UNIX) {
      return this.#err("EAFNOSUPPORT");
    }
    if ((type & SOCK_TYPE_MASK) !== SOCK_STREAM) {
      return this.#err("EPROTONOSUPPORT");
    }
    const fd = this.#m._zmq_wasm_fd_open();
    this.#sockets.set(fd, new VirtualSocket(fd, domain));
    return fd;
  }

  bind(fd: number, address: SocketAddress): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.state !== "new") return this.#err("EINVAL");
    const key = keyOf(toTarget(address));
    const prepared = this.#prepared.get(key);
    // Only listeners opened beforehand (see prepareListener) can be bound:
    // e.g. a connect from a source address ("tcp://src;dst") cannot.
    if (!prepared) return this.#err("EADDRNOTAVAIL");
    this.#prepared.delete(key);
    prepared.owner = s;
    s.prepared = prepared;
    s.accepted = prepared.early;
    prepared.early = [];
    s.state = "bound";
    return 0;
  }

  listen(fd: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.state !== "bound") return this.#err("EINVAL");
    s.state = "listening";
    return 0;
  }

  accept(fd: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.state !== "listening") return this.#err("EINVAL");
    const conn = s.accepted.shift();
    if (!conn) return this.#err("EAGAIN");
    const fdNew = this.#m._zmq_wasm_fd_open();
    const accepted = new VirtualSocket(fdNew, s.family);
    this.#sockets.set(fdNew, accepted);
    this.#open(accepted, conn);
    return fdNew;
  }

  connect(fd: number, address: SocketAddress): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.state === "connecting") return this.#err("EINVAL"); // libzmq connects a socket once
    if (s.state !== "new") return this.#err("EINVAL");
    s.state = "connecting";
    this.#host.connect(toTarget(address)).then(
      (conn) => {
        if (s.state === "closed") return conn.close();
        this.#open(s, conn);
        this.#wake();
      },
      (err) => {
        if (s.state === "closed") return;
        s.error = this.#errnoOf(err, CONNECT_ERRORS, "ECONNREFUSED");
        s.state = "closed";
        this.#wake();
      },
    );
    return this.#err("EINPROGRESS");
  }

  #open(s: VirtualSocket, conn: HostConn): void {
    s.conn = conn;
    s.state = "open";
    this.#refHandle(conn);
    conn.start({
      data: (chunk) => {
        const n = s.overflow.length > 0 ? 0 : s.inbound.push(chunk);
        if (n < chunk.byteLength) {
          s.overflow.push(chunk.subarray(n));
          this.#pause(s, conn);
        }
        this.#wake();
      },
      space: () => s.inbound.space(),
      filled: (n, run) => {
        s.inbound.commit(n, run);
        if (s.inbound.full) this.#pause(s, conn);
        this.#wake();
      },
      end: () => {
        s.ended = true;
        this.#wake();
      },
      error: (err) => {
        s.error = this.#errnoOf(err, STREAM_ERRORS, "ECONNRESET");
        this.#wake();
      },
    });
  }

  #pause(s: VirtualSocket, conn: HostConn): void {
    if (s.paused) return;
    s.paused = true;
    conn.pause();
  }

  /** SO_ERROR: the pending error (cleared), 0 when none. */
  takeError(fd: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    const error = s.error;
    s.error = 0;
    return error;
  }

  localAddress(fd: number): SocketAddress | number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.prepared) return toAddress(s.prepared.listener.local);
    if (s.conn) return toAddress(s.conn.local);
    if (s.family === AF_UNIX) return { family: AF_UNIX, path: "" };
    return toAddress({
      hostname: s.family === AF_INET6 ? "::" : "0.0.0.0",
      port: 0,
    });
  }

  peerAddress(fd: number): SocketAddress | number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (!s.conn) return this.#err("ENOTCONN");
    return toAddress(s.conn.remote);
  }

  send(fd: number, ptr: number, length: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.error) return -s.error;
    if (s.state !== "open" || !s.conn) return this.#err("ENOTCONN");
    const n = s.outbound.push(this.#m.HEAPU8.subarray(ptr, ptr + length));
    if (n === 0) {
      s.blocked = true;
      return this.#err("EAGAIN");
    }
    if (!s.writing) void this.#flush(s, s.conn);
    return n;
  }

  async #flush(s: VirtualSocket, conn: HostConn): Promise<void> {
    s.writing = true;
    while (s.outbound.size > 0) {
      const chunk = s.outbound.peek();
      try {
        await watchWrite(conn.write(chunk));
      } catch (err) {
        s.error ||= this.#errnoOf(err, STREAM_ERRORS, "EPIPE");
        s.outbound.clear();
        this.#wake();
        break;
      }
      s.outbound.release(chunk.byteLength);
      if (s.blocked) {
        // libzmq waits for this room: refill it before the program's next
        // send. Pumping soon instead let a sender awaiting 64 KiB frames
        // run ahead of libzmq's writer, queueing hundreds of frames (tens of
        // MiB, out of cache by the time they were copied out): WASM PUSH to
        // native PULL, 20k x 64 KiB, 28.4-28.9k -> 31.4-32.8k msg/s, user
        // CPU 20.7-21.3 -> 12.9-15.5 us a message.
        s.blocked = false;
        this.#pumpNow();
      }
    }
    s.writing = false;
    // Closed while writing: the bytes libzmq handed over still go out, as
    // they would from a kernel buffer.
    if (s.state === "closed") conn.close();
  }

  receive(fd: number, ptr: number, length: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    if (s.inbound.size > 0) {
      const done = s.inbound.take(this.#m.HEAPU8, ptr, length);
      while (s.overflow.length > 0) {
        const chunk = s.overflow[0];
        const n = s.inbound.push(chunk);
        if (n < chunk.byteLength) {
          s.overflow[0] = chunk.subarray(n);
          break;
        }
        s.overflow.shift();
      }
      if (
        s.paused && s.overflow.length === 0 &&
        s.inbound.size <= INBOUND_LIMIT / 2
      ) {
        s.paused = false;
        s.conn?.resume();
      }
      return done;
    }
    if (s.error) return -s.error;
    if (s.ended) return 0;
    if (s.state !== "open") return this.#err("ENOTCONN");
    return this.#err("EAGAIN");
  }

  close(fd: number): number {
    const s = this.#sockets.get(fd);
    if (!s) return this.#err("EBADF");
    this.#sockets.delete(fd);
    this.#m._zmq_wasm_fd_close(fd);
    s.state = "closed";
    if (s.prepared) {
      s.prepared.listener.close();
      s.prepared.owner = undefined;
    }
    for (const conn of s.accepted) conn.close();
    s.accepted = [];
    if (s.conn && !s.writing) s.conn.close();
    s.inbound.clear();
    s.overflow = [];
    return 0;
  }

  /** Sets the revents of the host sockets among `nfds` struct pollfd. */
  poll(fds: number, nfds: number): void {
    const heap16 = this.#m.HEAP16;
    const heap32 = this.#m.HEAP32;
    for (let i = 0; i < nfds; i++) {
      const entry = fds + 8 * i;
      const s = this.#sockets.get(heap32[entry >> 2]);
      if (!s) continue;
      const events = heap16[(entry + 4) >> 1];
      let revents = 0;
      switch (s.state) {
        case "listening":
          if (s.accepted.length > 0) revents = POLLIN;
          break;
        case "open":
          if (s.inbound.size > 0 || s.ended || s.error) revents |= POLLIN;
          if (!s.outbound.full || s.error) revents |= POLLOUT;
          // Waiting for room: the write that makes it must wake libzmq.
          else if (events & POLLOUT) s.blocked = true;
          if (s.error) revents |= POLLERR;
          else if (s.ended && s.inbound.size === 0) revents |= POLLHUP;
          break;
        case "closed": // a failed connect
          revents = POLLOUT | POLLERR;
          break;
      }
      heap16[(entry + 6) >> 1] = revents & (events | POLLERR | POLLHUP);
    }
  }

  /** A libzmq signaler became readable (patched signaler.cpp). */
  signaled(): void {
    this.#wake();
  }
}
