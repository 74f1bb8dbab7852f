/**
 * zeromq.js's `Socket`: the core socket with zeromq.js's argument checks,
 * errors, Buffer frames, asynchronous bind/unbind (a socket is "blocked"
 * while one is in progress), `bindSync`, `events` as an {@link Observer} and
 * the raw typed option accessors. Sends and receives are the core's: queued
 * in order where zeromq.js rejects a second concurrent one with EBUSY.
 *
 * @module
 */

import { Context as CoreContext } from "../context.ts";
import { Socket as CoreSocket } from "../socket.ts";
import { context as globalContext } from "./context.ts";
import {
  checkArgumentCount,
  errnoError,
  isClosedError,
  toFullError,
} from "./errors.ts";
import { type Message, toFrame, toFrames, toMessages } from "./frames.ts";
import { Observer } from "./observer.ts";
import { assignOptions, getRaw, type RawType, setRaw } from "./options.ts";

/** Socket constructor options: any writable option, and the context. */
export type SocketOptions = Record<string, unknown> & { context?: CoreContext };

const observers = new WeakMap<Socket, Observer>();
// The largest socket type numbers: STREAM, and CHANNEL (draft).
const MAX_TYPE = 11;
const MAX_DRAFT_TYPE = 20;

/**
 * The base class of zeromq.js's socket types; `new Socket(type, options)`
 * makes a socket of any libzmq type number.
 *
 * @example
 * ```ts
 * import { Dealer } from "@deno-zmq/zmq/zeromq";
 * const dealer = new Dealer({ linger: 0 });
 * dealer.connect("tcp://127.0.0.1:5555");
 * dealer.close();
 * ```
 */
export class Socket extends CoreSocket {
  // Bound plus connected endpoints (a Proxy needs some on both sides).
  #endpoints!: number;
  // A bind or unbind in progress (zeromq.js runs them on a worker thread).
  #blocked!: boolean;
  #closeRequested!: boolean;

  /**
   * Creates a socket of a libzmq type (subclasses pass theirs).
   *
   * @example
   * ```ts
   * import { Socket } from "@deno-zmq/zmq/zeromq";
   * class MyPair extends Socket {
   *   constructor() {
   *     super(0);
   *   }
   * }
   * new MyPair().close();
   * ```
   */
  constructor(type: number, options?: SocketOptions) {
    checkArgumentCount(arguments.length, 2);
    if (typeof type !== "number") {
      throw new TypeError("Socket type must be a number");
    }
    if (
      options !== undefined && (typeof options !== "object" || options === null)
    ) {
      throw new TypeError("Options must be an object");
    }
    const { context = globalContext, ...rest } = options ?? {};
    if (!(context instanceof CoreContext)) throw errnoError("EINVAL");
    // libzmq's answer to an unknown type, as zeromq.js reports it. Draft
    // types (12 and up) are refused unless libzmq has the draft API: this
    // libzmq may still make them, and zeromq.js refuses them too.
    if (
      !Number.isInteger(type) || type < 0 ||
      type > (context.has("draft") ? MAX_DRAFT_TYPE : MAX_TYPE)
    ) throw errnoError("EINVAL");
    super(type, { context });
    this.#endpoints = 0;
    this.#blocked = false;
    this.#closeRequested = false;
    Object.seal(this);
    try {
      assignOptions(this, "Socket", rest);
    } catch (err) {
      super.close();
      throw err;
    }
  }

  /** Whether options set now only apply at the next bind or connect. */
  get settled(): boolean {
    return this.#endpoints > 0 || this.#blocked;
  }

  /** The number of bound or connected endpoints. */
  get endpointCount(): number {
    return this.#endpoints;
  }

  /** False once closed (zeromq.js does not throw here). */
  override get readable(): boolean {
    return !this.closed && super.readable;
  }

  /** False once closed (zeromq.js does not throw here). */
  override get writable(): boolean {
    return !this.closed && super.writable;
  }

  /** The socket's events, one {@link Observer} per socket. */
  // @ts-expect-error: zeromq.js's events are an Observer, not the core's SocketEvents.
  override get events(): Observer {
    let observer = observers.get(this);
    if (!observer) {
      observers.set(
        this,
        observer = new Observer(this as unknown as CoreSocket),
      );
    }
    return observer;
  }

