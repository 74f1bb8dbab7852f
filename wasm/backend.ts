/**
 * The WASM backend: libzmq compiled to WebAssembly, single-threaded, usable
 * with no permission at all for inproc:// and with only the network
 * permission for tcp:// (Deno and Node; no native library).
 *
 * Every call runs synchronously on the JS thread and never blocks (the build
 * forces ZMQ_DONTWAIT). libzmq's I/O thread and reaper are not threads but
 * loops this backend pumps (`zmq_wasm_pump`) when something happened: a
 * libzmq signaler became readable (a command was sent), a host socket had an
 * event (data, connect, accept, close, room to write) or libzmq's next timer
 * is due (one host timer, set to that deadline). Nothing polls. After a pump
 * (and after any call that may let a socket make progress), one microtask
 * wakes every parked socket of the instance so it looks again: the contexts'
 * reactors share one record of parked sockets, with no limit on how many a
 * wake-up visits (nothing else would wake them).
 *
 * @module
 */

import type {
  Backend,
  Handle,
  Parked,
  PreparedBind,
  Reactor,
} from "../src/backend.ts";
import { type ErrnoTable, ZmqError } from "../src/errors.ts";
import {
  LIBZMQ_WASM_ERRNO,
  type LibzmqWasmModule,
  loadLibzmqWasm,
} from "./dist/libzmq_wasm.js";
import { targetOf, withPort } from "./net/endpoint.ts";
import {
  describeTarget,
  type HostNet,
  type HostTarget,
  type HostTimer,
} from "./net/host.ts";
import { denoNet } from "./net/host_deno.ts";
import { nodeNet } from "./net/host_node.ts";
import { OUTBOUND_WINDOW, VirtualSockets } from "./net/sockets.ts";
import {
  KEEP_FRAME_MAX as KEEP_MSG_MAX,
  ZMQ_DONTWAIT as DONTWAIT,
  ZMQ_EVENTS,
  ZMQ_MSG_T_SIZE as ZMQ_MSG_SIZE,
} from "../src/libzmq.ts";
import { socketOptions } from "../src/options.ts";
import {
  ParkedSocket,
  ParkedSockets,
  UNPARKED,
} from "../src/parked_sockets.ts";

/** Frames up to this size are sent with zmq_send from a reused heap buffer. */
const SEND_BUFFER_SIZE = 8 * 1024;
/** Frames up to this size are copied byte by byte (cheaper than a subarray view). */
const SMALL_COPY = 32;
/**
 * Microtask turns a pump may wait after being asked for: a sender awaiting
 * each send meanwhile queues more messages, which libzmq's I/O loop then
 * writes in one batch (as its own thread would, running behind the sender).
 * Pumping at once wrote every 16 B message alone (985k socket writes for 1M
 * messages, 0.78-0.89 M msg/s to a native PULL). The wait ends early at the
 * first turn in which no frame was sent (the program receives or waits: pump
 * now), so the cap only applies to busy senders: 64 turns (no early end)
 * took 15.1k pumps per 1M 16 B messages on the sender, 256 with the early
 * end 3.9k, sender CPU 246-251 -> 233-239 ns/msg; REQ/REP 16 B round trips
 * 124-129 -> 114-122 us (native 78-86 us; same machine, loaded). Receives do
 * not extend the wait (the pump refills their pipe): counting them too cost
 * the receiver 0.355-0.413 -> 0.439-0.453 s CPU per 1M 16 B on Node.
 */
const PUMP_DEFER_HOPS = 256;
/**
 * The wait also ends once the frames sent meanwhile hold half the outbound
 * window of a host connection: more could not be written in one go, and
 * would wait in libzmq's pipe, out of cache by the time they are copied out.
 * Without this cap a sender awaiting 64 KiB frames queued ~250 frames (16
 * MiB) whenever libzmq's writer had gone idle.
 */
const PUMP_DEFER_BYTES = OUTBOUND_WINDOW / 2;
/** Pumps handling this many events may have stopped at libzmq's round limit: pump again. */
const PUMP_AGAIN = 1000;

/** The errno table of the wasm build (WASI numbers, probed at build time). */
const errnos: ErrnoTable = LIBZMQ_WASM_ERRNO;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

let loaded: WasmBackend | undefined;

/**
 * Instantiates libzmq's WebAssembly build once per process (on first call)
 * and returns the backend. Needs no permission.
 */
