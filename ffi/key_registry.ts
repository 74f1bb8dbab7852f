/**
 * The process-wide list of the pthread keys that release a Worker's handles
 * (thread_exit.ts): every module instance (one per Worker isolate) finds the
 * same keys, so their number is bounded however many Workers come and go.
 *
 * The list is in chunks of native memory at fixed addresses, chunk i at
 * `BASE + i * CHUNK_BYTES`. mmap with that address as a hint places a new
 * mapping there only if nothing is mapped there yet, atomically: the one
 * instance whose mmap lands there creates the chunk's keys and writes them,
 * then the magic; the others find the page taken and read it once the magic
 * and every slot are there. Nothing is locked (a Worker terminated while
 * holding a lock would stop every later one), nothing is freed, and nothing
 * outlives the process.
 *
 * Considered and not used: an environment variable (glibc 2.36 `setenv`
 * reallocates `environ` while other threads' `getenv` read it unlocked, and
 * Node Workers have a copy of `process.env`); the shared context's address
 * (covers only Workers on a shared context; the address is libzmq's own);
 * glibc's `__cxa_thread_atexit_impl` (destructors that cannot be cancelled
 * when JS closes the handle first, run before key destructors).
 *
 * Linux only (the mmap constants; a zeroed page as an empty chunk); elsewhere
 * each instance keeps its own keys.
 *
 * @module
 */

import type { LibcCalls, NativeRuntime } from "./native.ts";
import type { KeyChunk, Release } from "./thread_exit.ts";

/** Below 2^39, the smallest arm64 user address space; far below the heap and mmap areas. */
const BASE = 0x2a_6d71_0000n;
/** 64 KiB: page-aligned on 4 KiB, 16 KiB and 64 KiB pages. */
const CHUNK_BYTES = 0x1_0000;
/** The slots of a chunk, in the order their keys are created: a context's last, above its sockets'. */
const LAYOUT: readonly (readonly [Release, number])[] = [
  ["zmq_close", 24],
  ["close", 4],
  ["zmq_ctx_term", 4],
];
const SLOTS = LAYOUT.reduce((n, [, count]) => n + count, 0);
/** 32 chunks of 32 keys: as many as glibc has. */
const MAX_CHUNKS = 32;
// Starts with "/" and a NUL: access() on it succeeds (see #readable).
const MAGIC = new TextEncoder().encode(
  `/\0deno-zmq thread keys ${LAYOUT.map(([, n]) => n).join(".")}`.padEnd(
    32,
    "\0",
  ),
);
const HEADER = MAGIC.length;
/** A slot holds key + 1; 0 while being written; NONE when no key could be created. */
const NONE = 0xffff_ffff;
/** How long a chunk being written by another thread is waited for (writing takes ~0.1 ms). */
const WAIT_MS = 20;

const PROT_READ_WRITE = 3, MAP_PRIVATE_ANONYMOUS = 0x22, F_OK = 0;

/** The keys of a chunk's slots, by release. */
function chunkOf(slots: Uint32Array): KeyChunk {
  const chunk: Record<Release, number[]> = {
    zmq_close: [],
    zmq_ctx_term: [],
    close: [],
  };
  let i = 0;
  for (const [release, count] of LAYOUT) {
    for (let n = 0; n < count; n++, i++) {
      if (slots[i] !== NONE) chunk[release].push(slots[i] - 1);
    }
  }
  return chunk;
}

/**
 * The shared chunks of keys, created with `create`; null where there is no
 * registry (not Linux, or libc lacks mmap).
 */
export function keyRegistry(
  runtime: NativeRuntime,
  libc: LibcCalls,
  create: (release: Release) => number,
): ((index: number) => KeyChunk | null) | null {
  const { mmap, munmap, access } = libc;
  if (runtime.os !== "linux" || !mmap || !munmap || !access) return null;
  const size = runtime.size;
  const chunks: KeyChunk[] = [];
  let broken = false;

  const write = (address: bigint, bytes: Uint8Array) =>
    libc.memcpy_in(runtime.pointer(address), bytes, size(bytes.byteLength));

  const createChunk = (address: bigint): KeyChunk => {
    const slots = new Uint32Array(SLOTS);
    let i = 0;
    for (const [release, count] of LAYOUT) {
      for (let n = 0; n < count; n++, i++) {
        const key = create(release);
        slots[i] = key < 0 ? NONE : key + 1;
        // One aligned 4-byte store per slot: a reader sees 0 or the key.
        write(
          address + BigInt(HEADER + 4 * i),
          new Uint8Array(slots.buffer, 4 * i, 4),
        );
      }
    }
    write(address, MAGIC);
    return chunkOf(slots);
  };

  const readChunk = (address: bigint): KeyChunk | null => {
    const bytes = new Uint8Array(new ArrayBuffer(HEADER + 4 * SLOTS));
    const slots = new Uint32Array(bytes.buffer, HEADER);
    const pointer = runtime.pointer(address);
    const deadline = performance.now() + WAIT_MS;
    do {
      // Reads only a readable page (EFAULT otherwise) that starts with "/".
      if (access(pointer, F_OK) === 0) {
        libc.memcpy(bytes, pointer, size(bytes.byteLength));
        const ours = MAGIC.every((byte, i) => bytes[i] === byte);
        if (ours && slots.every((slot) => slot !== 0)) return chunkOf(slots);
      }
      libc.sched_yield();
    } while (performance.now() < deadline);
    // Not ours, or its writer was terminated while writing it.
    return null;
  };

  const load = (index: number): KeyChunk | null => {
    const address = BASE + BigInt(index * CHUNK_BYTES);
    const at = runtime.address(
      mmap(
        runtime.pointer(address),
        size(CHUNK_BYTES),
        PROT_READ_WRITE,
        MAP_PRIVATE_ANONYMOUS,
        -1,
        size(0),
      ),
    );
    if (at === address) return createChunk(address);
    // Mapped already (MAP_FAILED is all ones): by another instance, or not ours.
    if (at !== 0xffff_ffff_ffff_ffffn) {
      munmap(runtime.pointer(at), size(CHUNK_BYTES));
    }
    return readChunk(address);
  };

  return (index) => {
    while (!broken && chunks.length <= index && chunks.length < MAX_CHUNKS) {
      const chunk = load(chunks.length);
      if (chunk) chunks.push(chunk);
      else broken = true;
    }
    return chunks[index] ?? null;
  };
}
