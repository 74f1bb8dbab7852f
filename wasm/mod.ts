/**
 * How the WASM backend is loaded: on demand, so that a program using the FFI
 * backend neither downloads nor decodes half a megabyte of WebAssembly.
 *
 * @module
 */

import type { Backend } from "../src/backend.ts";
import { ZmqError } from "../src/errors.ts";
import type { BackendLoader } from "../src/select.ts";

type BackendModule = typeof import("./backend.ts");
/**
 * The backend is named by template literals, not string literals: Deno
 * fetches the targets of literal imports and requires ahead of time, and an
 * FFI program should not download half a megabyte it never runs. deno publish
 * accepts them without a warning, and esbuild bundles what they can match:
 * `./back*.ts`, only the backend (a bare `./${name}.ts` globs every .ts file
 * below wasm/, build leftovers included).
 */
const BACKEND_TAIL = "end";

type Require = (id: string) => unknown;
// CommonJS (the npm package's bundle) and Bun have a synchronous require.
declare const require: Require | undefined;

/**
 * Whether Deno may read this checkout's files: importing a local module on
 * demand needs --allow-read (modules in the static graph do not). Undefined
 * where that does not apply (not Deno, or imported by URL or from JSR).
 */
function denoMayReadHere(): boolean | undefined {
  const deno = (globalThis as {
    Deno?: {
      permissions: {
        querySync(d: { name: "read"; path: URL }): { state: string };
      };
    };
  }).Deno;
  if (!deno || !import.meta.url.startsWith("file:")) return undefined;
  const path = new URL(".", import.meta.url);
  return deno.permissions.querySync({ name: "read", path }).state === "granted";
}

/**
 * A require for ES modules, where one can load the backend synchronously:
 * Node >= 20.19 and Deno, for local files. Modules imported by URL (or from
 * JSR) are loaded with import() instead.
 */
function nodeRequire(): Require | undefined {
  if (!import.meta.url.startsWith("file:") || denoMayReadHere() === false) {
    return undefined;
  }
  const process = (globalThis as {
    process?: { getBuiltinModule?(id: string): unknown };
  }).process;
  const module = process?.getBuiltinModule?.("node:module") as
    | { createRequire(url: string): Require }
    | undefined;
  return module?.createRequire(import.meta.url);
}

function instantiate(module: BackendModule): Backend {
  try {
    return module.loadWasm();
  } catch (cause) {
    throw notLoaded(cause);
  }
}

function notLoaded(cause: unknown): ZmqError {
  if (cause instanceof ZmqError) return cause;
  return new ZmqError(
    "ENOTSUP",
    0,
    `The WASM backend could not be loaded (wasm/dist/libzmq_wasm.js): ${
      cause instanceof Error ? cause.message : String(cause)
    }`,
    { cause },
  );
}

/** The WASM backend as `registerBackend` takes it: a dynamic import, made once. */
export const wasmLoader: BackendLoader = {
  load(): Backend | Promise<Backend> {
    let module: BackendModule | undefined;
    let requireError: unknown;
    try {
      if (typeof require === "function") {
        // Visible to esbuild, which bundles the backend into the CommonJS build.
        module = require(`./back${BACKEND_TAIL}.ts`) as BackendModule;
      } else {
        module = nodeRequire()?.(`./back${BACKEND_TAIL}.ts`) as
          | BackendModule
          | undefined;
      }
    } catch (cause) {
      // Older Node cannot require an ES module, nor can the global require
      // of a node:worker_threads Worker on Deno: import it below.
      requireError = cause;
    }
    if (module) return instantiate(module);
    if (denoMayReadHere() === false) {
      // Checked first: a denied import would prompt for the permission.
      throw new ZmqError(
        "EACCES",
        0,
        "The WASM backend is imported on demand, which for a local checkout " +
          `needs --allow-read=${new URL(".", import.meta.url).pathname}; ` +
          'or import "@deno-zmq/zmq/wasm" (wasm/bundled.ts), which carries it ' +
          "statically and needs no permission",
      );
    }
    return import(`./back${BACKEND_TAIL}.ts`).then(
      instantiate,
      (cause) => {
        throw notLoaded(requireError ?? cause);
      },
    );
  },
};