export function loadWasm(): Backend {
  return loaded ??= new WasmBackend(loadLibzmqWasm(), hostNet());
}

/** The host runtime's sockets: Deno's own API on Deno, node:net elsewhere. */
function hostNet(): HostNet {
  return typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
    ? denoNet
    : nodeNet;
}

/** Transports this backend serves (libzmq's own; the host runtime's sockets). */
const TRANSPORTS = ["inproc://", "tcp://", "ipc://"];

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** An IPv4 address in dotted form, or IPv6 (the host checks the rest). */
function isNumericHost(hostname: string): boolean {
  return IPV4.test(hostname) || hostname.includes(":");
}

/** Why an endpoint cannot work on the WASM backend, if it cannot. */
function unsupportedTransport(endpoint: string): ZmqError | undefined {
  if (TRANSPORTS.some((t) => endpoint.startsWith(t))) return undefined;
  return new ZmqError(
    "EPROTONOSUPPORT",
    errnos.EPROTONOSUPPORT,
    `The WASM backend supports inproc://, tcp:// and ipc:// only; "${endpoint}" needs the FFI backend: ` +
      "install libzmq (apt-get install libzmq5 / brew install zeromq) and run with --allow-ffi",
    { endpoint },
  );
}

class WasmBackend implements Backend {
  readonly kind = "wasm";
  readonly errnos: ErrnoTable = errnos;

  readonly #m: LibzmqWasmModule;
  readonly #host: HostNet;
  readonly #net: VirtualSockets;
  // Hot exports, looked up once.
  readonly #zmqSend: LibzmqWasmModule["_zmq_send"];
  readonly #zmqMsgRecv: LibzmqWasmModule["_zmq_msg_recv"];
  readonly #zmqMsgMore: LibzmqWasmModule["_zmq_msg_more"];
  readonly #zmqMsgData: LibzmqWasmModule["_zmq_msg_data"];
  readonly #zmqGetsockopt: LibzmqWasmModule["_zmq_getsockopt"];

  // Scratch memory in the wasm heap, allocated once.
  /** The zmq_msg_t every receive reuses. */
  readonly #recvMsg: number;
  /** A zmq_msg_t for frames too big for the send buffer. */
  readonly #sendMsg: number;
  /** Frames up to SEND_BUFFER_SIZE are copied here and sent with zmq_send. */
  readonly #sendBuf: number;
  /** A size_t (4 bytes on wasm32) for getsockopt. */
  readonly #lenCell: number;
  /** An int for ZMQ_EVENTS (and zmq_version). */
  readonly #intCell: number;
  /** Option values and C strings; grown on demand. */
  #scratch = 0;
  #scratchSize = 0;

  #frameSize = 0;
  #more = false;
  #msgHoldsData = false;

