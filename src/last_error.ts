/**
 * Turning a backend's errno into a {@link ZmqError}.
 *
 * @module
 */

import type { Backend } from "./backend.ts";
import { type ErrnoName, ZmqError, type ZmqErrorDetails } from "./errors.ts";

const names = new WeakMap<Backend, Map<number, ErrnoName>>();

/** The errno name of a backend's errno number, or `E<number>` if unknown. */
export function errnoName(backend: Backend, errno: number): string {
  let byNumber = names.get(backend);
  if (!byNumber) {
    byNumber = new Map();
    for (const [name, value] of Object.entries(backend.errnos)) {
      if (!byNumber.has(value)) byNumber.set(value, name as ErrnoName);
    }
    names.set(backend, byNumber);
  }
  return byNumber.get(errno) ?? `E${errno}`;
}

/** A ZmqError for `errno` (default: the backend's last error). */
export function zmqError(
  backend: Backend,
  details?: ZmqErrorDetails,
  errno: number = backend.errno(),
): ZmqError {
  return new ZmqError(
    errnoName(backend, errno),
    errno,
    backend.strerror(errno),
    details,
  );
}
