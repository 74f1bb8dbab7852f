/**
 * The Deno symbol tables, derived from the C declarations in
 * `src/libzmq.ts` and `ffi/libc.ts` (types and values both).
 *
 * 64-bit parameters (`usize`, `u64`) are passed as BigInt by the callers:
 * a JS number drops the call off V8's fast-call path (+100-300 ns per call).
 * A blocking function is a nonblocking Deno symbol (it runs off the JS
 * thread and returns a Promise), plus `<name>_sync` for the rare synchronous
 * call (zmq_ctx_term at process exit).
 *
 * @module
 */

import { type CFunction, type CKind, LIBZMQ_FUNCTIONS } from "../src/libzmq.ts";
import { LIBC_FUNCTIONS } from "./libc.ts";

type DenoType<K extends CKind> = K extends "handle" | "address" | "text"
  ? "pointer"
  : K extends "memory" | "string" ? "buffer"
  : K extends "int" ? "i32"
  : K extends "uint32" ? "u32"
  : K extends "size" ? "usize"
  : K extends "uint64" ? "u64"
  : K extends "ssize" ? "isize"
  : "void";

type DenoParameters<A extends readonly CKind[]> = {
  readonly [I in keyof A]: DenoType<A[I]>;
};

type DenoSymbol<F extends CFunction, Nonblocking extends boolean> = {
  readonly name: string;
  readonly parameters: DenoParameters<F["args"]>;
  readonly result: DenoType<F["result"]>;
  readonly nonblocking: Nonblocking;
  readonly optional: F extends { draft: true } | { optional: true } ? true
    : false;
};

type Native<T> = T extends { in: "wasm" } ? false : true;

/** The Deno symbol table of a table of C functions (its native entries). */
export type DenoSymbols<T extends Record<string, CFunction>> =
  & {
    readonly [K in keyof T as Native<T[K]> extends true ? K : never]:
      DenoSymbol<T[K], T[K] extends { blocking: true } ? true : false>;
  }
  & {
    readonly [
      K in keyof T as T[K] extends { blocking: true } ? `${K & string}_sync`
        : never
    ]: DenoSymbol<T[K], false>;
  };

const DENO_TYPES: Record<CKind, Deno.NativeType | "void"> = {
  handle: "pointer",
  address: "pointer",
  text: "pointer",
  memory: "buffer",
  string: "buffer",
  int: "i32",
  uint32: "u32",
  size: "usize",
  uint64: "u64",
  ssize: "isize",
  void: "void",
};

/** The Deno symbol table of a table of C functions. */
export function denoSymbols<T extends Record<string, CFunction>>(
  functions: T,
): DenoSymbols<T> {
  const symbols: Record<string, Deno.ForeignFunction> = {};
  for (const [name, fn] of Object.entries(functions) as [string, CFunction][]) {
    if (fn.in === "wasm") continue;
    const symbol = (nonblocking: boolean): Deno.ForeignFunction => ({
      name: fn.symbol ?? name,
      parameters: fn.args.map((kind) => DENO_TYPES[kind] as Deno.NativeType),
      result: DENO_TYPES[fn.result],
      nonblocking,
      optional: fn.draft === true || fn.optional === true,
    });
    symbols[name] = symbol(fn.blocking === true);
    if (fn.blocking) symbols[`${name}_sync`] = symbol(false);
  }
  return symbols as DenoSymbols<T>;
}

/** libzmq symbols. */
export const zmqSymbols: DenoSymbols<typeof LIBZMQ_FUNCTIONS> = denoSymbols(
  LIBZMQ_FUNCTIONS,
);

/** libc symbols. */
export const libcSymbols: DenoSymbols<typeof LIBC_FUNCTIONS> = denoSymbols(
  LIBC_FUNCTIONS,
);
