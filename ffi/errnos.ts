/**
 * errno numbers of the native platforms libzmq runs on, for both native FFI
 * bindings (Deno and Node). libzmq's own codes sit above ZMQ_HAUSNUMERO.
 *
 * @module
 */

import type { ErrnoTable } from "../src/errors.ts";

const HAUSNUMERO = 156384712;
const ZMQ_OWN = {
  EFSM: HAUSNUMERO + 51,
  ENOCOMPATPROTO: HAUSNUMERO + 52,
  ETERM: HAUSNUMERO + 53,
  EMTHREAD: HAUSNUMERO + 54,
} as const;

const COMMON = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EBADF: 9,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  ENODEV: 19,
  EINVAL: 22,
  EMFILE: 24,
  // A peer that went away mid-write: monitor events carry it (e.g. "disconnect").
  EPIPE: 32,
} as const;

/** Linux (glibc and musl). */
export const LINUX_ERRNOS: ErrnoTable = {
  ...COMMON,
  ...ZMQ_OWN,
  EAGAIN: 11,
  ENAMETOOLONG: 36,
  ENOTSOCK: 88,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EAFNOSUPPORT: 97,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENETRESET: 102,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ENOBUFS: 105,
  ENOTCONN: 107,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  EINPROGRESS: 115,
};

/** macOS and the BSDs. */
export const BSD_ERRNOS: ErrnoTable = {
  ...COMMON,
  ...ZMQ_OWN,
  EAGAIN: 35,
  EINPROGRESS: 36,
  ENOTSOCK: 38,
  EMSGSIZE: 40,
  EPROTONOSUPPORT: 43,
  ENOTSUP: 45,
  EAFNOSUPPORT: 47,
  EADDRINUSE: 48,
  EADDRNOTAVAIL: 49,
  ENETDOWN: 50,
  ENETUNREACH: 51,
  ENETRESET: 52,
  ECONNABORTED: 53,
  ECONNRESET: 54,
  ENOBUFS: 55,
  ENOTCONN: 57,
  ETIMEDOUT: 60,
  ECONNREFUSED: 61,
  ENAMETOOLONG: 63,
  EHOSTUNREACH: 65,
};

/** The errno table for an operating system name as Deno and Node spell it. */
export function errnosFor(os: string): ErrnoTable {
  return os === "linux" || os === "android" ? LINUX_ERRNOS : BSD_ERRNOS;
}
