/**
 * Closes the libzmq sockets and contexts of a Worker thread when the thread
 * ends without running JS, as when `worker.terminate()` stops it.
 *
 * Each handle is the thread-specific value of a pthread key whose destructor
 * is the libzmq function that releases it (`zmq_close`, `zmq_ctx_term`), so
 * the C library calls it on that thread as the thread exits. A handle closed
 * from JS clears its value first, so nothing is released twice. Without this
 * a terminated Worker's sockets stay open: their ports stay bound, and a
 * context shared with the parent can never be terminated.
 *
 * The reactor's wake-up fd (an eventfd) is held the same way, with libc's
 * `close` as destructor: a terminated Worker that had an operation waiting
 * leaked one descriptor each (measured: 10 Deno Workers with a receive
 * pending on a shared context, +10 eventfds; 0 with this).
 *
 * glibc runs key destructors in ascending key order: a context's key is kept
 * above the keys of all sockets, so its `zmq_ctx_term` (which waits for the
 * context's sockets) runs after they are closed.
 *
 * Keys are per process and few (1024 on glibc, ~1020 left to us), while a
 * key's value is per thread: one set of keys serves every thread at once.
 * So the keys are not each module instance's own (one instance per Worker,
 * and a terminated Worker gives none back: measured, 340 Workers used them
 * all up, then fds leaked and a shared context's `close()` hung): they are
 * listed once per process in native memory (key_registry.ts), in chunks
 * created by the first instance that needs one, and never deleted. Each
 * instance keeps its own free list over them: key i holds this thread's i-th
 * open socket. Where there is no registry (not Linux), each instance creates
 * its own keys, deletes the unused ones when its thread exits normally, and
 * leaks the rest when it is terminated; once keys run out, new handles are
 * left to JS as before.
 *
 * @module
 */

import type { Backend, Handle } from "../src/backend.ts";
import { onProcessExit } from "../src/runtime.ts";

/**
 * The functions that release a handle, as key destructors: libzmq's, and
 * libc's `close` for a file descriptor.
 */
export type Release = "zmq_close" | "zmq_ctx_term" | "close";

/** libc's thread-specific data, as each binding calls it. */
export interface ThreadKeys {
  /** `pthread_key_create` with the libzmq function as destructor: the key, or -1. */
  create(release: Release): number;
  /** `pthread_setspecific(key, handle)`; null clears it. */
  set(key: number, handle: Handle | null): void;
  /**
   * Whether `key` holds nothing on this thread (`pthread_getspecific` is
   * null): a second copy of this module on the same thread shares the keys.
   */
  isFree(key: number): boolean;
  /**
   * A file descriptor as a key value for `close`: the destructor is called
   * as `void (*)(void *)`, and on the ABIs this runs on (x86-64 and arm64,
   * System V and Apple) `close(int)` then reads the fd from the low 32 bits
   * of that pointer argument.
   */
  fdValue(fd: number): Handle;
  /** `pthread_key_delete`. */
  delete(key: number): void;
  /**
   * Chunk `index` of the keys every module instance of the process shares
   * (key_registry.ts), created by the first instance that asks for it; null
   * past the last one, and where there is no registry.
   */
  sharedChunk(index: number): KeyChunk | null;
}

/** Some shared keys, by the function they release with. */
export type KeyChunk = Readonly<Record<Release, readonly number[]>>;

interface Held {
  key: number;
  release: Release;
}

