/**
 * libzmq's C API as this library uses it, declared once: every function with
 * its C prototype, and the constants the bindings need.
 *
 * The bindings derive their tables from {@link LIBZMQ_FUNCTIONS}: the Deno
 * symbol table (`ffi/symbols.ts`), the koffi prototypes (`ffi/node.ts`), and
 * the emscripten export list and the WASM module's TypeScript types
 * (`scripts/build_wasm.ts`). To call a new C function, add one entry here.
 *
 * @module
 */

import { socketOptions } from "./options.ts";

/**
 * How a C argument or result crosses a binding:
 * - `handle`: `void *` to a libzmq object (context, socket), opaque to JS;
 * - `memory`: a pointer to memory the caller provides (bytes, a `zmq_msg_t`,
 *   a `size_t` cell): a typed array on native bindings, a heap offset on WASM;
 * - `string`: `const char *`, a NUL-terminated UTF-8 string passed in;
 * - `address`: a pointer into memory libzmq (or libc) owns, such as
 *   `zmq_msg_data`'s result;
 * - `text`: a `const char *` result (a C string libzmq owns);
 * - `int`, `uint32`, `size`, `uint64`, `ssize`: integers (`size` is `size_t`);
 * - `void`: no result.
 */
export type CKind =
  | "handle"
  | "memory"
  | "string"
  | "address"
  | "text"
  | "int"
  | "uint32"
  | "size"
  | "uint64"
  | "ssize"
  | "void";

/** Which bindings call a function. */
export type CBindings = "all" | "native" | "wasm";

/** One C function: its prototype, and how its arguments and result cross a binding. */
export interface CFunction {
  /** The C prototype, for people; its parameter names name the WASM module's parameters. */
  readonly c: string;
  /** One kind per C parameter. */
  readonly args: readonly CKind[];
  /** The result's kind. */
  readonly result: CKind;
  /** Which bindings call it (default: all). */
  readonly in?: CBindings;
  /** May wait (for other threads, for I/O): native bindings run it off the JS thread. */
  readonly blocking?: boolean;
  /** Only in libzmq builds with the draft API: native bindings load without it. */
  readonly draft?: boolean;
  /** May be missing from the library (native bindings load without it). */
  readonly optional?: boolean;
  /** The C symbol, when the entry is a second way to call another one. */
  readonly symbol?: string;
  /** What differs in the WASM build (its doc comment in the WASM module's types). */
  readonly wasm?: string;
}

/**
 * libzmq 4.3 functions, in the WASM build's export order.
 *
 * Native-only entries are the ones that need threads (the proxy) the WASM
 * build lacks; WASM-only entries are the ones only the heap-based binding
 * needs, and the single-threaded build's own (wasm/libzmq-wasm.patch).
 */
