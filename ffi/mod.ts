/**
 * The native FFI backend for the running runtime: `Deno.dlopen` on Deno,
 * koffi (npm) on Node. Each binding touches its runtime only when called.
 *
 * @module
 */

import type { Backend } from "../src/backend.ts";
import type { BackendLoader } from "../src/select.ts";
import { ffiAllowed as denoFfiAllowed, loadDenoFfi } from "./deno.ts";
import { isNode, loadNodeFfi } from "./node.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** Whether native libraries may be loaded here without prompting for a permission. */
export function ffiAllowed(): boolean {
  // Node has no permission model for native code (unless --experimental-permission).
  return isDeno ? denoFfiAllowed() : isNode();
}

/** Loads the system libzmq through the runtime's FFI; throws ZmqError when it cannot. */
export function loadFfi(): Backend {
  if (isDeno) return loadDenoFfi();
  if (isNode()) return loadNodeFfi();
  throw new TypeError(
    "The FFI backend needs Deno or Node; use the WASM backend here",
  );
}

/** The FFI backend as `registerBackend` takes it: loaded synchronously, tried by "auto" when allowed. */
export const ffiLoader: BackendLoader = { load: loadFfi, usable: ffiAllowed };
