/**
 * The interface between the socket logic in `src/` and a libzmq binding.
 *
 * It mirrors the C API (declared in `libzmq.ts`) so that each backend is a
 * thin wrapper: the native one (`ffi/native.ts`, with a Deno and a Node
 * adapter) and the WASM one. Calls return libzmq's own result codes (-1 on
 * failure, with {@link Backend.errno} telling why) and never block. Queues,
 * timeouts, iteration, option typing and errors are implemented once, above
 * it (`socket_engine.ts`, `socket.ts`).
 *
 * @module
 */

import type { ErrnoTable, ZmqError } from "./errors.ts";

/** An opaque libzmq context or socket handle (a pointer or a wasm address). */
export type Handle = unknown;

/** Which libzmq binding a {@link Backend} is. */
export type BackendKind = "ffi" | "wasm";

/** What {@link Backend.prepareBind} resolves with. */
export interface PreparedBind {
  /** The endpoint to give `zmq_bind`. */
  endpoint: string;
  /** Frees what the bind did not take (call once, whatever happened). */
  release(): void;
}

/** A libzmq binding. Every call is synchronous and never blocks. */
export interface Backend {
  /** Which binding this is. */
  readonly kind: BackendKind;
  /** errno numbers of the platform libzmq runs on. */
  readonly errnos: ErrnoTable;

  /** `zmq_version` as `[major, minor, patch]`. */
  version(): [number, number, number];
  /** `zmq_has`: whether libzmq was built with a capability ("ipc", "curve", "draft", ...). */
  has(capability: string): boolean;
  /** `zmq_errno`: the error of the last failed call on this thread. */
  errno(): number;
  /** `zmq_strerror`. */
  strerror(errno: number): string;

  /** `zmq_ctx_new`; null on failure. */
  contextNew(): Handle | null;
  /** `zmq_ctx_set`. */
  contextSet(context: Handle, option: number, value: number): number;
  /** `zmq_ctx_get`. */
  contextGet(context: Handle, option: number): number;
  /** `zmq_ctx_shutdown`: makes blocking calls on the context's sockets fail with ETERM. */
  contextShutdown(context: Handle): number;
  /**
   * `zmq_ctx_term`, without blocking the caller: resolves with its result once
   * every socket is closed and linger periods are over.
   */
  contextTerm(context: Handle): Promise<number>;
  /**
   * `zmq_ctx_term` on the calling thread, for process exit only: it blocks
   * while sockets with a linger period still have messages to deliver.
   */
  contextTermAtExit(context: Handle): number;

  /** `zmq_socket`; null on failure. */
  socketNew(context: Handle, type: number): Handle | null;
  /** `zmq_close`. */
  socketClose(socket: Handle): number;
  /** `zmq_setsockopt` with the option value's raw bytes. */
  setOption(socket: Handle, option: number, value: Uint8Array): number;
  /**
   * `zmq_getsockopt` into `into`; returns the value's length in bytes, or -1.
   */
  getOption(socket: Handle, option: number, into: Uint8Array): number;
  /** `zmq_getsockopt(ZMQ_EVENTS)`: ZMQ_POLLIN | ZMQ_POLLOUT bits, or -1. */
  events(socket: Handle): number;

  /**
   * Why this backend cannot use an endpoint for a call (e.g. udp:// on WASM,
   * or a missing network permission), as an error to throw; undefined when
   * libzmq should decide.
   */
  unsupportedEndpoint?(
    endpoint: string,
    call: "bind" | "connect" | "unbind" | "disconnect",
  ): ZmqError | undefined;
  /**
   * Work a bind needs before `zmq_bind` (the WASM backend opens the host
   * listener, asynchronously on Node): resolves with the endpoint to bind
   * (a wildcard port made concrete) and a `release` to call after the bind,
   * which frees what the bind did not take. Undefined: bind as given.
   */
  prepareBind?(
    socket: Handle,
    endpoint: string,
  ): Promise<PreparedBind> | undefined;
  /**
   * {@link Backend.prepareBind} for a synchronous bind: throws a ZmqError
   * where the work cannot be done synchronously (listening on tcp in Node).
   */
  prepareBindSync?(socket: Handle, endpoint: string): PreparedBind | undefined;

  /** `zmq_bind`. */
  bind(socket: Handle, endpoint: string): number;
  /** `zmq_connect`. */
  connect(socket: Handle, endpoint: string): number;
  /** `zmq_unbind`. */
  unbind(socket: Handle, endpoint: string): number;
  /** `zmq_disconnect`. */
  disconnect(socket: Handle, endpoint: string): number;

