/**
 * The libc functions the native bindings call, in the format of
 * `src/libzmq.ts`: the reactor's poll() and wake-up fd, memcpy for frames,
 * dlopen to pin libzmq, sched_yield for the latency spin, pthread keys to
 * release a Worker's handles when its thread ends, and mmap/access for the
 * process-wide list of those keys (key_registry.ts).
 *
 * @module
 */

import type { CFunction } from "../src/libzmq.ts";

/** libc functions, for both native bindings. */
export const LIBC_FUNCTIONS = {
  // Blocks until a watched fd fires: always run off the JS thread.
  poll: {
    c: "int poll(struct pollfd *fds, nfds_t nfds, int timeout)",
    args: ["memory", "uint64", "int"],
    result: "int",
    blocking: true,
  },
  eventfd: {
    c: "int eventfd(unsigned int initval, int flags)",
    args: ["uint32", "int"],
    result: "int",
    optional: true,
  },
  pipe: { c: "int pipe(int fds[2])", args: ["memory"], result: "int" },
  sched_yield: { c: "int sched_yield(void)", args: [], result: "int" },
  write: {
    c: "ssize_t write(int fd, const void *buf, size_t count)",
    args: ["int", "memory", "size"],
    result: "ssize",
  },
  read: {
    c: "ssize_t read(int fd, void *buf, size_t count)",
    args: ["int", "memory", "size"],
    result: "ssize",
  },
  close: { c: "int close(int fd)", args: ["int"], result: "int" },
  // Copies received frames out of libzmq: on Deno a fast call, ~140 ns
  // cheaper than Deno.UnsafePointerView.copyInto for small frames.
  memcpy: {
    c: "void *memcpy(void *dest, const void *src, size_t n)",
    args: ["memory", "address", "size"],
    result: "address",
  },
  // The other direction: into a zmq_msg_t's data.
  memcpy_in: {
    c: "void *memcpy(void *dest, const void *src, size_t n)",
    args: ["address", "memory", "size"],
    result: "address",
    symbol: "memcpy",
  },
  // Pins libzmq in memory (RTLD_NODELETE), see pinLibrary in native.ts.
  dlopen: {
    c: "void *dlopen(const char *path, int flags)",
    args: ["string", "int"],
    result: "handle",
    optional: true,
  },
  // Release a Worker's handles when its thread ends (thread_exit.ts).
  dlsym: {
    c: "void *dlsym(void *handle, const char *symbol)",
    args: ["handle", "string"],
    result: "address",
    optional: true,
  },
  // The destructor is a function pointer, `void (*)(void *)`: a libzmq function.
  pthread_key_create: {
    c: "int pthread_key_create(pthread_key_t *key, void *destructor)",
    args: ["memory", "address"],
    result: "int",
    optional: true,
  },
  pthread_setspecific: {
    c: "int pthread_setspecific(pthread_key_t key, const void *value)",
    args: ["uint32", "handle"],
    result: "int",
    optional: true,
  },
  pthread_key_delete: {
    c: "int pthread_key_delete(pthread_key_t key)",
    args: ["uint32"],
    result: "int",
    optional: true,
  },
  // This thread's value of a key: null when no handle is held in it here.
  pthread_getspecific: {
    c: "void *pthread_getspecific(pthread_key_t key)",
    args: ["uint32"],
    result: "address",
    optional: true,
  },
  // The key registry's pages, at a fixed address (key_registry.ts).
  mmap: {
    c: "void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)",
    args: ["address", "size", "int", "int", "int", "size"],
    result: "address",
    optional: true,
  },
  munmap: {
    c: "int munmap(void *addr, size_t length)",
    args: ["address", "size"],
    result: "int",
    optional: true,
  },
  // Probes whether a page is readable (EFAULT when not) before reading it.
  access: {
    c: "int access(const char *path, int mode)",
    args: ["address", "int"],
    result: "int",
    optional: true,
  },
} as const satisfies Record<string, CFunction>;
