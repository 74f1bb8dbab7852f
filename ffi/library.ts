/**
 * Where to look for the native libzmq, and the error when it is not there.
 * Shared by the Deno and Node FFI bindings.
 *
 * @module
 */

import { ZmqError } from "../src/errors.ts";

/** File names to try, in order, for an OS name as Deno and Node spell it. */
export function libraryCandidates(os: string, override?: string): string[] {
  const names = os === "darwin"
    ? [
      "libzmq.5.dylib",
      "libzmq.dylib",
      "/opt/homebrew/lib/libzmq.5.dylib",
      "/usr/local/lib/libzmq.5.dylib",
    ]
    : os === "windows" || os === "win32"
    ? ["libzmq.dll", "libzmq-mt-4_3_4.dll"]
    : ["libzmq.so.5", "libzmq.so"];
  return override ? [override, ...names] : names;
}

/** The error thrown when no candidate loads, with install hints per OS. */
export function libraryNotFound(tried: string[], errors: unknown[]): ZmqError {
  return new ZmqError(
    "ENOENT",
    0,
    `libzmq was not found (tried ${tried.join(", ")}). Install it: ` +
      "Debian/Ubuntu `apt-get install libzmq5`, macOS `brew install zeromq`, " +
      "Fedora `dnf install zeromq`; or set ZMQ_LIB_PATH to the library file. " +
      "Without it, the WASM backend still offers inproc:// messaging",
    { cause: errors.length === 1 ? errors[0] : new AggregateError(errors) },
  );
}
