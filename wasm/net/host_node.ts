/**
 * {@link HostNet} on Node and Bun: `node:net` (tcp and Unix domain sockets).
 * Node has no network permission to check.
 *
 * @module
 */

import { lstatSync, unlinkSync } from "node:fs";
import * as net from "node:net";
import type {
  HostConn,
  HostConnEvents,
  HostListener,
  HostNet,
  HostTarget,
  HostTimer,
} from "./host.ts";

function localOf(socket: net.Socket, unixPath?: string): HostTarget {
  return unixPath !== undefined ? { path: unixPath } : {
    hostname: socket.localAddress ?? "0.0.0.0",
    port: socket.localPort ?? 0,
  };
}

function remoteOf(socket: net.Socket, unixPath?: string): HostTarget {
  return unixPath !== undefined ? { path: unixPath } : {
    hostname: socket.remoteAddress ?? "0.0.0.0",
    port: socket.remotePort ?? 0,
  };
}

class NodeConn implements HostConn {
  readonly local: HostTarget;
  readonly remote: HostTarget;
  readonly #socket: net.Socket;
  // An error before start() (a peer resetting a connection libzmq has not
  // accepted yet): kept for start(), since an 'error' event with no listener
  // would end the process.
  #early: Error | undefined;
  readonly #keepEarly = (err: Error) => void (this.#early ??= err);

  constructor(socket: net.Socket, unixPath?: string) {
    this.#socket = socket;
    socket.on("error", this.#keepEarly);
    if (unixPath === undefined) socket.setNoDelay(true);
    this.local = localOf(socket, unixPath);
    this.remote = remoteOf(socket, unixPath);
  }

  start(events: HostConnEvents): void {
    const socket = this.#socket;
    let failed = false;
    socket.on("data", (chunk: Uint8Array) => events.data(chunk));
    socket.on("end", () => events.end());
    socket.on("error", (err) => {
      failed = true;
      events.error(err);
    });
    socket.on("close", () => {
      if (!failed && !socket.readableEnded) events.end();
    });
    socket.off("error", this.#keepEarly);
    if (this.#early) {
      failed = true;
      events.error(this.#early);
    }
  }

  write(chunk: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#socket.write(chunk, (err) => err ? reject(err) : resolve());
    });
  }

  pause(): void {
    this.#socket.pause();
  }
  resume(): void {
    this.#socket.resume();
  }
  close(): void {
    this.#socket.end();
  }
  ref(): void {
    this.#socket.ref();
  }
  unref(): void {
    this.#socket.unref();
  }
}

class NodeListener implements HostListener {
  readonly local: HostTarget;
  readonly #server: net.Server;

  constructor(server: net.Server, target: HostTarget) {
    this.#server = server;
    const address = server.address();
    this.local = "path" in target || typeof address !== "object" || !address
      ? target
      : { hostname: address.address, port: address.port };
  }

  close(): void {
    this.#server.close();
  }
  ref(): void {
    this.#server.ref();
  }
  unref(): void {
    this.#server.unref();
  }
}

/** Removes a socket file a previous run left behind, as libzmq's ipc bind does. */
function removeStale(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch { /* none: listening reports other problems */ }
}

/** Bun's node:net listens on a numeric tcp address synchronously; Node's does not. */
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** A server for `target` (a stale Unix socket file removed) and where it listens. */
function newServer(
  target: HostTarget,
  onConnection: (conn: HostConn) => void,
): { server: net.Server; where: net.ListenOptions } {
  const path = "path" in target ? target.path : undefined;
  if (path !== undefined) removeStale(path);
  const server = net.createServer((socket) => {
    onConnection(new NodeConn(socket, path));
  });
  const where = "path" in target
    ? { path: target.path }
    : { host: target.hostname, port: target.port };
  return { server, where };
}

/** The node:net adapter. */
export const nodeNet: HostNet = {
  connect(target) {
    return new Promise((resolve, reject) => {
      const socket = "path" in target
        ? net.connect({ path: target.path })
        : net.connect({ host: target.hostname, port: target.port });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(
          new NodeConn(socket, "path" in target ? target.path : undefined),
        );
      });
    });
  },
  listen(target, onConnection) {
    return new Promise((resolve, reject) => {
      const { server, where } = newServer(target, onConnection);
      server.once("error", reject);
      const done = () => {
        server.off("error", reject);
        // A failed accept (EMFILE, ...) only means one connection less, as
        // for libzmq's own listener; unheard, it would end the process.
        server.on("error", () => {});
        resolve(new NodeListener(server, target));
      };
      server.listen(where, done);
    });
  },
  listenSync(target, onConnection) {
    // Node's listen() looks a tcp host up first (dns.lookup, answered on a
    // later tick even for a numeric address); a Unix socket path, and a tcp
    // address on Bun (the backend only binds numeric ones), is listening
    // when listen() returns.
    if (!("path" in target) && !isBun) {
      return {
        unsupported:
          "Node's net.Server.listen() resolves a tcp host asynchronously, even a numeric address (ipc:// binds at once)",
      };
    }
    const { server, where } = newServer(target, onConnection);
    // Errors are emitted on a later tick: the one of a failed listen, and
    // failed accepts (one connection less, as for libzmq's own listener).
    server.on("error", () => {});
    server.listen(where);
    if (!server.listening) {
      server.close();
      throw new Error(
        "the runtime gives the reason only asynchronously (await bind() reports it)",
      );
    }
    return new NodeListener(server, target);
  },
  missingPermission() {
    return undefined;
  },
  errnoName(err) {
    const code = (err as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : undefined;
  },
  timer(ms, fn): HostTimer {
    const timer = setTimeout(fn, ms) as unknown as {
      ref(): void;
      unref(): void;
    };
    return {
      cancel: () => clearTimeout(timer as unknown as number),
      ref: () => timer.ref(),
      unref: () => timer.unref(),
    };
  },
};