  /**
   * `zmq_send` of one frame with ZMQ_DONTWAIT (plus ZMQ_SNDMORE from
   * `flags`); returns the frame's size or -1.
   */
  send(socket: Handle, frame: Uint8Array, flags: number): number;
  /**
   * `zmq_msg_recv` of one frame with ZMQ_DONTWAIT; returns its size or -1.
   * The frame stays inside the backend until {@link Backend.readFrame}.
   */
  receive(socket: Handle): number;
  /** Copies the frame last received into `into` (exactly its size). */
  readFrame(into: Uint8Array): void;
  /**
   * The frame last received, as a new array: for frames too big for the
   * shared pool, where copying into a fresh array in one pass is cheaper
   * than zeroing one for {@link Backend.readFrame} and copying again.
   * Optional: the shared layer falls back to readFrame.
   */
  takeFrame?(): Uint8Array;
  /** Whether more frames of the same message follow the frame last received. */
  receivedMore(): boolean;

  /** Creates the waiting machinery for one context. */
  createReactor(context: Handle): Reactor;

  // ---- optional: features a backend may lack (callers throw ENOTSUP) ----

  /** `zmq_socket_monitor`: publishes the socket's events on an inproc PAIR endpoint (null stops). */
  socketMonitor?(
    socket: Handle,
    endpoint: string | null,
    events: number,
  ): number;
  /**
   * `zmq_proxy_steerable`, run off the JS thread: resolves when the proxy is
   * terminated through `control`. The sockets must not be used meanwhile.
   */
  proxySteerable?(
    frontend: Handle,
    backend: Handle,
    capture: Handle | null,
    control: Handle,
  ): Promise<number>;
  /** `zmq_curve_keypair`: a new Z85 key pair, or null (errno set) without CURVE. */
  curveKeypair?(): { publicKey: string; secretKey: string } | null;
  /** `zmq_curve_public`: the Z85 public key of a Z85 secret key, or null. */
  curvePublic?(secretKey: string): string | null;
  // Draft API sends go through one zmq_msg_t the backend keeps (zmq_send
  // cannot carry a routing id or group); `socket_engine.ts` calls these in
  // order, once for every backend.
  /** `zmq_msg_init_size` of the send message, with `frame` copied in. */
  msgInitSize?(frame: Uint8Array): number;
  /** Draft API: `zmq_msg_set_routing_id` on the send message (CLIENT/SERVER/PEER). */
  msgSetRoutingId?(routingId: number): number;
  /** Draft API: `zmq_msg_set_group` on the send message (RADIO). */
  msgSetGroup?(group: string): number;
  /** `zmq_msg_send` of the send message with ZMQ_DONTWAIT (libzmq then owns its data). */
  msgSend?(socket: Handle): number;
  /** `zmq_msg_close` of the send message, after it could not be sent. */
  msgClose?(): number;
  /** Draft API: the routing id of the frame last received (0 if none). */
  receivedRoutingId?(): number;
  /** Draft API: the group of the frame last received ("" if none). */
  receivedGroup?(): string;
  /** Draft API: `zmq_join` (DISH). */
  join?(socket: Handle, group: string): number;
  /** Draft API: `zmq_leave` (DISH). */
  leave?(socket: Handle, group: string): number;
  /** Draft API: `zmq_connect_peer` (PEER): the new peer's routing id, or 0. */
  connectPeer?(socket: Handle, endpoint: string): number;
  /** `sched_yield`: lets libzmq's I/O thread run while a socket spins briefly. */
  yieldThread?(): void;
  /** The address of a native handle, to share a context with Workers. */
  handleAddress?(handle: Handle): bigint;
  /** The native handle at an address from {@link Backend.handleAddress}. */
  handleFromAddress?(address: bigint): Handle;
}

/** A socket's entry on its reactor (see {@link Reactor.watch}). */
export interface Parked {
  /** True until the socket is unwatched or the reactor closed. */
  readonly parked: boolean;
}

/**
 * Tells when sockets that cannot make progress now may be able to: the one
 * owner of which sockets are parked (see `parked_sockets.ts`).
 *
 * A wake-up means "look again" (read ZMQ_EVENTS), never "ready": libzmq's
 * notification is edge-triggered, so the caller re-checks before and after
 * parking. A reactor is armed only while at least one socket is watched, so an
 * idle program can exit.
 */
export interface Reactor {
  /**
   * Parks a socket: calls `onWake` (on the JS thread) whenever its state may
   * have changed, until {@link Reactor.unwatch}. Returns its entry (watching
   * a watched socket replaces `onWake`, same entry).
   */
  watch(socket: Handle, onWake: () => void): Parked;
  /** Stops watching a socket; safe to call for a socket that is not watched. */
  unwatch(socket: Handle): void;
  /**
   * An operation on a socket of this context completed: parked sockets may
   * now proceed (an inproc message arrived, a high-water mark slot freed)
   * with no wake-up from libzmq, so they look again soon (once for a burst).
   */
  progress(): void;
  /** Stops the reactor, waiting for any in-flight wait to return. */
  close(): Promise<void>;
}
