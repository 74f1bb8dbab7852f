/**
 * What the loaded libzmq is: its version and build capabilities.
 *
 * @module
 */

import { Context, internals } from "./context.ts";

/**
 * The version of libzmq behind a context (default: the default context), as
 * "major.minor.patch".
 *
 * @example
 * ```ts
 * import { version } from "@deno-zmq/zmq";
 * console.log(version()); // "4.3.4"
 * ```
 */
export function version(context: Context = Context.default): string {
  return internals(context).backend.version().join(".");
}

/** Capabilities libzmq can be built with (`zmq_has`). */
export interface Capabilities {
  /** ipc:// transport. */
  readonly ipc: boolean;
  /** pgm:// and epgm:// multicast. */
  readonly pgm: boolean;
  /** tipc:// transport. */
  readonly tipc: boolean;
  /** norm:// transport. */
  readonly norm: boolean;
  /** CURVE security. */
  readonly curve: boolean;
  /** GSSAPI security. */
  readonly gssapi: boolean;
  /** The draft API (draft socket types and options). */
  readonly draft: boolean;
}

const NAMES = [
  "ipc",
  "pgm",
  "tipc",
  "norm",
  "curve",
  "gssapi",
  "draft",
] as const;

/**
 * The capabilities of the default context's libzmq, read on first access
 * (so importing needs no permission).
 *
 * @example
 * ```ts
 * import { capability } from "@deno-zmq/zmq";
 * if (capability.curve) console.log("CURVE security available");
 * ```
 */
export const capability: Capabilities = Object.freeze(
  Object.defineProperties(
    {},
    Object.fromEntries(NAMES.map((name) => [name, {
      enumerable: true,
      get: () => internals(Context.default).backend.has(name),
    }])),
  ),
) as Capabilities;
