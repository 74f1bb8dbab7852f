/**
 * Shared test helpers: the backends and transports the suite runs against,
 * unique endpoints, and small utilities. One suite, parameterized: a test
 * written with {@link testEach} runs once per backend (and transport).
 */

import { Context, loadBackend, type Socket } from "../mod.ts";
import { readdirSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { openFds as fcntlFds } from "./fixtures/rel_fds.ts";

export type Transport = "inproc" | "ipc" | "tcp";
export type BackendName = "ffi" | "wasm";

/** Backends to test, from DENO_ZMQ_BACKENDS (default: every one this build has). */
export function backends(): BackendName[] {
  let fromEnv: string | undefined;
  try {
    fromEnv = Deno.env.get("DENO_ZMQ_BACKENDS");
  } catch { /* no env permission: use the default */ }
  const all: BackendName[] = ["ffi", "wasm"];
  if (!fromEnv) return all;
  return fromEnv.split(",").map((s) => s.trim()).filter(
    Boolean,
  ) as BackendName[];
}

// The WASM backend is loaded on demand (a dynamic import): load what the suite
// uses once, so that tests create contexts synchronously as users do after it.
for (const backend of backends()) await loadBackend(backend);

/** Transports a backend supports (every backend has all three now). */
export function transportsOf(_backend: BackendName): Transport[] {
  return ["inproc", "ipc", "tcp"];
}

let counter = 0;
/** A fresh endpoint to bind on; for tcp, the port is chosen by the OS (read lastEndpoint). */
export function endpoint(transport: Transport): string {
  counter++;
  switch (transport) {
    case "inproc":
      return `inproc://test-${counter}`;
    case "ipc":
      return `ipc:///tmp/deno-zmq-test-${Deno.pid}-${counter}`;
    case "tcp":
      return "tcp://127.0.0.1:*";
  }
}

/** Binds `server` on a fresh endpoint of `transport` and connects each client to it. */
export async function link(
  transport: Transport,
  server: Socket,
  ...clients: Socket[]
): Promise<string> {
  await server.bind(endpoint(transport));
  const address = server.lastEndpoint;
  for (const client of clients) client.connect(address);
  return address;
}

/** Runs a test body with a fresh context of a backend, closing it afterwards. */
export async function withContext(
  backend: BackendName,
  body: (context: Context) => Promise<void> | void,
): Promise<void> {
  const context = new Context({ backend });
  try {
    await body(context);
  } finally {
    await context.close();
  }
}

/** Registers one Deno test per backend. */
export function testEach(
  name: string,
  body: (context: Context, backend: BackendName) => Promise<void> | void,
  options: { backends?: BackendName[] } = {},
): void {
  for (const backend of options.backends ?? backends()) {
    Deno.test(`${name} [${backend}]`, () =>
      withContext(backend, (ctx) => body(ctx, backend)));
  }
}

/** Registers one Deno test per backend and transport that backend supports. */
export function testEachTransport(
  name: string,
  body: (
    context: Context,
    transport: Transport,
    backend: BackendName,
  ) => Promise<void> | void,
  options: { backends?: BackendName[]; transports?: Transport[] } = {},
): void {
  for (const backend of options.backends ?? backends()) {
    for (const transport of transportsOf(backend)) {
      if (options.transports && !options.transports.includes(transport)) {
        continue;
      }
      Deno.test(
        `${name} [${backend} ${transport}]`,
        () => withContext(backend, (ctx) => body(ctx, transport, backend)),
      );
    }
  }
}

const decoder = new TextDecoder();
/** Frames as strings. */
export function text(frames: Uint8Array[]): string[] {
  return frames.map((f) => decoder.decode(f));
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves on the socket's next event of a type. */
export function nextEvent(socket: Socket, type: string): Promise<void> {
  return new Promise((resolve) =>
    socket.events.addEventListener(type, () => resolve(), { once: true })
  );
}

/** Rejects if `promise` takes longer than `ms`. */
export async function within<T>(
  ms: number,
  promise: Promise<T>,
  what = "operation",
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${what} took longer than ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A tcp port of 127.0.0.1 where nothing listens (bound by the OS, then
 * released; node:net, so that it runs under Node and Bun too).
 */
export async function unusedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Runs a full garbage collection where the runtime lets a program ask for
 * one (V8 in Deno and Node through its expose-gc flag, Bun.gc in Bun), so a
 * memory figure counts what is kept, not garbage not collected yet.
 */
export function collectGarbage(): void {
  const bun = (globalThis as { Bun?: { gc(force: boolean): void } }).Bun;
  if (bun) return bun.gc(true);
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/**
 * Open file descriptors of this process: /proc/self/fd where it can be read
 * (Node, Bun; Deno only with --allow-all), else libc's fcntl (Deno, FFI).
 */
export function openFds(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return fcntlFds();
  }
}
