/**
 * A TCP relay the tests control, in the spirit of toxiproxy: clients connect
 * to the proxy, which connects each to the target and forwards bytes both
 * ways, with faults on demand:
 *
 * - `latency(ms)`: every chunk is delivered `ms` later (order kept);
 * - `bandwidth(bytesPerSecond)`: each direction of each connection is paced;
 * - `stall()` / `resume()`: stop forwarding (bytes wait in the relay, the
 *   connections stay open, like a peer that stops reading), then go on;
 * - `cut()`: reset every connection (RST), in the middle of whatever frame
 *   was passing; `cutAfter(bytes)` does it once that many more bytes passed;
 * - `partition()` / `heal()`: a blackhole: bytes of open connections are
 *   dropped, new connections are accepted and hear nothing, as when a link
 *   loses every packet; after `heal()` new connections work again (those
 *   opened before stay dead: peers must notice, e.g. by ZMTP heartbeats).
 *
 * Loopback only, on node:net so that it runs on Deno, Node and Bun.
 *
 * @module
 */

import {
  createConnection,
  createServer,
  type Server,
  type Socket,
} from "node:net";

/** What each direction does with the bytes it reads. */
type Mode = "forward" | "stall" | "blackhole";

/** One direction of one relayed connection. */
class Pipe {
  readonly #from: Socket;
  readonly #to: Socket;
  readonly #proxy: FaultProxy;
  readonly #queue: { due: number; bytes: Uint8Array }[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Bandwidth pacing: when the next byte may leave.
  #nextSendAt = 0;
  #blackholed = false;

  constructor(from: Socket, to: Socket, proxy: FaultProxy) {
    this.#from = from;
    this.#to = to;
    this.#proxy = proxy;
    from.on("data", (chunk: Uint8Array) => this.#onData(chunk));
  }

  /** Whether this connection was open during a partition (it stays dead). */
  blackhole(): void {
    this.#blackholed = true;
    this.#queue.length = 0;
  }

  #onData(chunk: Uint8Array): void {
    if (this.#blackholed) return;
    this.#proxy.countBytes(chunk.byteLength);
    this.#queue.push({
      due: performance.now() + this.#proxy.latencyMs,
      bytes: chunk,
    });
    // Backpressure: a stalled relay stops reading, so the sender's TCP fills.
    if (this.#queue.length > 64) this.#from.pause();
    this.pump();
  }

  /** Delivers what is due, and schedules the rest. */
  pump(): void {
    if (this.#timer !== undefined) return;
    const mode = this.#blackholed ? "blackhole" : this.#proxy.mode;
    if (mode === "blackhole") {
      this.#queue.length = 0;
      this.#from.resume();
      return;
    }
    if (mode === "stall") return;
    const now = performance.now();
    while (this.#queue.length > 0) {
      const head = this.#queue[0];
      const wait = Math.max(head.due, this.#nextSendAt) - now;
      if (wait > 0) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.pump();
        }, wait);
        return;
      }
      const rate = this.#proxy.bytesPerSecond;
      let bytes = head.bytes;
      if (rate !== null) {
        // At most 10 ms worth of bytes at a time.
        const slice = Math.max(1, Math.floor(rate / 100));
        if (bytes.byteLength > slice) {
          head.bytes = bytes.subarray(slice);
          bytes = bytes.subarray(0, slice);
        } else this.#queue.shift();
        this.#nextSendAt = Math.max(now, this.#nextSendAt) +
          (1000 * bytes.byteLength) / rate;
      } else this.#queue.shift();
      if (!this.#to.destroyed) this.#to.write(bytes);
    }
    this.#from.resume();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** One client connection and its upstream connection. */
interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly pipes: [Pipe, Pipe];
}

/** A controllable TCP relay to `127.0.0.1:targetPort`; see the module doc. */
export class FaultProxy {
  readonly #server: Server;
  readonly #targetPort: number;
  readonly #links = new Set<Link>();
  #mode: Mode = "forward";
  #latencyMs = 0;
  #bytesPerSecond: number | null = null;
  #cutAfter: number | null = null;
  #connections = 0;
  #port = 0;