export const LIBZMQ_FUNCTIONS = {
  zmq_ctx_new: { c: "void *zmq_ctx_new(void)", args: [], result: "handle" },
  zmq_ctx_set: {
    c: "int zmq_ctx_set(void *ctx, int option, int value)",
    args: ["handle", "int", "int"],
    result: "int",
  },
  zmq_ctx_get: {
    c: "int zmq_ctx_get(void *ctx, int option)",
    args: ["handle", "int"],
    result: "int",
  },
  zmq_ctx_shutdown: {
    c: "int zmq_ctx_shutdown(void *ctx)",
    args: ["handle"],
    result: "int",
  },
  // Waits for sockets to close and linger to pass.
  zmq_ctx_term: {
    c: "int zmq_ctx_term(void *ctx)",
    args: ["handle"],
    result: "int",
    blocking: true,
    wasm:
      "0 when done; -1 with EAGAIN while sockets are still open (close them, call again).",
  },
  zmq_socket: {
    c: "void *zmq_socket(void *ctx, int type)",
    args: ["handle", "int"],
    result: "handle",
  },
  zmq_close: {
    c: "int zmq_close(void *socket)",
    args: ["handle"],
    result: "int",
    wasm: "Also pumps the reaper (zmq_wasm_pump).",
  },
  zmq_setsockopt: {
    c: "int zmq_setsockopt(void *socket, int option, const void *value, size_t size)",
    args: ["handle", "int", "memory", "size"],
    result: "int",
  },
  zmq_getsockopt: {
    c: "int zmq_getsockopt(void *socket, int option, void *value, size_t *size)",
    args: ["handle", "int", "memory", "memory"],
    result: "int",
    wasm: "`size` points to a size_t (4 bytes on wasm32).",
  },
  zmq_bind: {
    c: "int zmq_bind(void *socket, const char *endpoint)",
    args: ["handle", "string"],
    result: "int",
    wasm: "`endpoint`: NUL-terminated UTF-8 string in the heap.",
  },
  zmq_connect: {
    c: "int zmq_connect(void *socket, const char *endpoint)",
    args: ["handle", "string"],
    result: "int",
  },
  zmq_unbind: {
    c: "int zmq_unbind(void *socket, const char *endpoint)",
    args: ["handle", "string"],
    result: "int",
  },
  zmq_disconnect: {
    c: "int zmq_disconnect(void *socket, const char *endpoint)",
    args: ["handle", "string"],
    result: "int",
  },
  zmq_send: {
    c: "int zmq_send(void *socket, const void *buf, size_t len, int flags)",
    args: ["handle", "memory", "size", "int"],
    result: "int",
    wasm: "Always non-blocking (ZMQ_DONTWAIT is forced).",
  },
  zmq_recv: {
    c: "int zmq_recv(void *socket, void *buf, size_t len, int flags)",
    args: ["handle", "memory", "size", "int"],
    result: "int",
    in: "wasm",
    wasm: "Always non-blocking (ZMQ_DONTWAIT is forced).",
  },
  zmq_msg_init: {
    c: "int zmq_msg_init(zmq_msg_t *msg)",
    args: ["memory"],
    result: "int",
    wasm: "`msg`: 64 bytes (sizeof zmq_msg_t), 8-byte aligned.",
  },
  // Not draft, but only draft sends use it on native bindings.
  zmq_msg_init_size: {
    c: "int zmq_msg_init_size(zmq_msg_t *msg, size_t size)",
    args: ["memory", "size"],
    result: "int",
  },
  zmq_msg_close: {
    c: "int zmq_msg_close(zmq_msg_t *msg)",
    args: ["memory"],
    result: "int",
  },
  zmq_msg_send: {
    c: "int zmq_msg_send(zmq_msg_t *msg, void *socket, int flags)",
    args: ["memory", "handle", "int"],
    result: "int",
  },
  zmq_msg_recv: {
    c: "int zmq_msg_recv(zmq_msg_t *msg, void *socket, int flags)",
    args: ["memory", "handle", "int"],
    result: "int",
  },
  zmq_msg_data: {
    c: "void *zmq_msg_data(zmq_msg_t *msg)",
    args: ["memory"],
    result: "address",
  },
  zmq_msg_size: {
    c: "size_t zmq_msg_size(const zmq_msg_t *msg)",
    args: ["memory"],
    result: "size",
    in: "wasm",
  },
  zmq_msg_more: {
    c: "int zmq_msg_more(const zmq_msg_t *msg)",
    args: ["memory"],
    result: "int",
  },
  zmq_msg_get: {
    c: "int zmq_msg_get(const zmq_msg_t *msg, int property)",
    args: ["memory", "int"],
    result: "int",
    in: "wasm",
  },
  zmq_msg_gets: {
    c: "const char *zmq_msg_gets(const zmq_msg_t *msg, const char *property)",
    args: ["memory", "string"],
    result: "text",
    in: "wasm",
  },
  zmq_errno: { c: "int zmq_errno(void)", args: [], result: "int" },
  zmq_strerror: {
    c: "const char *zmq_strerror(int errnum)",
    args: ["int"],
    result: "text",
  },
  zmq_version: {
    c: "void zmq_version(int *major, int *minor, int *patch)",
    args: ["memory", "memory", "memory"],
    result: "void",
  },
  zmq_has: {
    c: "int zmq_has(const char *capability)",
    args: ["string"],
    result: "int",
  },
  zmq_poll: {
    c: "int zmq_poll(zmq_pollitem_t *items, int nitems, long timeout)",
    args: ["memory", "int", "int"],
    result: "int",
    in: "wasm",
    wasm: "Never waits: the timeout is forced to 0.",
  },
  zmq_z85_encode: {
    c: "char *zmq_z85_encode(char *dest, const uint8_t *data, size_t size)",
    args: ["memory", "memory", "size"],
    result: "address",
    in: "wasm",
  },
  zmq_z85_decode: {
    c: "uint8_t *zmq_z85_decode(uint8_t *dest, const char *string)",
    args: ["memory", "string"],
    result: "address",
    in: "wasm",
  },
  zmq_socket_monitor: {
    c: "int zmq_socket_monitor(void *socket, const char *endpoint, int events)",
    args: ["handle", "string", "int"],
    result: "int",
  },
  // Runs until terminated through its control socket.
  zmq_proxy_steerable: {
    c: "int zmq_proxy_steerable(void *frontend, void *backend, void *capture, void *control)",
    args: ["handle", "handle", "handle", "handle"],
    result: "int",
    in: "native",
    blocking: true,
  },
  // The WASM build has CURVE through libzmq's bundled tweetnacl.
  zmq_curve_keypair: {
    c: "int zmq_curve_keypair(char *public_key, char *secret_key)",
    args: ["memory", "memory"],
    result: "int",
    wasm: "Writes a new Z85 key pair (41 bytes each, NUL-terminated); 0 or -1.",
  },
  zmq_curve_public: {
    c: "int zmq_curve_public(char *public_key, const char *secret_key)",
    args: ["memory", "string"],
    result: "int",
    wasm: "Writes the Z85 public key (41 bytes) of a Z85 secret key; 0 or -1.",
  },
  zmq_msg_set_routing_id: {
    c: "int zmq_msg_set_routing_id(zmq_msg_t *msg, uint32_t routingId)",
    args: ["memory", "uint32"],
    result: "int",
    draft: true,
    wasm: "Draft API: the routing id of a CLIENT/SERVER/PEER message.",
  },
  zmq_msg_routing_id: {
    c: "uint32_t zmq_msg_routing_id(zmq_msg_t *msg)",
    args: ["memory"],
    result: "uint32",
    draft: true,
  },
  zmq_msg_set_group: {
    c: "int zmq_msg_set_group(zmq_msg_t *msg, const char *group)",
    args: ["memory", "string"],
    result: "int",
    draft: true,
    wasm:
      "Draft API: the group of a RADIO/DISH message (NUL-terminated, at most 255 bytes).",
  },
  zmq_msg_group: {
    c: "const char *zmq_msg_group(zmq_msg_t *msg)",
    args: ["memory"],
    result: "text",
    draft: true,
  },
  zmq_join: {
    c: "int zmq_join(void *socket, const char *group)",
    args: ["handle", "string"],
    result: "int",
    draft: true,
  },
  zmq_leave: {
    c: "int zmq_leave(void *socket, const char *group)",
    args: ["handle", "string"],
    result: "int",
    draft: true,
  },
  zmq_connect_peer: {
    c: "uint32_t zmq_connect_peer(void *socket, const char *endpoint)",
    args: ["handle", "string"],
    result: "uint32",
    draft: true,
    wasm:
      "Draft API: connects a PEER socket; returns the peer's routing id (0 on failure).",
  },
  // Added by wasm/libzmq-wasm.patch: the single-threaded build's event loop.
  zmq_wasm_pump: {
    c: "int zmq_wasm_pump(void)",
    args: [],
    result: "int",
    in: "wasm",
    wasm:
      "Runs the reaper (and I/O thread) loops of every context until nothing is\n" +
      "pending; returns the number of events handled. Never blocks.",
  },
  // Added by wasm/libzmq-wasm.patch for the network (wasm/net/).
  zmq_wasm_next_timer: {
    c: "int zmq_wasm_next_timer(void)",
    args: [],
    result: "int",
    in: "wasm",
    wasm:
      "Milliseconds until libzmq's earliest timer (as of the last pump), or -1.",
  },
  zmq_wasm_fd_open: {
    c: "int zmq_wasm_fd_open(void)",
    args: [],
    result: "int",
    in: "wasm",
    wasm:
      "A file descriptor for a host socket (shares the signalers' fd space).",
  },
  zmq_wasm_fd_close: {
    c: "void zmq_wasm_fd_close(int fd)",
    args: ["int"],
    result: "void",
    in: "wasm",
    wasm: "Releases a descriptor from zmq_wasm_fd_open.",
  },
} as const satisfies Record<string, CFunction>;