  #checkOpen(address?: unknown): void {
    if (typeof address !== "string" && address !== undefined) {
      throw new TypeError("Address must be a string");
    }
    if (this.closed) throw errnoError("EBADF");
    if (this.#blocked) {
      throw errnoError(
        "EBUSY",
        "Socket is blocked by a bind or unbind operation",
      );
    }
  }

  /**
   * Binds; the socket is blocked (other binds fail with EBUSY, close waits)
   * until the returned promise settles, as in zeromq.js.
   */
  override bind(address: string): Promise<void> {
    return this.#blocking(address, () => this.bindSync(address));
  }

  /** Unbinds, blocking the socket like {@link Socket.bind}. */
  override unbind(address: string): Promise<void> {
    return this.#blocking(address, () => this.unbindSync(address));
  }

  #blocking(address: string, call: () => void): Promise<void> {
    this.#checkOpen(address);
    this.#blocked = true;
    let error: unknown;
    try {
      call();
    } catch (err) {
      error = err;
    }
    return new Promise<void>((resolve, reject) => {
      queueMicrotask(() => {
        this.#blocked = false;
        if (this.#closeRequested) this.close();
        if (error) reject(error);
        else resolve();
      });
    });
  }

  /** Binds synchronously. */
  override bindSync(address: string): void {
    if (!this.#blocked) this.#checkOpen(address);
    try {
      super.bindSync(address);
    } catch (err) {
      throw toFullError(err, address);
    }
    this.#endpoints++;
  }

  /** Unbinds synchronously. */
  override unbindSync(address: string): void {
    if (!this.#blocked) this.#checkOpen(address);
    try {
      super.unbindSync(address);
    } catch (err) {
      throw toFullError(err, address);
    }
    this.#endpoints--;
  }

  /** Connects (in the background, as libzmq does). */
  override connect(address: string): void {
    this.#checkOpen(address);
    try {
      super.connect(address);
    } catch (err) {
      throw toFullError(err, address);
    }
    this.#endpoints++;
  }

  /** Disconnects. */
  override disconnect(address: string): void {
    this.#checkOpen(address);
    try {
      super.disconnect(address);
    } catch (err) {
      throw toFullError(err, address);
    }
    this.#endpoints--;
  }

  /** Closes the socket (after a bind or unbind in progress, if any). */
  override close(): void {
    if (this.#blocked) {
      this.#closeRequested = true;
      return;
    }
    this.#endpoints = 0;
    super.close();
  }

  /**
   * Sends a message: one frame or an array of frames (strings, binary data,
   * null; anything else is sent as its string form).
   */
  send(message: unknown, ..._options: unknown[]): Promise<void> {
    if (arguments.length === 0 || message === undefined) {
      throw new TypeError("Message must be present");
    }
    return this.settle(this.sendMessage(toFrames(message)));
  }

  /** Receives the next message as Buffers. */
  receive(): Promise<Message[]> {
    return this.settle(this.receiveMessage()).then(toMessages);
  }

  /**
   * zeromq.js's errors for an operation: cancelled by close() is EAGAIN,
   * attempted on a closed socket EBADF.
   */
  protected settle<T>(operation: Promise<T>): Promise<T> {
    const wasOpen = !this.closed;
    return operation.catch((err) => {
      if (wasOpen && isClosedError(err)) throw errnoError("EAGAIN");
      throw toFullError(err);
    });
  }

  /** Iterates over messages until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    return {
      next: async (): Promise<IteratorResult<Message[], undefined>> => {
        if (this.closed) return { done: true, value: undefined };
        try {
          return { value: await this.receive(), done: false };
        } catch (err) {
          if (this.closed && (err as { code?: string }).code === "EAGAIN") {
            return { done: true, value: undefined };
          }
          throw err;
        }
      },
    };
  }

  /** zeromq.js's raw accessor: a boolean option by libzmq number. */
  protected getBoolOption(option: number): boolean {
    return getRaw(this, option, "Bool") as boolean;
  }
  /** zeromq.js's raw accessor: sets a boolean option. */
  protected setBoolOption(option: number, value: boolean): void {
    setRaw(this, option, "Bool", value);
  }
  /** zeromq.js's raw accessor: a 32-bit integer option. */
  protected getInt32Option(option: number): number {
    return getRaw(this, option, "Int32") as number;
  }
  /** zeromq.js's raw accessor: sets a 32-bit integer option. */
  protected setInt32Option(option: number, value: number): void {
    setRaw(this, option, "Int32", value);
  }
  /** zeromq.js's raw accessor: an unsigned 32-bit integer option. */
  protected getUint32Option(option: number): number {
    return getRaw(this, option, "Uint32") as number;
  }
  /** zeromq.js's raw accessor: sets an unsigned 32-bit integer option. */
  protected setUint32Option(option: number, value: number): void {
    setRaw(this, option, "Uint32", value);
  }
  /** zeromq.js's raw accessor: a 64-bit integer option. */
  protected getInt64Option(option: number): number {
    return getRaw(this, option, "Int64") as number;
  }
  /** zeromq.js's raw accessor: sets a 64-bit integer option. */
  protected setInt64Option(option: number, value: number): void {
    setRaw(this, option, "Int64", value);
  }
  /** zeromq.js's raw accessor: an unsigned 64-bit integer option. */
  protected getUint64Option(option: number): number {
    return getRaw(this, option, "Uint64") as number;
  }
  /** zeromq.js's raw accessor: sets an unsigned 64-bit integer option. */
  protected setUint64Option(option: number, value: number): void {
    setRaw(this, option, "Uint64", value);
  }
  /** zeromq.js's raw accessor: a string option (null when empty). */
  protected getStringOption(option: number): string | null {
    return getRaw(this, option, "String") as string | null;
  }
  /** zeromq.js's raw accessor: sets a string option (null clears it). */
  protected setStringOption(
    option: number,
    value: string | Uint8Array | null,
  ): void {
    setRaw(this, option, "String", value);
  }
}

/** The raw types, for the option table. */
export type { RawType };
/** Frames as the core takes them, for socket types that add to a message. */
export { toFrame };