  private constructor(targetPort: number) {
    this.#targetPort = targetPort;
    this.#server = createServer(
      { noDelay: true },
      (client) => this.#accept(client),
    );
  }

  /** Starts a relay on a free loopback port to the target's `tcp://127.0.0.1:port`. */
  static async start(target: string | number): Promise<FaultProxy> {
    const port = typeof target === "number"
      ? target
      : Number(/:(\d+)$/.exec(target)?.[1]);
    if (!Number.isInteger(port)) throw new TypeError(`No port in ${target}`);
    const proxy = new FaultProxy(port);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once("error", reject);
      proxy.#server.listen(0, "127.0.0.1", () => resolve());
    });
    const address = proxy.#server.address();
    proxy.#port = typeof address === "object" && address ? address.port : 0;
    return proxy;
  }

  /** Where clients connect: `tcp://127.0.0.1:<proxy port>`. */
  get endpoint(): string {
    return `tcp://127.0.0.1:${this.#port}`;
  }
  /** How many client connections the relay accepted so far. */
  get connections(): number {
    return this.#connections;
  }
  /** How many connections are open now. */
  get open(): number {
    return this.#links.size;
  }

  /** @internal */
  get mode(): Mode {
    return this.#mode;
  }
  /** @internal */
  get latencyMs(): number {
    return this.#latencyMs;
  }
  /** @internal */
  get bytesPerSecond(): number | null {
    return this.#bytesPerSecond;
  }
  /** @internal Counts bytes towards a pending `cutAfter`. */
  countBytes(n: number): void {
    if (this.#cutAfter === null) return;
    this.#cutAfter -= n;
    if (this.#cutAfter <= 0) {
      this.#cutAfter = null;
      queueMicrotask(() => this.cut());
    }
  }

  /** Delays every chunk by `ms` (0: none). */
  latency(ms: number): this {
    this.#latencyMs = ms;
    return this;
  }
  /** Paces each direction of each connection to `rate` bytes/s (null: unlimited). */
  bandwidth(rate: number | null): this {
    this.#bytesPerSecond = rate;
    return this;
  }
  /** Stops forwarding; connections stay open and bytes wait in the relay. */
  stall(): this {
    this.#mode = "stall";
    return this;
  }
  /** Forwards again (after `stall`). */
  resume(): this {
    this.#mode = "forward";
    this.#pumpAll();
    return this;
  }
  /** Resets every open connection now. */
  cut(): this {
    for (const link of [...this.#links]) this.#close(link, true);
    return this;
  }
  /** Resets every connection open once `bytes` more bytes have passed. */
  cutAfter(bytes: number): this {
    this.#cutAfter = bytes;
    return this;
  }
  /** Drops every byte; new connections are accepted and hear nothing. */
  partition(): this {
    this.#mode = "blackhole";
    for (const link of this.#links) {
      for (const pipe of link.pipes) pipe.blackhole();
    }
    return this;
  }
  /** Ends a partition: new connections work again. */
  heal(): this {
    this.#mode = "forward";
    return this;
  }

  /** Closes the relay and every connection. */
  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(client: Socket): void {
    this.#connections++;
    const blackholed = this.#mode === "blackhole";
    const upstream = createConnection({
      host: "127.0.0.1",
      port: this.#targetPort,
      noDelay: true,
    });
    const link: Link = {
      client,
      upstream,
      pipes: [
        new Pipe(client, upstream, this),
        new Pipe(upstream, client, this),
      ],
    };
    if (blackholed) { for (const pipe of link.pipes) pipe.blackhole(); }
    this.#links.add(link);
    const end = () => this.#close(link, false);
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  }

  #close(link: Link, reset: boolean): void {
    if (!this.#links.delete(link)) return;
    for (const pipe of link.pipes) pipe.stop();
    for (const socket of [link.client, link.upstream]) {
      if (reset && typeof socket.resetAndDestroy === "function") {
        socket.resetAndDestroy();
      } else socket.destroy();
    }
  }

  #pumpAll(): void {
    for (const link of this.#links) for (const pipe of link.pipes) pipe.pump();
  }
}