  // The parked sockets of every context (see WasmReactor).
  readonly #parked = new ParkedSockets<ContextParked>(
    (socket, onWake) => new ContextParked(socket, onWake),
    Infinity,
  );
  #held = false;

  // Pumping libzmq's loops (see the module doc).
  #pumpScheduled = false;
  #pumping = false;
  /** A signaler fired since the last wake: a parked socket may have a command. */
  #signaled = false;
  #hops = 0;
  /** A #hop microtask is queued. */
  #hopQueued = false;
  /** Frames sent so far; a hop without any ends the wait. */
  #framesSent = 0;
  /** #framesSent at the previous hop. */
  #sentAtHop = 0;
  /** Bytes of the frames sent so far; and when the pump was asked for. */
  #bytesSent = 0;
  #bytesAtEvent = 0;
  /** Resolved after the next pump (a context waiting for lingering sessions). */
  readonly #pumpWaiters: (() => void)[] = [];
  #timer: HostTimer | undefined;
  #timerDeadline = 0;

  constructor(m: LibzmqWasmModule, host: HostNet) {
    this.#m = m;
    this.#host = host;
    this.#net = new VirtualSockets(
      m,
      host,
      errnos,
      this.#onEvent,
      this.#pumpNow,
    );
    m.zmqHost = this.#net;
    this.#zmqSend = m._zmq_send;
    this.#zmqMsgRecv = m._zmq_msg_recv;
    this.#zmqMsgMore = m._zmq_msg_more;
    this.#zmqMsgData = m._zmq_msg_data;
    this.#zmqGetsockopt = m._zmq_getsockopt;
    const block = m._malloc(2 * ZMQ_MSG_SIZE + 16 + SEND_BUFFER_SIZE);
    if (!block) throw new ZmqError("ENOMEM", errnos.ENOMEM, "Out of memory");
    this.#recvMsg = block; // malloc aligns to 8 (zmq_msg_t needs it)
    this.#sendMsg = block + ZMQ_MSG_SIZE;
    this.#lenCell = block + 2 * ZMQ_MSG_SIZE;
    this.#intCell = this.#lenCell + 8;
    this.#sendBuf = this.#intCell + 8;
    m._zmq_msg_init(this.#recvMsg);
    this.#reserve(256);
  }

  /** Makes the scratch area at least `size` bytes; returns its address. */
  #reserve(size: number): number {
    if (size > this.#scratchSize) {
      const m = this.#m;
      const capacity = Math.max(size, this.#scratchSize * 2);
      const ptr = m._malloc(capacity);
      if (!ptr) throw new ZmqError("ENOMEM", errnos.ENOMEM, "Out of memory");
      if (this.#scratch) m._free(this.#scratch);
      this.#scratch = ptr;
      this.#scratchSize = capacity;
    }
    return this.#scratch;
  }

  /** Writes a NUL-terminated UTF-8 string to the scratch area; returns its address. */
  #cString(text: string): number {
    const ptr = this.#reserve(text.length * 3 + 1);
    const heap = this.#m.HEAPU8;
    const { written } = encoder.encodeInto(
      text,
      heap.subarray(ptr, ptr + text.length * 3),
    );
    heap[ptr + written] = 0;
    return ptr;
  }

  #readCString(ptr: number): string {
    const heap = this.#m.HEAPU8;
    let end = ptr;
    while (heap[end] !== 0) end++;
    return decoder.decode(heap.subarray(ptr, end));
  }

  version(): [number, number, number] {
    const m = this.#m;
    const p = this.#reserve(12);
    m._zmq_version(p, p + 4, p + 8);
    const heap = m.HEAP32;
    return [heap[p >> 2], heap[(p >> 2) + 1], heap[(p >> 2) + 2]];
  }
  has(capability: string): boolean {
    return this.#m._zmq_has(this.#cString(capability)) === 1;
  }
  errno(): number {
    return this.#m._zmq_errno();
  }
  strerror(errno: number): string {
    const ptr = this.#m._zmq_strerror(errno);
    return ptr ? this.#readCString(ptr) : `errno ${errno}`;
  }

  contextNew(): Handle | null {
    return this.#m._zmq_ctx_new() || null;
  }
  contextSet(context: Handle, option: number, value: number): number {
    return this.#m._zmq_ctx_set(context as number, option, value);
  }
  contextGet(context: Handle, option: number): number {
    return this.#m._zmq_ctx_get(context as number, option);
  }
  contextShutdown(context: Handle): number {
    const rc = this.#m._zmq_ctx_shutdown(context as number);
    this.#progress();
    return rc;
  }
  async contextTerm(context: Handle): Promise<number> {
    // zmq_ctx_term pumps by itself and fails with EAGAIN (instead of hanging)
    // while sockets are open. The shared layer closes them first, so then
    // EAGAIN means tcp sessions still deliver what lingers: try again after
    // each pump (host events drive them), as long as host sockets are open,
    // and at libzmq's next deadline while it has one (a linger period: a
    // Zyre node lingers 100 ms on messages for a peer gone). Without either,
    // a retry is only a safety net, bounded so a leaked socket cannot spin
    // forever.
    for (let attempt = 0;; attempt++) {
      const rc = this.#m._zmq_ctx_term(context as number);
      const deadline = this.#m._zmq_wasm_next_timer();
      if (
        rc === 0 || this.errno() !== errnos.EAGAIN ||
        (attempt >= 10 && this.#net.size === 0 && deadline < 0)
      ) {
        return rc;
      }
      const wait = deadline >= 0 ? deadline + 1 : attempt + 1;
      await new Promise<void>((resolve) => {
        // The timer also keeps the process alive meanwhile.
        const timer = setTimeout(resolve, Math.min(wait, 100));
        this.#pumpWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  contextTermAtExit(context: Handle): number {
    const m = this.#m;
    for (let attempt = 0;; attempt++) {
      const rc = m._zmq_ctx_term(context as number);
      if (rc === 0 || this.errno() !== errnos.EAGAIN || attempt >= 10) {
        return rc;
      }
      m._zmq_wasm_pump();
    }
  }

  socketNew(context: Handle, type: number): Handle | null {
    return this.#m._zmq_socket(context as number, type) || null;
  }
  socketClose(socket: Handle): number {
    const rc = this.#m._zmq_close(socket as number);
    // Peers may see the disconnection (or a freed HWM slot).
    this.#progress();
    return rc;
  }
  setOption(socket: Handle, option: number, value: Uint8Array): number {
    const ptr = this.#reserve(value.byteLength);
    this.#m.HEAPU8.set(value, ptr);
    const rc = this.#m._zmq_setsockopt(
      socket as number,
      option,
      ptr,
      value.byteLength,
    );
    // A subscription reaches an XPUB peer as a message.
    if (rc === 0) this.#progress();
    return rc;
  }
  getOption(socket: Handle, option: number, into: Uint8Array): number {
    const m = this.#m;
    const ptr = this.#reserve(into.byteLength);
    m.HEAPU32[this.#lenCell >> 2] = into.byteLength;
    const rc = this.#zmqGetsockopt(
      socket as number,
      option,
      ptr,
      this.#lenCell,
    );
    if (rc < 0) return rc;
    const length = m.HEAPU32[this.#lenCell >> 2];
    const copied = Math.min(length, into.byteLength);
    into.set(m.HEAPU8.subarray(ptr, ptr + copied));
    return length;
  }
  events(socket: Handle): number {
    const m = this.#m;
    const len = this.#lenCell;
    m.HEAPU32[len >> 2] = 4;
    const rc = this.#zmqGetsockopt(
      socket as number,
      ZMQ_EVENTS,
      this.#intCell,
      len,
    );
    return rc < 0 ? rc : m.HEAP32[this.#intCell >> 2];
  }

  unsupportedEndpoint(
    endpoint: string,
    call: "bind" | "connect" | "unbind" | "disconnect",
  ): ZmqError | undefined {
    const unsupported = unsupportedTransport(endpoint);
    if (unsupported || call !== "connect") return unsupported;
    const target = targetOf(endpoint);
    const flag = target && this.#host.missingPermission(target, false);
    if (!flag) return undefined;
    return new ZmqError(
      "EACCES",
      errnos.EACCES,
      `Connecting to ${endpoint} needs a permission this program lacks: run it with ${flag}`,
      { endpoint },
    );
  }

  prepareBind(
    socket: Handle,
    endpoint: string,
  ): Promise<PreparedBind> | undefined {
    const target = this.#bindTarget(socket, endpoint);
    if (!target) return undefined;
    return this.#net.prepareListener(target).then(
      (local) => this.#prepared(endpoint, local),
      (err) => {
        throw this.#listenError(err, endpoint, target);
      },
    );
  }

  prepareBindSync(socket: Handle, endpoint: string): PreparedBind | undefined {
    const target = this.#bindTarget(socket, endpoint);
    if (!target) return undefined;
    let local: HostTarget | { unsupported: string };
    try {
      local = this.#net.prepareListenerSync(target);
    } catch (err) {
      throw this.#listenError(err, endpoint, target);
    }
    if (!("unsupported" in local)) return this.#prepared(endpoint, local);
    throw new ZmqError(
      "ENOTSUP",
      errnos.ENOTSUP,
      `A synchronous bind of ${endpoint} cannot work on the WASM backend here: ` +
        `${local.unsupported}; use await bind()`,
      { endpoint },
    );
  }

  /** Where the host must listen for a bind of `endpoint`, if anywhere. */
  #bindTarget(socket: Handle, endpoint: string): HostTarget | undefined {
    if (!endpoint.startsWith("tcp://") && !endpoint.startsWith("ipc://")) {
      return undefined;
    }
    const ipv6 = new Uint8Array(4);
    const anyHost = this.getOption(socket, socketOptions.ipv6.id, ipv6) === 4 &&
        ipv6.some((b) => b)
      ? "::"
      : "0.0.0.0";
    // Undefined: libzmq rejects the endpoint with its own error.
    const target = targetOf(endpoint, anyHost);
    // An IPv6 address with the ipv6 option off: libzmq refuses it (ENODEV).
    if (target && "hostname" in target && anyHost !== "::") {
      if (target.hostname.includes(":")) return undefined;
    }
    // libzmq binds interfaces, not names: it would look a name up among the
    // machine's interfaces (ENODEV when none has it), which WASM cannot list.
    // Refused here so that no name reaches the host's listen (a DNS query).
    if (target && "hostname" in target && !isNumericHost(target.hostname)) {
      throw new ZmqError(
        "ENODEV",
        errnos.ENODEV,
        `The WASM backend binds numeric addresses only (127.0.0.1, [::1], *): ` +
          `"${target.hostname}" is a name of an interface or host (${endpoint})`,
        { endpoint },
      );
    }
    return target;
  }

  /** The bind to make on a prepared listener (a wildcard port made concrete). */
  #prepared(endpoint: string, local: HostTarget): PreparedBind {
    return {
      endpoint: "port" in local ? withPort(endpoint, local.port) : endpoint,
      release: () => this.#net.discardListener(local),
    };
  }

  #listenError(
    err: unknown,
    endpoint: string,
    target: HostTarget,
  ): ZmqError {
    const table = errnos as Readonly<Record<string, number>>;
    const found = this.#host.errnoName(err);
    const name = found && table[found] !== undefined ? found : "EINVAL";
    const flag = name === "EACCES"
      ? this.#host.missingPermission(target, true)
      : undefined;
    const why = flag
      ? `needs a permission this program lacks: run it with ${flag}`
      : `failed: ${err instanceof Error ? err.message : String(err)}`;
    return new ZmqError(
      name,
      table[name],
      `Listening on ${describeTarget(target)} (${endpoint}) ${why}`,
      { endpoint },
    );
  }

  bind(socket: Handle, endpoint: string): number {
    return this.#afterEndpoint(
      this.#m._zmq_bind(socket as number, this.#cString(endpoint)),
    );
  }
  connect(socket: Handle, endpoint: string): number {
    return this.#afterEndpoint(
      this.#m._zmq_connect(socket as number, this.#cString(endpoint)),
    );
  }
  unbind(socket: Handle, endpoint: string): number {
    return this.#afterEndpoint(
      this.#m._zmq_unbind(socket as number, this.#cString(endpoint)),
    );
  }
  disconnect(socket: Handle, endpoint: string): number {
    return this.#afterEndpoint(
      this.#m._zmq_disconnect(socket as number, this.#cString(endpoint)),
    );
  }
  #afterEndpoint(rc: number): number {
    // A new (or lost) peer changes what a parked socket can do.
    if (rc === 0) this.#progress();
    return rc;
  }

  socketMonitor(
    socket: Handle,
    endpoint: string | null,
    events: number,
  ): number {
    const rc = this.#m._zmq_socket_monitor(
      socket as number,
      endpoint === null ? 0 : this.#cString(endpoint),
      events,
    );
    // Starting or stopping a monitor may emit events to its PAIR socket.
    if (rc === 0) this.#progress();
    return rc;
  }

  send(socket: Handle, frame: Uint8Array, flags: number): number {
    const size = frame.byteLength;
    const m = this.#m;
    let rc: number;
    if (size <= SEND_BUFFER_SIZE) {
      const buf = this.#sendBuf;
      const heap = m.HEAPU8;
      if (size <= SMALL_COPY) {
        for (let i = 0; i < size; i++) heap[buf + i] = frame[i];
      } else {
        heap.set(frame, buf);
      }
      rc = this.#zmqSend(socket as number, buf, size, flags | DONTWAIT);
    } else {
      // Copy straight into a message of the right size: one copy, no big buffer kept.
      const msg = this.#sendMsg;
      if (m._zmq_msg_init_size(msg, size) !== 0) return -1;
      const data = m._zmq_msg_data(msg);
      m.HEAPU8.set(frame, data);
      rc = m._zmq_msg_send(msg, socket as number, flags | DONTWAIT);
      // Not sent: release it (zmq_msg_close leaves errno alone on success).
      if (rc < 0) m._zmq_msg_close(msg);
    }
    if (rc >= 0) {
      this.#framesSent++;
      this.#bytesSent += size;
      this.#progress();
    }
    return rc;
  }

  msgInitSize(frame: Uint8Array): number {
    const m = this.#m, msg = this.#sendMsg;
    const rc = m._zmq_msg_init_size(msg, frame.byteLength);
    if (rc === 0) m.HEAPU8.set(frame, m._zmq_msg_data(msg));
    return rc;
  }
  msgSetRoutingId(routingId: number): number {
    return this.#m._zmq_msg_set_routing_id(this.#sendMsg, routingId);
  }
  msgSetGroup(group: string): number {
    return this.#m._zmq_msg_set_group(this.#sendMsg, this.#cString(group));
  }
  msgSend(socket: Handle): number {
    const rc = this.#m._zmq_msg_send(this.#sendMsg, socket as number, DONTWAIT);
    if (rc >= 0) this.#progress();
    return rc;
  }
  msgClose(): number {
    return this.#m._zmq_msg_close(this.#sendMsg);
  }
  receivedRoutingId(): number {
    return this.#m._zmq_msg_routing_id(this.#recvMsg) >>> 0; // uint32_t
  }
  receivedGroup(): string {
    const ptr = this.#m._zmq_msg_group(this.#recvMsg);
    return ptr ? this.#readCString(ptr) : "";
  }
  join(socket: Handle, group: string): number {
    return this.#m._zmq_join(socket as number, this.#cString(group));
  }
  leave(socket: Handle, group: string): number {
    return this.#m._zmq_leave(socket as number, this.#cString(group));
  }
  connectPeer(socket: Handle, endpoint: string): number {
    const id =
      this.#m._zmq_connect_peer(socket as number, this.#cString(endpoint)) >>>
      0;
    if (id !== 0) this.#progress();
    return id;
  }
  receive(socket: Handle): number {
    const msg = this.#recvMsg;
    const size = this.#zmqMsgRecv(msg, socket as number, DONTWAIT);
    if (size >= 0) {
      this.#frameSize = size;
      this.#msgHoldsData = true;
      this.#more = this.#zmqMsgMore(msg) === 1;
      this.#progress();
    }
    return size;
  }
  readFrame(into: Uint8Array): void {
    const size = this.#frameSize;
    if (size > 0 && this.#msgHoldsData) {
      const m = this.#m;
      const data = this.#zmqMsgData(this.#recvMsg);
      const heap = m.HEAPU8;
      if (size <= SMALL_COPY) {
        for (let i = 0; i < size; i++) into[i] = heap[data + i];
      } else {
        into.set(heap.subarray(data, data + size));
      }
      this.#releaseBig(size);
    }
  }
  takeFrame(): Uint8Array {
    const size = this.#frameSize;
    if (size === 0 || !this.#msgHoldsData) return new Uint8Array(size);
    const data = this.#zmqMsgData(this.#recvMsg);
    // A typed array made from a view is allocated without zeroing and filled
    // in one copy: at 64 KiB, 6.0-6.3 us against 7.0-9.3 us for a new array
    // and set() (same machine, alloc micro-benchmark).
    const frame = new Uint8Array(this.#m.HEAPU8.subarray(data, data + size));
    this.#releaseBig(size);
    return frame;
  }
  /** Does not keep a big frame alive in the heap until the next receive. */
  #releaseBig(size: number): void {
    if (size <= KEEP_MSG_MAX) return;
    this.#m._zmq_msg_close(this.#recvMsg);
    this.#m._zmq_msg_init(this.#recvMsg);
    this.#msgHoldsData = false;
  }
  receivedMore(): boolean {
    return this.#more;
  }

  curveKeypair(): { publicKey: string; secretKey: string } | null {
    const p = this.#reserve(82);
    if (this.#m._zmq_curve_keypair(p, p + 41) !== 0) return null;
    return {
      publicKey: this.#readCString(p),
      secretKey: this.#readCString(p + 41),
    };
  }
  curvePublic(secretKey: string): string | null {
    const p = this.#reserve(41 + secretKey.length * 3 + 1);
    const secret = p + 41;
    const heap = this.#m.HEAPU8;
    const { written } = encoder.encodeInto(
      secretKey,
      heap.subarray(secret, secret + secretKey.length * 3),
    );
    heap[secret + written] = 0;
    if (this.#m._zmq_curve_public(p, secret) !== 0) return null;
    return this.#readCString(p);
  }

  createReactor(_context: Handle): Reactor {
    return new WasmReactor(this.#parked, this.#parkedChanged);
  }

  /**
   * A parked socket keeps the process alive (host sockets and libzmq's timer
   * are ref'd); an idle program can exit.
   */
  readonly #parkedChanged = (): void => {
    const held = this.#parked.size > 0;
    if (held === this.#held) return;
    this.#held = held;
    this.#net.hold(held);
    if (held) this.#timer?.ref();
    else this.#timer?.unref();
  };

  /** A host socket event or a libzmq signal: pump soon. */
  readonly #onEvent = (): void => {
    this.#signaled = true;
    if (this.#pumping || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    this.#hops = PUMP_DEFER_HOPS;
    this.#sentAtHop = this.#framesSent;
    this.#bytesAtEvent = this.#bytesSent;
    if (this.#hopQueued) return; // a chain a direct pump cut short: reuse it
    this.#hopQueued = true;
    queueMicrotask(this.#hop);
  };

  /** Pumps at once (from host callbacks: libzmq is never on the stack then). */
  readonly #pumpNow = (): void => {
    if (this.#pumping) return this.#onEvent();
    this.#signaled = true;
    this.#pump();
  };

  /** Defers the pump while frames keep moving, up to PUMP_DEFER_HOPS turns. */
  readonly #hop = (): void => {
    this.#hopQueued = false;
    if (!this.#pumpScheduled) return; // #pumpNow ran meanwhile
    if (
      --this.#hops > 0 && this.#framesSent !== this.#sentAtHop &&
      this.#bytesSent - this.#bytesAtEvent < PUMP_DEFER_BYTES
    ) {
      this.#sentAtHop = this.#framesSent;
      this.#hopQueued = true;
      queueMicrotask(this.#hop);
    } else {
      this.#pump();
    }
  };

  /** Runs libzmq's loops until idle, re-arms the timer, wakes parked sockets. */
  readonly #pump = (): void => {
    this.#pumpScheduled = false;
    this.#pumping = true;
    let events: number;
    try {
      events = this.#m._zmq_wasm_pump();
    } finally {
      this.#pumping = false;
    }
    this.#armTimer();
    for (const waiter of this.#pumpWaiters.splice(0)) waiter();
    if (events > 0 || this.#signaled) {
      this.#signaled = false;
      this.#progress();
    }
    if (events >= PUMP_AGAIN) this.#onEvent();
  };

  /** One host timer at libzmq's next deadline (kept when an earlier one is set). */
  #armTimer(): void {
    const ms = this.#m._zmq_wasm_next_timer();
    if (ms < 0) return;
    const deadline = performance.now() + ms;
    if (this.#timer && this.#timerDeadline <= deadline + 1) return;
    this.#timer?.cancel();
    this.#timerDeadline = deadline;
    this.#timer = this.#host.timer(ms, () => {
      this.#timer = undefined;
      this.#onEvent();
    });
    if (!this.#held) this.#timer.unref();
  }

  /**
   * Something happened that may let a parked socket proceed: wake them all,
   * once, in a microtask (so a burst of calls costs one round).
   */
  #progress(): void {
    this.#parked.wakeSoon();
  }
}

/** A parked socket, with the reactor (context) that parked it. */
class ContextParked extends ParkedSocket {
  reactor: WasmReactor | undefined;
}

/**
 * The reactor of one context on the WASM backend: its sockets park in the
 * backend's shared record, and the backend wakes them after every call or
 * pump that made progress. No poll of its own. While a socket waits, the host
 * sockets and libzmq's timer keep the process alive; with none waiting it can
 * exit.
 */
class WasmReactor implements Reactor {
  readonly #parked: ParkedSockets<ContextParked>;
  readonly #changed: () => void;
  #closed = false;

  constructor(parked: ParkedSockets<ContextParked>, changed: () => void) {
    this.#parked = parked;
    this.#changed = changed;
  }

  watch(socket: Handle, onWake: () => void): Parked {
    if (this.#closed) return UNPARKED;
    const entry = this.#parked.park(socket, onWake);
    entry.reactor = this;
    this.#changed();
    return entry;
  }

  unwatch(socket: Handle): void {
    if (this.#parked.unpark(socket)) this.#changed();
  }

  progress(): void {
    this.#parked.wakeSoon();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#parked.unparkAll((entry) => entry.reactor === this);
      this.#changed();
    }
    return Promise.resolve();
  }
}
