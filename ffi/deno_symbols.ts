/**
 * The libzmq and libc functions the Deno FFI backend calls, in one table.
 *
 * 64-bit parameters (`usize`, `u64`) are passed as BigInt by the callers:
 * a JS number drops the call off V8's fast-call path (+100-300 ns per call).
 *
 * @module
 */

/** libzmq 4.3 symbols. */
export const zmqSymbols = {
  zmq_version: { parameters: ["buffer", "buffer", "buffer"], result: "void" },
  zmq_has: { parameters: ["buffer"], result: "i32" },
  zmq_errno: { parameters: [], result: "i32" },
  zmq_strerror: { parameters: ["i32"], result: "pointer" },

  zmq_ctx_new: { parameters: [], result: "pointer" },
  zmq_ctx_set: { parameters: ["pointer", "i32", "i32"], result: "i32" },
  zmq_ctx_get: { parameters: ["pointer", "i32"], result: "i32" },
  zmq_ctx_shutdown: { parameters: ["pointer"], result: "i32" },
  // Waits for sockets to close and linger to pass: run off the JS thread.
  zmq_ctx_term: { parameters: ["pointer"], result: "i32", nonblocking: true },
  // At process exit only: flushes lingering messages before the process ends.
  zmq_ctx_term_at_exit: {
    name: "zmq_ctx_term",
    parameters: ["pointer"],
    result: "i32",
  },

  zmq_socket: { parameters: ["pointer", "i32"], result: "pointer" },
  zmq_close: { parameters: ["pointer"], result: "i32" },
  zmq_setsockopt: {
    parameters: ["pointer", "i32", "buffer", "usize"],
    result: "i32",
  },
  zmq_getsockopt: {
    parameters: ["pointer", "i32", "buffer", "buffer"],
    result: "i32",
  },
  zmq_bind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_connect: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_unbind: { parameters: ["pointer", "buffer"], result: "i32" },
  zmq_disconnect: { parameters: ["pointer", "buffer"], result: "i32" },

  zmq_socket_monitor: {
    parameters: ["pointer", "buffer", "i32"],
    result: "i32",
  },
  // Runs until terminated through its control socket: off the JS thread.
  zmq_proxy_steerable: {
    parameters: ["pointer", "pointer", "pointer", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  zmq_curve_keypair: { parameters: ["buffer", "buffer"], result: "i32" },
  zmq_curve_public: { parameters: ["buffer", "buffer"], result: "i32" },

  zmq_send: {
    parameters: ["pointer", "buffer", "usize", "i32"],
    result: "i32",
  },
  zmq_msg_init: { parameters: ["buffer"], result: "i32" },
  zmq_msg_close: { parameters: ["buffer"], result: "i32" },
  zmq_msg_recv: { parameters: ["buffer", "pointer", "i32"], result: "i32" },
  zmq_msg_data: { parameters: ["buffer"], result: "pointer" },
  zmq_msg_more: { parameters: ["buffer"], result: "i32" },

  // Draft API: only in libzmq builds that have it (optional: the library
  // still loads without them).
  zmq_msg_init_size: {
    parameters: ["buffer", "usize"],
    result: "i32",
    optional: true,
  },
  zmq_msg_send: {
    parameters: ["buffer", "pointer", "i32"],
    result: "i32",
    optional: true,
  },
  zmq_msg_set_routing_id: {
    parameters: ["buffer", "u32"],
    result: "i32",
    optional: true,
  },
  zmq_msg_routing_id: { parameters: ["buffer"], result: "u32", optional: true },
  zmq_msg_set_group: {
    parameters: ["buffer", "buffer"],
    result: "i32",
    optional: true,
  },
  zmq_msg_group: { parameters: ["buffer"], result: "pointer", optional: true },
  zmq_join: {
    parameters: ["pointer", "buffer"],
    result: "i32",
    optional: true,
  },
  zmq_leave: {
    parameters: ["pointer", "buffer"],
    result: "i32",
    optional: true,
  },
  zmq_connect_peer: {
    parameters: ["pointer", "buffer"],
    result: "u32",
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** libc functions for the reactor: poll() over an eventfd and ZMQ_FDs. */
export const libcSymbols = {
  // Blocks until a watched fd fires: always run off the JS thread.
  poll: {
    parameters: ["buffer", "u64", "i32"],
    result: "i32",
    nonblocking: true,
  },
  eventfd: { parameters: ["u32", "i32"], result: "i32", optional: true },
  pipe: { parameters: ["buffer"], result: "i32" },
  sched_yield: { parameters: [], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  // Copies received frames out of libzmq: a fast call, ~140 ns cheaper than
  // Deno.UnsafePointerView.copyInto for small frames.
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
  memcpy_in: {
    name: "memcpy",
    parameters: ["pointer", "buffer", "usize"],
    result: "pointer",
  },
  // Pins libzmq in memory (RTLD_NODELETE), see pinLibrary in deno.ts.
  dlopen: { parameters: ["buffer", "i32"], result: "pointer", optional: true },
  // Release a Worker's handles when its thread ends (thread_exit.ts).
  dlsym: {
    parameters: ["pointer", "buffer"],
    result: "pointer",
    optional: true,
  },
  pthread_key_create: {
    parameters: ["buffer", "pointer"],
    result: "i32",
    optional: true,
  },
  pthread_setspecific: {
    parameters: ["u32", "pointer"],
    result: "i32",
    optional: true,
  },
  pthread_key_delete: { parameters: ["u32"], result: "i32", optional: true },
} as const satisfies Deno.ForeignLibraryInterface;
