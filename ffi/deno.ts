/**
 * The native binding's call mechanics on Deno: `Deno.dlopen` of the system
 * libzmq. Blocking calls are nonblocking FFI symbols (they run on a Deno
 * worker thread and return a Promise); 64-bit sizes are BigInts, which keep
 * calls on V8's fast-call path. Everything else is in `native.ts`.
 *
 * @module
 */

import type { Backend } from "../src/backend.ts";
import { ZmqError } from "../src/errors.ts";
import type { CFunction } from "../src/libzmq.ts";
import { denoSymbols } from "./deno_symbols.ts";
import { type Calls, loadNative, type NativeRuntime } from "./native.ts";

const encoder = new TextEncoder();
function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = encoder.encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}

// size_t arguments must be BigInts to stay on the fast-call path; allocating
// one per send shows in profiles, so small sizes come from a table.
const SIZES = Array.from({ length: 4097 }, (_, i) => BigInt(i));

/** Whether this runtime may load native libraries without prompting. */
export function ffiAllowed(): boolean {
  if (typeof Deno?.dlopen !== "function") return false;
  try {
    return Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

function permissionError(cause: unknown): ZmqError {
  return new ZmqError(
    "EACCES",
    0,
    "Loading libzmq needs the FFI permission: run with --allow-ffi, or use the WASM backend (inproc with no permission, tcp with --allow-net)",
    { cause },
  );
}

// Built on first load: this module is imported (not used) on Node too.
const denoRuntime = (): NativeRuntime => ({
  os: Deno.build.os,
  libraryOverride() {
    try {
      const query = { name: "env", variable: "ZMQ_LIB_PATH" } as const;
      if (Deno.permissions.querySync(query).state !== "granted") {
        return undefined;
      }
      return Deno.env.get("ZMQ_LIB_PATH") || undefined;
    } catch {
      return undefined;
    }
  },
  open<T extends Record<string, CFunction>>(path: string, functions: T) {
    return Deno.dlopen(path, denoSymbols(functions)).symbols as Calls<T>;
  },
  fatal(error: unknown) {
    return error instanceof Deno.errors.NotCapable
      ? permissionError(error)
      : undefined;
  },
  size: (n: number) => n < SIZES.length ? SIZES[n] : BigInt(n),
  string: cString,
  cell: (memory: Uint8Array) => memory,
  text(result: unknown) {
    return result === null
      ? null
      : Deno.UnsafePointerView.getCString(result as Deno.PointerObject);
  },
  address(pointer: unknown) {
    return BigInt(Deno.UnsafePointer.value(pointer as Deno.PointerValue));
  },
  pointer(address: bigint) {
    return Deno.UnsafePointer.create(address);
  },
  // Terminating a Worker does not wait for its nonblocking calls, and the
  // poll returns once thread_exit.ts has closed the sockets it watches.
  workerPoll: "unbounded",
});

let loaded: Backend | undefined;

/** Loads libzmq once per process and returns the backend; throws ZmqError when it cannot. */
export function loadDenoFfi(): Backend {
  return loaded ??= loadNative(denoRuntime());
}
