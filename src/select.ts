/**
 * Choosing a backend at run time. Backends register themselves here (the
 * entry module wires them in), so `src/` depends on no binding: the FFI one
 * loads synchronously, the WASM one on demand through a dynamic import that
 * an FFI user never pays for.
 *
 * @module
 */

import type { Backend, BackendKind } from "./backend.ts";
import { ZmqError } from "./errors.ts";

/** Which backend a context should use; "auto" prefers FFI and falls back to WASM. */
export type BackendChoice = BackendKind | "auto";

/** How to get a backend of one kind. */
export interface BackendLoader {
  /** Loads the backend; a promise when it must be fetched first (WASM). Throws ZmqError. */
  load(): Backend | Promise<Backend>;
  /** Whether "auto" may try this backend without prompting for a permission. */
  usable?(): boolean;
}

const loaders = new Map<BackendKind, BackendLoader>();
const loaded = new Map<BackendKind, Backend>();
const loading = new Map<BackendKind, Promise<Backend>>();
// Why an on-demand backend failed to load: reported to every later request.
const failures = new Map<BackendKind, unknown>();

/** Makes a backend available to {@link selectBackend}, replacing any earlier one of its kind. */
export function registerBackend(
  kind: BackendKind,
  loader: BackendLoader,
): void {
  loaders.set(kind, loader);
  loaded.delete(kind);
  loading.delete(kind);
  failures.delete(kind);
}

function loaderOf(kind: BackendKind): BackendLoader {
  const loader = loaders.get(kind);
  if (!loader) {
    throw new ZmqError(
      "ENOTSUP",
      0,
      `The ${kind} backend is not available in this build`,
    );
  }
  return loader;
}

function checkChoice(choice: unknown): asserts choice is BackendChoice {
  if (choice !== "auto" && choice !== "ffi" && choice !== "wasm") {
    throw new TypeError(
      `Unknown backend "${choice}": use "ffi", "wasm" or "auto"`,
    );
  }
}

/**
 * Loads a backend and keeps it, so that contexts can then be created with it
 * synchronously; "auto" loads the one `new Context()` would use. Rejects with
 * a ZmqError saying why a backend cannot be loaded.
 *
 * @example
 * ```ts
 * import { Context, loadBackend } from "@deno-zmq/zmq";
 * await loadBackend("wasm");
 * await using context = new Context({ backend: "wasm" });
 * ```
 */
export async function loadBackend(
  choice: BackendChoice = "auto",
): Promise<void> {
  await backendFor(choice);
}

/** The backend for a choice, loading it first if needed. */
export function backendFor(choice: BackendChoice = "auto"): Promise<Backend> {
  checkChoice(choice);
  if (choice === "auto") {
    try {
      const ffi = selectFfi();
      if (ffi || !loaders.has("wasm")) return Promise.resolve(selectBackend());
    } catch (err) {
      return Promise.reject(err);
    }
    return backendFor("wasm");
  }
  const done = loaded.get(choice);
  if (done) return Promise.resolve(done);
  const pending = loading.get(choice);
  if (pending) return pending;
  if (failures.has(choice)) return Promise.reject(failures.get(choice));
  try {
    const result = loaderOf(choice).load();
    return result instanceof Promise
      ? track(choice, result)
      : Promise.resolve(keep(choice, result));
  } catch (err) {
    return Promise.reject(err);
  }
}

function keep(kind: BackendKind, backend: Backend): Backend {
  loaded.set(kind, backend);
  return backend;
}

function track(kind: BackendKind, result: Promise<Backend>): Promise<Backend> {
  const pending = result.then(
    (backend) => keep(kind, backend),
    (err) => {
      loading.delete(kind);
      failures.set(kind, err);
      throw err;
    },
  );
  loading.set(kind, pending);
  return pending;
}

/** The FFI backend when "auto" may use it and libzmq loads; undefined otherwise. */
function selectFfi(): Backend | undefined {
  const ffi = loaders.get("ffi");
  if (!ffi || !(ffi.usable?.() ?? true)) return undefined;
  try {
    return selectBackend("ffi");
  } catch (err) {
    // libzmq is missing: fall back to WASM when it is there, else say why.
    if (loaders.has("wasm")) return undefined;
    throw err;
  }
}

/**
 * The backend for a choice, loaded synchronously; throws ZmqError saying why
 * when none fits, or how to load one that comes on demand.
 */
export function selectBackend(choice: BackendChoice = "auto"): Backend {
  checkChoice(choice);
  if (choice === "auto") {
    const ffi = selectFfi();
    if (ffi) return ffi;
    if (loaders.has("wasm")) return selectBackend("wasm");
    throw new ZmqError(
      "EACCES",
      0,
      "No backend can be used: loading libzmq needs the FFI permission (--allow-ffi)",
    );
  }
  const done = loaded.get(choice);
  if (done) return done;
  if (failures.has(choice)) throw failures.get(choice);
  if (!loading.has(choice)) {
    const result = loaderOf(choice).load();
    if (!(result instanceof Promise)) return keep(choice, result);
    // Started now, so that a later call finds it loaded; a failure is reported there.
    track(choice, result).catch(() => {});
  }
  throw new ZmqError(
    "EAGAIN",
    0,
    `The ${choice} backend is loaded on demand: \`await loadBackend("${choice}")\` ` +
      `(or \`await Context.create({ backend: "${choice}" })\`) before creating a context with it`,
  );
}

/**
 * For the entry module, at import: when "auto" will not get FFI (no
 * permission, or no libzmq), loads the WASM backend now, so that
 * `new Context()` stays synchronous. Never throws: a failure is reported
 * when a context asks for the backend.
 */
export async function preloadFallback(): Promise<void> {
  if (!loaders.has("wasm")) return;
  try {
    if (selectFfi()) return;
  } catch { /* reported when a context asks for it */ }
  await backendFor("wasm").catch(() => {});
}
