/**
 * The lifetime of libzmq sockets wrapped by this library: one wrapper per
 * libzmq socket, the libzmq socket closed exactly once (by `close()`, by the
 * context, or by the safety net when a socket is garbage-collected unclosed).
 *
 * @module
 */

import type { Backend, Handle } from "./backend.ts";

/** What is needed to close one libzmq socket, once. */
export interface SocketRecord {
  /** How the socket is named in the leak warning. */
  label: string;
  readonly backend: Backend;
  readonly handle: Handle;
  /** Whether the libzmq socket was closed (by close(), the context or the finalizer). */
  released: boolean;
  /** Stops the context from closing it (set once the context adopted it). */
  unregister: () => void;
}

// Addresses of the libzmq sockets wrapped by open sockets: one wrapper each.
const wrapped = new Set<unknown>();

function addressOf(backend: Backend, handle: Handle): unknown {
  return backend.handleAddress?.(handle) ?? handle;
}

/**
 * The safety net for sockets dropped without close(): libzmq's socket would
 * otherwise stay open until the context ends (and keep `Context.close()` or
 * process exit waiting on its linger). Says which socket leaked.
 */
const leaks = new FinalizationRegistry<SocketRecord>((record) => {
  if (record.released) return;
  console.warn(
    `deno-zmq: a ${record.label} was garbage-collected without close(); closing it now. ` +
      "Close sockets (or declare them with `using`) to release them deterministically.",
  );
  release(record);
});

/**
 * Starts tracking the libzmq socket of `wrapper`; throws TypeError when an
 * open socket of this library already wraps it.
 */
export function track(
  wrapper: object,
  backend: Backend,
  handle: Handle,
  label: string,
): SocketRecord {
  const address = addressOf(backend, handle);
  if (wrapped.has(address)) {
    throw new TypeError(
      "This libzmq socket is already wrapped by an open socket of this library: use that one",
    );
  }
  wrapped.add(address);
  const record: SocketRecord = {
    label,
    backend,
    handle,
    released: false,
    unregister: () => {},
  };
  leaks.register(wrapper, record, wrapper);
  return record;
}

/** Closes the libzmq socket of a record, once; `wrapper` no longer needs the safety net. */
export function release(record: SocketRecord, wrapper?: object): void {
  if (wrapper) leaks.unregister(wrapper);
  if (record.released) return;
  record.released = true;
  record.unregister();
  wrapped.delete(addressOf(record.backend, record.handle));
  record.backend.socketClose(record.handle);
}

/**
 * `release(record)` as a callback. Made here, not in the socket's
 * constructor: a closure there would share the constructor's scope, and
 * keep the socket alive from wherever the callback is held (the context).
 */
export function releaser(record: SocketRecord): () => void {
  return () => release(record);
}