/** The name of a libzmq function in {@link LIBZMQ_FUNCTIONS}. */
export type LibzmqFunctionName = keyof typeof LIBZMQ_FUNCTIONS;

/** The names of the functions a binding calls, in table order. */
export function functionsOf(binding: "native" | "wasm"): LibzmqFunctionName[] {
  return (Object.keys(LIBZMQ_FUNCTIONS) as LibzmqFunctionName[]).filter(
    (name) => {
      const where: CBindings = (LIBZMQ_FUNCTIONS[name] as CFunction).in ??
        "all";
      return where === "all" || where === binding;
    },
  );
}

/** The parameter names of a C prototype, e.g. `["msg", "socket", "flags"]`. */
export function parameterNames(prototype: string): string[] {
  const list = prototype.slice(
    prototype.indexOf("(") + 1,
    prototype.lastIndexOf(")"),
  ).trim();
  if (list === "" || list === "void") return [];
  // The last identifier of each parameter, after any array bounds ("fds[2]").
  return list.split(",").map((param) =>
    param.replace(/\[\w*\]\s*$/, "").trim().match(/(\w+)$/)![1]
  );
}

/** `zmq_send`/`zmq_msg_recv` flag: do not wait (every call of this library uses it). */
export const ZMQ_DONTWAIT = 1;
/** `zmq_send` flag: more frames of this message follow. */
export const ZMQ_SNDMORE = 2;
/** `ZMQ_EVENTS` bit: a message can be received now. */
export const ZMQ_POLLIN = 1;
/** `ZMQ_EVENTS` bit: a message can be sent now. */
export const ZMQ_POLLOUT = 2;
/** Socket option: the fd that signals a change of ZMQ_EVENTS (edge-triggered). */
export const ZMQ_FD: number = socketOptions.fd.id;
/** Socket option: which of {@link ZMQ_POLLIN}/{@link ZMQ_POLLOUT} hold now. */
export const ZMQ_EVENTS = 15;
/** `sizeof(zmq_msg_t)` (64 bytes on every platform; 8-byte aligned). */
export const ZMQ_MSG_T_SIZE = 64;

/**
 * Frames above this size are released right after they are copied out,
 * instead of staying in the reused receive `zmq_msg_t` until the next receive
 * (a binding policy, shared by every binding).
 */
export const KEEP_FRAME_MAX: number = 64 * 1024;
