/**
 * What the WASM backend needs from the host runtime's networking: stream
 * connections and listeners (tcp and Unix domain sockets), a permission
 * check, error names and unref'able timers. One interface, one small adapter
 * per runtime (host_deno.ts, host_node.ts); all the socket logic is in
 * sockets.ts, written once against this.
 *
 * @module
 */

/** Where to connect or listen: a tcp host and port, or a Unix socket path. */
export type HostTarget = { hostname: string; port: number } | { path: string };

/** What a host connection reports, in order, after {@link HostConn.start}. */
export interface HostConnEvents {
  /** Bytes arrived in a chunk of the runtime's (the receiver copies them). */
  data(chunk: Uint8Array): void;
  /**
   * For runtimes that read into a given buffer: where the next read goes (a
   * view of the socket's inbound buffer), empty while it is full (the
   * connection is then paused). Report the bytes read with `filled`.
   */
  space(): Uint8Array;
  /** `n` bytes were read into the last `space()`. */
  filled(n: number, run: Uint8Array): void;
  /** The peer closed its side. */
  end(): void;
  /** The connection failed; no more events follow. */
  error(err: unknown): void;
}

/** An open stream connection of the host runtime. */
export interface HostConn {
  readonly local: HostTarget;
  readonly remote: HostTarget;
  /** Starts delivering events (called once). */
  start(events: HostConnEvents): void;
  /** Writes all of `chunk`; resolves once the runtime has taken it. */
  write(chunk: Uint8Array): Promise<void>;
  /** Stops delivering data until {@link HostConn.resume} (flow control). */
  pause(): void;
  resume(): void;
  /** Closes the connection (after the writes already resolved). */
  close(): void;
  /** Whether this connection keeps the process alive. */
  ref(): void;
  unref(): void;
}

/** A listening socket of the host runtime. */
export interface HostListener {
  readonly local: HostTarget;
  close(): void;
  ref(): void;
  unref(): void;
}

/** A one-shot timer of the host runtime. */
export interface HostTimer {
  cancel(): void;
  ref(): void;
  unref(): void;
}

/** The host runtime's networking, as the virtual sockets use it. */
export interface HostNet {
  /** Opens a connection (resolving hostnames asynchronously). */
  connect(target: HostTarget): Promise<HostConn>;
  /** Starts listening; every accepted connection goes to `onConnection`. */
  listen(
    target: HostTarget,
    onConnection: (conn: HostConn) => void,
  ): Promise<HostListener>;
  /**
   * {@link HostNet.listen}, synchronously, where the runtime can: the
   * listener, or why this runtime cannot listen on `target` before
   * returning. Throws the host's error when listening fails.
   */
  listenSync?(
    target: HostTarget,
    onConnection: (conn: HostConn) => void,
  ): HostListener | { unsupported: string };
  /**
   * The flag a program lacks to connect to (or listen on) `target`, e.g.
   * `--allow-net=127.0.0.1:5555`; undefined when it may (or the runtime has
   * no such permission).
   */
  missingPermission(
    target: HostTarget,
    listen: boolean,
  ): string | undefined;
  /** The errno name (ECONNREFUSED, EADDRINUSE, EACCES, ...) of a host error. */
  errnoName(err: unknown): string | undefined;
  /** Calls `fn` once after `ms` milliseconds. */
  timer(ms: number, fn: () => void): HostTimer;
}

/** Formats a target as libzmq's endpoint host part. */
export function describeTarget(target: HostTarget): string {
  if ("path" in target) return target.path;
  const host = target.hostname.includes(":")
    ? `[${target.hostname}]`
    : target.hostname;
  return `${host}:${target.port}`;
}
