/**
 * Errors as zeromq.js raises them: a plain `Error` with `code` (the errno
 * name), `errno` (the number) and, for endpoint calls, `address`, and
 * zeromq.js's wording of the messages that libzmq's own words confuse.
 *
 * @module
 */

import { Context as CoreContext, internals } from "../context.ts";
import { ZmqError } from "../errors.ts";

/** An error as zeromq.js reports it. */
export interface FullError extends Error {
  /** The errno name, such as "EAGAIN". */
  code?: string;
  /** The errno number of the platform. */
  errno?: number;
  /** The endpoint of a failed bind, unbind, connect or disconnect. */
  address?: string;
}

// zeromq.js's clarified messages; other codes use libzmq's zmq_strerror.
const MESSAGES: Record<string, string> = {
  EFAULT: "Context is closed",
  EAGAIN: "Operation was not possible or timed out",
  EMFILE: "Too many open file descriptors",
  ENOENT: "No such endpoint",
  EBUSY: "Socket is busy",
  EBADF: "Socket is closed",
  EADDRINUSE: "Address already in use",
};

function backend() {
  return internals(CoreContext.default).backend;
}

/** The errno number of a code on this platform (0 when libzmq has none). */
export function errnoOf(code: string): number {
  return (backend().errnos as Record<string, number>)[code] ?? 0;
}

/** A zeromq.js error for an errno name, with zeromq.js's message unless given. */
export function errnoError(
  code: string,
  message?: string,
  address?: string,
): FullError {
  const errno = errnoOf(code);
  const err: FullError = new Error(
    message ?? MESSAGES[code] ?? backend().strerror(errno),
  );
  err.code = code;
  err.errno = errno;
  if (address !== undefined) err.address = address;
  return err;
}

/**
 * The zeromq.js form of an error from the core: a closed socket is EBADF
 * (the core says ENOTSOCK), a timeout EAGAIN; TypeErrors pass through.
 */
export function toFullError(err: unknown, address?: string): unknown {
  if (!(err instanceof ZmqError)) return err;
  const code = err.code === "ENOTSOCK" ? "EBADF" : err.code;
  return errnoError(code, undefined, address ?? err.endpoint);
}

/** Whether an error is the core's "socket was closed". */
export function isClosedError(err: unknown): boolean {
  return err instanceof ZmqError && err.code === "ENOTSOCK";
}

/** Emits a process warning (Node, Bun, Deno 2), as zeromq.js does. */
export function warn(message: string): void {
  const process = (globalThis as {
    process?: { emitWarning?: (message: string) => void };
  }).process;
  if (process?.emitWarning) process.emitWarning(message);
  else console.warn(message);
}

/** zeromq.js's TypeError for surplus arguments. */
export function checkArgumentCount(count: number, max: number): void {
  if (count > max) {
    throw new TypeError(
      `Expected ${max} argument${max === 1 ? "" : "s"} but received ${count}`,
    );
  }
}
