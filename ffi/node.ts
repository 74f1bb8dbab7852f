/**
 * The native binding's call mechanics on Node: the system libzmq through
 * `koffi` (npm). Blocking calls run through koffi's `.async()` (a worker
 * thread) and return a Promise; strings cross as JS strings, handles and
 * addresses as numbers (0 for NULL). Everything else is in `native.ts`.
 *
 * koffi is loaded lazily, synchronously and only on Node: importing this
 * module needs nothing, and Deno never loads it.
 *
 * @module
 */

import { createRequire } from "node:module";
import type { Backend } from "../src/backend.ts";
import { ZmqError } from "../src/errors.ts";
import type { CFunction, CKind } from "../src/libzmq.ts";
import { type Calls, loadNative, type NativeRuntime } from "./native.ts";

/** The parts of koffi 3 this binding uses (pointers are BigInt). */
interface Koffi {
  load(path: string): KoffiLibrary;
  address(value: unknown): bigint;
}
interface KoffiLibrary {
  func(name: string, result: string, parameters: string[]): KoffiFunction;
}
// deno-lint-ignore no-explicit-any
type KoffiFunction = ((...args: any[]) => any) & {
  // deno-lint-ignore no-explicit-any
  async(...args: any[]): void;
};

interface NodeProcess {
  platform: string;
  env: Record<string, string | undefined>;
  versions?: { node?: string; bun?: string };
}
const nodeProcess = (globalThis as { process?: NodeProcess }).process;

/** Whether this looks like Node (or a runtime compatible with its native addons). */
export function isNode(): boolean {
  return typeof nodeProcess?.versions?.node === "string" &&
    typeof (globalThis as { Deno?: unknown }).Deno === "undefined";
}

function loadKoffi(): Koffi {
  try {
    return createRequire(import.meta.url)("koffi") as Koffi;
  } catch (err) {
    throw new ZmqError(
      "ENOENT",
      0,
      "The FFI backend on Node needs the koffi package (a dependency of deno-zmq): " +
        "reinstall deno-zmq, or use the WASM backend (inproc, tcp and ipc with no native library)",
      { cause: err },
    );
  }
}

const KOFFI_TYPES: Record<CKind, string> = {
  // Buffers and typed arrays go as `void *` (koffi passes their memory
  // directly; `_Out_` arrays would cost ~1 us per call); strings as
  // `const char *` (koffi encodes them as NUL-terminated UTF-8, and decodes
  // `text` results). Handles and addresses are `uintptr_t` numbers: koffi
  // decodes a number faster than a BigInt (zmq_send 83 -> 80 ns a call on
  // Node 20, 151 -> 132 on Bun 1.4); user-space addresses fit in 53 bits.
  handle: "uintptr_t",
  address: "uintptr_t",
  memory: "void *",
  string: "const char *",
  text: "const char *",
  int: "int",
  uint32: "uint32_t",
  size: "size_t",
  uint64: "uint64_t",
  ssize: "intptr_t",
  void: "void",
};

/** A blocking koffi function as a Promise-returning one (run on koffi's worker thread). */
function offThread(fn: KoffiFunction) {
  return (...args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      fn.async(
        ...args,
        (err: unknown, result: unknown) => err ? reject(err) : resolve(result),
      );
    });
}

function bind<T extends Record<string, CFunction>>(
  lib: KoffiLibrary,
  functions: T,
): Calls<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(functions) as [string, CFunction][]) {
    if (fn.in === "wasm") continue;
    let bound: KoffiFunction;
    try {
      bound = lib.func(
        fn.symbol ?? name,
        KOFFI_TYPES[fn.result],
        fn.args.map((kind) => KOFFI_TYPES[kind]),
      );
    } catch (err) {
      if (fn.draft || fn.optional) continue;
      throw err;
    }
    if (fn.blocking) {
      out[name] = offThread(bound);
      out[`${name}_sync`] = bound;
    } else {
      out[name] = bound;
    }
  }
  return out as Calls<T>;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function nodeRuntime(koffi: Koffi): NativeRuntime {
  return {
    os: nodeProcess?.platform ?? "linux",
    libraryOverride: () => nodeProcess?.env.ZMQ_LIB_PATH || undefined,
    open: (path, functions) => bind(koffi.load(path), functions),
    size: (n: number) => n,
    string: (text: string) => text,
    cell: (memory: Uint8Array) => koffi.address(memory),
    text: (result: unknown) => (result as string | null) ?? null,
    address: (pointer: unknown) => BigInt((pointer as number | null) ?? 0),
    // koffi itself returns a BigInt above 2^53 (e.g. MAP_FAILED), and takes one.
    pointer: (address: bigint) =>
      address <= MAX_SAFE ? Number(address) : address,
    workerPoll: nodeProcess?.versions?.bun !== undefined ? "timer" : "bounded",
  };
}

let loaded: Backend | undefined;

/** Loads koffi and libzmq once per process and returns the backend; throws ZmqError when it cannot. */
export function loadNodeFfi(): Backend {
  return loaded ??= loadNative(nodeRuntime(loadKoffi()));
}
