/**
 * {@link HostNet} on Deno: `Deno.connect` / `Deno.listen` (tcp and unix),
 * `Deno.permissions.querySync` for the permission check.
 *
 * @module
 */

import {
  describeTarget,
  type HostConn,
  type HostConnEvents,
  type HostListener,
  type HostNet,
  type HostTarget,
  type HostTimer,
} from "./host.ts";

/** Deno's error class names, as errno names. */
const ERRNO_OF_ERROR: Record<string, string> = {
  ConnectionRefused: "ECONNREFUSED",
  ConnectionReset: "ECONNRESET",
  ConnectionAborted: "ECONNABORTED",
  NotConnected: "ENOTCONN",
  AddrInUse: "EADDRINUSE",
  AddrNotAvailable: "EADDRNOTAVAIL",
  BrokenPipe: "EPIPE",
  TimedOut: "ETIMEDOUT",
  NotCapable: "EACCES",
  PermissionDenied: "EACCES",
  NotFound: "ENOENT",
  NetworkUnreachable: "ENETUNREACH",
  HostUnreachable: "EHOSTUNREACH",
};

function toTarget(addr: Deno.Addr): HostTarget {
  if ("path" in addr) return { path: addr.path ?? "" }; // unnamed peers: null
  if ("hostname" in addr) return { hostname: addr.hostname, port: addr.port };
  return { hostname: "0.0.0.0", port: 0 }; // vsock: not used by libzmq
}

class DenoConn implements HostConn {
  readonly local: HostTarget;
  readonly remote: HostTarget;
  readonly #conn: Deno.Conn;
  #resume: (() => void) | undefined;
  #paused = false;
  #closed = false;

  constructor(conn: Deno.Conn) {
    this.#conn = conn;
    this.local = toTarget(conn.localAddr);
    this.remote = toTarget(conn.remoteAddr);
    if ("setNoDelay" in conn) (conn as Deno.TcpConn).setNoDelay(true);
  }

  start(events: HostConnEvents): void {
    void this.#readLoop(events);
  }

  async #readLoop(events: HostConnEvents): Promise<void> {
    for (;;) {
      const run = this.#paused ? undefined : events.space();
      if (!run || run.byteLength === 0) {
        this.#paused = true;
        await new Promise<void>((resolve) => this.#resume = resolve);
        if (this.#closed) return;
        continue;
      }
      let n: number | null;
      try {
        // Straight into the socket's inbound buffer: no copy, no allocation.
        n = await this.#conn.read(run);
      } catch (err) {
        if (!this.#closed) events.error(err);
        return;
      }
      if (this.#closed) return;
      if (n === null) return events.end();
      events.filled(n, run);
    }
  }

  async write(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.byteLength) {
      done += await this.#conn.write(chunk.subarray(done));
    }
  }

  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    this.#resume?.();
    this.#resume = undefined;
  }
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.resume();
    try {
      this.#conn.close();
    } catch { /* already closed by the runtime */ }
  }
  ref(): void {
    this.#conn.ref();
  }
  unref(): void {
    this.#conn.unref();
  }
}

class DenoListener implements HostListener {
  readonly local: HostTarget;
  readonly #listener: Deno.Listener;
  #closed = false;

  constructor(listener: Deno.Listener, onConnection: (conn: HostConn) => void) {
    this.#listener = listener;
    this.local = toTarget(listener.addr);
    void this.#acceptLoop(onConnection);
  }

  async #acceptLoop(onConnection: (conn: HostConn) => void): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await this.#listener.accept();
      } catch {
        if (this.#closed) return;
        continue; // e.g. too many open files: libzmq would retry as well
      }
      if (this.#closed) return conn.close();
      onConnection(new DenoConn(conn));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#listener.close();
    } catch { /* already closed */ }
  }
  ref(): void {
    this.#listener.ref();
  }
  unref(): void {
    this.#listener.unref();
  }
}

/** Removes a socket file a previous run left behind, as libzmq's ipc bind does. */
function removeStale(path: string): void {
  try {
    if (Deno.lstatSync(path).isSocket) Deno.removeSync(path);
  } catch { /* none, or no permission: listening reports it */ }
}

/** Deno.listen is synchronous: both of HostNet's listens use this. */
function listenNow(
  target: HostTarget,
  onConnection: (conn: HostConn) => void,
): HostListener {
  if ("path" in target) removeStale(target.path);
  const listener = "path" in target
    ? Deno.listen({ transport: "unix", path: target.path })
    : Deno.listen(target);
  return new DenoListener(listener, onConnection);
}

/** The Deno adapter. */
export const denoNet: HostNet = {
  async connect(target) {
    return new DenoConn(
      "path" in target
        ? await Deno.connect({ transport: "unix", path: target.path })
        : await Deno.connect(target),
    );
  },
  listen(target, onConnection) {
    try {
      return Promise.resolve(listenNow(target, onConnection));
    } catch (err) {
      return Promise.reject(err);
    }
  },
  listenSync: (target, onConnection) => listenNow(target, onConnection),
  missingPermission(target, listen) {
    if ("path" in target) {
      for (const name of ["read", "write"] as const) {
        const state = Deno.permissions.querySync({ name, path: target.path });
        if (state.state !== "granted") {
          return `--allow-${name}=${target.path}`;
        }
      }
      return undefined;
    }
    // A listener on port 0 needs the host (any port) or host:0 granted.
    const host = describeTarget(target);
    const state = Deno.permissions.querySync({ name: "net", host });
    if (state.state === "granted") return undefined;
    return listen && target.port === 0
      ? `--allow-net=${target.hostname}`
      : `--allow-net=${host}`;
  },
  errnoName(err) {
    if (err instanceof Error) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === "string" && code.startsWith("E")) return code;
      return ERRNO_OF_ERROR[err.name];
    }
    return undefined;
  },
  timer(ms, fn): HostTimer {
    const id = setTimeout(fn, ms);
    return {
      cancel: () => clearTimeout(id),
      ref: () => Deno.refTimer(id),
      unref: () => Deno.unrefTimer(id),
    };
  },
};