/** One instance per backend on a Worker thread (see {@link threadExitRelease}). */
export class ThreadExitRelease {
  readonly #keys: ThreadKeys;
  // Keys free on this thread, as far as this instance knows.
  readonly #free: Record<Release, number[]> = {
    zmq_close: [],
    zmq_ctx_term: [],
    close: [],
  };
  // The next shared chunk to take keys from, for each release.
  readonly #nextChunk: Record<Release, number> = {
    zmq_close: 0,
    zmq_ctx_term: 0,
    close: 0,
  };
  // Keys this instance created for itself (no registry, or it ran out).
  readonly #own = new Set<number>();
  readonly #sockets = new Map<Handle, Held>();
  readonly #contexts = new Map<Handle, Held>();
  readonly #fds = new Map<number, Held>();
  #maxSocketKey = -1;
  #exhausted = false;

  constructor(keys: ThreadKeys) {
    this.#keys = keys;
    onProcessExit(() => {
      // A normal exit: this instance's own keys of closed handles go back;
      // those of handles still open (a shared context's sockets, which the
      // exit hook of context.ts leaves alone) stay, so that the thread's end
      // closes them. Shared keys stay: other threads hold values in them.
      for (const free of Object.values(this.#free)) {
        for (const key of free.splice(0)) {
          if (this.#own.has(key)) keys.delete(key);
        }
      }
      this.#exhausted = true;
    });
  }

  socketOpened(socket: Handle): void {
    this.#hold(this.#sockets, socket, "zmq_close");
  }
  socketClosed(socket: Handle): void {
    this.#drop(this.#sockets, socket);
  }
  contextOpened(context: Handle): void {
    this.#hold(this.#contexts, context, "zmq_ctx_term");
  }
  contextClosed(context: Handle): void {
    this.#drop(this.#contexts, context);
  }
  /** A file descriptor to close at thread exit unless {@link fdClosed} first. */
  fdOpened(fd: number): void {
    // fd 0 would be a null value, for which no destructor runs.
    if (fd > 0) this.#hold(this.#fds, fd, "close");
  }
  fdClosed(fd: number): void {
    this.#drop(this.#fds, fd);
  }

  #hold<T>(table: Map<T, Held>, handle: T, release: Release): void {
    const key = this.#key(release);
    if (key < 0) return;
    this.#keys.set(
      key,
      release === "close" ? this.#keys.fdValue(handle as number) : handle,
    );
    table.set(handle, { key, release });
    if (release === "zmq_close" && key > this.#maxSocketKey) {
      this.#maxSocketKey = key;
      this.#reorderContexts();
    }
  }

  #drop<T>(table: Map<T, Held>, handle: T): void {
    const held = table.get(handle);
    if (!held) return;
    table.delete(handle);
    this.#keys.set(held.key, null);
    this.#free[held.release].push(held.key);
  }

  /** A key for `release`; a context's key above every socket key. */
  #key(release: Release): number {
    const free = this.#free[release];
    const floor = release === "zmq_ctx_term" ? this.#maxSocketKey : -1;
    for (;;) {
      for (let i = 0; i < free.length; i++) {
        const key = free[i];
        if (key <= floor) continue;
        free.splice(i--, 1);
        if (this.#keys.isFree(key)) return key;
      }
      if (this.#exhausted) return -1;
      const chunk = this.#keys.sharedChunk(this.#nextChunk[release]);
      if (!chunk) break;
      this.#nextChunk[release]++;
      free.push(...chunk[release]);
    }
    const key = this.#keys.create(release);
    if (key < 0) {
      this.#exhausted = true;
      return -1;
    }
    this.#own.add(key);
    if (key > floor) return key;
    // Not above the sockets (a lower key was freed elsewhere): unusable for this.
    free.push(key);
    return -1;
  }

  // A new socket key above a context's: move the context above it again.
  #reorderContexts(): void {
    for (const [context, held] of [...this.#contexts]) {
      if (held.release !== "zmq_ctx_term" || held.key > this.#maxSocketKey) {
        continue;
      }
      this.#drop(this.#contexts, context);
      this.#hold(this.#contexts, context, "zmq_ctx_term");
    }
  }
}

/**
 * On a Worker thread, what releases a backend's handles when the thread
 * exits without closing them (see the module doc); null elsewhere.
 */
export function threadExitRelease(
  keys: ThreadKeys | null,
  onWorkerThread: boolean,
): ThreadExitRelease | null {
  return keys && onWorkerThread ? new ThreadExitRelease(keys) : null;
}

/**
 * Makes `backend` hand its sockets and contexts to `held` (from
 * {@link threadExitRelease}); a no-op when that is null.
 */
export function releaseAtThreadExit(
  backend: Backend,
  held: ThreadExitRelease | null,
): void {
  if (!held) return;
  const b = backend as {
    -readonly [K in keyof Backend]: Backend[K];
  };
  const { socketNew, socketClose, contextNew, contextTerm, contextTermAtExit } =
    backend;
  b.contextNew = () => {
    const context = contextNew.call(backend);
    if (context !== null) held.contextOpened(context);
    return context;
  };
  b.contextTerm = (context) => {
    held.contextClosed(context);
    return contextTerm.call(backend, context);
  };
  b.contextTermAtExit = (context) => {
    held.contextClosed(context);
    return contextTermAtExit.call(backend, context);
  };
  b.socketNew = (context, type) => {
    const socket = socketNew.call(backend, context, type);
    if (socket !== null) held.socketOpened(socket);
    return socket;
  };
  b.socketClose = (socket) => {
    held.socketClosed(socket);
    return socketClose.call(backend, socket);
  };
  // zmq_proxy_steerable would use the sockets on a thread of its own, where
  // they can be neither closed nor stopped once this thread is gone: a Proxy
  // on a Worker thread runs in the event loop instead, as on WASM.
  b.proxySteerable = undefined;
}
