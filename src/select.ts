/**
 * Choosing a backend at run time.
 *
 * @module
 */

import type { Backend, BackendKind } from "./backend.ts";
import { ZmqError } from "./errors.ts";
import { ffiAllowed, loadFfi } from "../ffi/mod.ts";
// Importing it only defines functions: the wasm is decoded and instantiated on first load.
import { loadWasm } from "../wasm/backend.ts";

/** Which backend a context should use; "auto" prefers FFI and falls back to WASM. */
export type BackendChoice = BackendKind | "auto";

type Loader = () => Backend;
const loaders: Partial<Record<BackendKind, Loader>> = {
  ffi: loadFfi,
  wasm: loadWasm,
};

/** Makes a backend available to {@link selectBackend}, replacing the built-in one of its kind. */
export function registerBackend(kind: BackendKind, loader: Loader): void {
  loaders[kind] = loader;
}

/** Loads the backend for a choice; throws ZmqError saying why when none fits. */
export function selectBackend(choice: BackendChoice = "auto"): Backend {
  if (choice !== "auto" && choice !== "ffi" && choice !== "wasm") {
    throw new TypeError(
      `Unknown backend "${choice}": use "ffi", "wasm" or "auto"`,
    );
  }
  if (choice !== "auto") {
    const loader = loaders[choice];
    if (!loader) {
      throw new ZmqError(
        "ENOTSUP",
        0,
        `The ${choice} backend is not available in this build`,
      );
    }
    return loader();
  }
  let ffiFailure: unknown;
  if (ffiAllowed()) {
    try {
      return loadFfi();
    } catch (err) {
      ffiFailure = err;
    }
  }
  if (loaders.wasm) return loaders.wasm();
  if (ffiFailure) throw ffiFailure;
  throw new ZmqError(
    "EACCES",
    0,
    "No backend can be used: loading libzmq needs the FFI permission (--allow-ffi)",
  );
}
