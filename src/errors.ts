/**
 * Errors raised by deno-zmq.
 *
 * libzmq reports failures through `errno`; every such failure surfaces here as
 * a {@link ZmqError} whose `code` is the errno name (`"EAGAIN"`, `"EFSM"`, ...),
 * so callers can branch on a stable string instead of platform numbers.
 *
 * @module
 */

/**
 * The errno values libzmq reports, by name: the system ones it passes on and
 * its own (EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD). The one list of them: the
 * backends' number tables and the WASM build's probe are keyed by it.
 *
 * @example
 * ```ts
 * import { ERRNO_NAMES } from "@deno-zmq/zmq";
 * console.log(ERRNO_NAMES.includes("EAGAIN")); // true
 * ```
 */
export const ERRNO_NAMES = [
  "EPERM",
  "ENOENT",
  "EINTR",
  "EBADF",
  "EAGAIN",
  "ENOMEM",
  "EACCES",
  "EFAULT",
  "ENODEV",
  "EINVAL",
  "EMFILE",
  "EPIPE",
  "ENAMETOOLONG",
  "ENOTSOCK",
  "EMSGSIZE",
  "EPROTONOSUPPORT",
  "ENOTSUP",
  "EAFNOSUPPORT",
  "EADDRINUSE",
  "EADDRNOTAVAIL",
  "ENETDOWN",
  "ENETUNREACH",
  "ENETRESET",
  "ECONNABORTED",
  "ECONNRESET",
  "ENOBUFS",
  "ENOTCONN",
  "ETIMEDOUT",
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "EINPROGRESS",
  "EFSM",
  "ENOCOMPATPROTO",
  "ETERM",
  "EMTHREAD",
] as const;

/** Names of the errno values libzmq reports, as used in {@link ZmqError.code}. */
export type ErrnoName = typeof ERRNO_NAMES[number];

/** A platform's errno numbers by name; each backend supplies its own. */
export type ErrnoTable = Readonly<Record<ErrnoName, number>>;

/** Extra context attached to a {@link ZmqError}. */
export interface ZmqErrorDetails {
  /** The endpoint involved, for bind/connect/unbind/disconnect failures. */
  endpoint?: string;
  /** The socket or context option involved, for option failures. */
  option?: string;
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * An error reported by libzmq or by this library's use of it.
 *
 * @example Branch on the errno name
 * ```ts
 * import { Pull, ZmqError } from "@deno-zmq/zmq";
 *
 * using pull = new Pull({ receiveTimeout: 10 });
 * try {
 *   await pull.receive();
 * } catch (err) {
 *   if (err instanceof ZmqError && err.code === "EAGAIN") {
 *     console.log("nothing arrived in time");
 *   }
 * }
 * ```
 */
export class ZmqError extends Error {
  /** The errno name, such as `"EAGAIN"` or `"EADDRINUSE"`. */
  readonly code: ErrnoName | string;
  /** The numeric errno as the backend reported it (platform specific). */
  readonly errno: number;
  /** The endpoint involved, if any. */
  readonly endpoint?: string;
  /** The option involved, if any. */
  readonly option?: string;

  /**
   * Creates an error; normally done by the library, not by users.
   *
   * @example
   * ```ts
   * import { ZmqError } from "@deno-zmq/zmq";
   * const err = new ZmqError("EAGAIN", 11, "Resource temporarily unavailable");
   * console.log(err.code); // "EAGAIN"
   * ```
   */
  constructor(
    code: ErrnoName | string,
    errno: number,
    message: string,
    details: ZmqErrorDetails = {},
  ) {
    const where = details.endpoint !== undefined
      ? ` (endpoint "${details.endpoint}")`
      : details.option !== undefined
      ? ` (option "${details.option}")`
      : "";
    super(
      `${message}${where} [${code}]`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = "ZmqError";
    this.code = code;
    this.errno = errno;
    if (details.endpoint !== undefined) this.endpoint = details.endpoint;
    if (details.option !== undefined) this.option = details.option;
  }
}

/** Error raised when a socket is used after `close()`. */
export function closedSocketError(errnos: ErrnoTable): ZmqError {
  return new ZmqError("ENOTSOCK", errnos.ENOTSOCK, "Socket is closed");
}
