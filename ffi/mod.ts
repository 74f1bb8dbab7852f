/**
 * The native FFI backend for the running runtime.
 *
 * @module
 */

import type { Backend } from "../src/backend.ts";
import { ffiAllowed as denoFfiAllowed, loadDenoFfi } from "./deno.ts";

const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** Whether native libraries may be loaded here without prompting for a permission. */
export function ffiAllowed(): boolean {
  return isDeno ? denoFfiAllowed() : false;
}

/** Loads the system libzmq through the runtime's FFI; throws ZmqError when it cannot. */
export function loadFfi(): Backend {
  if (isDeno) return loadDenoFfi();
  throw new TypeError("The FFI backend needs Deno on this build");
}
