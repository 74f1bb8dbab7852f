/**
 * Socket events (`zmq_socket_monitor`): connections, binds, disconnections
 * and handshakes of a socket, as DOM events and as an async iterator.
 *
 * @module
 */

import { ZmqError } from "./errors.ts";
import { EventHub } from "./event_hub.ts";
import { SocketType } from "./socket_types.ts";
import { errnoName, zmqError } from "./last_error.ts";
// Not sockets.ts: socket.ts imports this module for `socket.events`, and the
// socket classes (which extend Socket) cannot be evaluated inside that cycle.
// The PAIR class is looked up when a monitor starts instead.
import { type Socket, socketClassOf, socketInternals } from "./socket.ts";

/** The kinds of {@link SocketEvent}, named as in zeromq.js. */
export type SocketEventType =
  | "connect"
  | "connect:delay"
  | "connect:retry"
  | "bind"
  | "bind:error"
  | "accept"
  | "accept:error"
  | "close"
  | "close:error"
  | "disconnect"
  | "end"
  | "handshake"
  | "handshake:error:other"
  | "handshake:error:protocol"
  | "handshake:error:auth"
  | "unknown";

/** libzmq monitor event bits, and what they are called here. */
const EVENT_TYPES: Record<number, SocketEventType> = {
  0x0001: "connect",
  0x0002: "connect:delay",
  0x0004: "connect:retry",
  0x0008: "bind",
  0x0010: "bind:error",
  0x0020: "accept",
  0x0040: "accept:error",
  0x0080: "close",
  0x0100: "close:error",
  0x0200: "disconnect",
  0x0400: "end",
  0x0800: "handshake:error:other",
  0x1000: "handshake",
  0x2000: "handshake:error:protocol",
  0x4000: "handshake:error:auth",
};
const ERRNO_EVENTS = new Set<SocketEventType>([
  "bind:error",
  "accept:error",
  "close:error",
  "handshake:error:other",
]);
const PROTOCOL_ERRORS: Record<number, string> = {
  0x10000000: "ZMTP_UNSPECIFIED",
  0x10000001: "ZMTP_UNEXPECTED_COMMAND",
  0x10000002: "ZMTP_INVALID_SEQUENCE",
  0x10000003: "ZMTP_KEY_EXCHANGE",
  0x10000011: "ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
  0x10000012: "ZMTP_MALFORMED_COMMAND_MESSAGE",
  0x10000013: "ZMTP_MALFORMED_COMMAND_HELLO",
  0x10000014: "ZMTP_MALFORMED_COMMAND_INITIATE",
  0x10000015: "ZMTP_MALFORMED_COMMAND_ERROR",
  0x10000016: "ZMTP_MALFORMED_COMMAND_READY",
  0x10000017: "ZMTP_MALFORMED_COMMAND_WELCOME",
  0x10000018: "ZMTP_INVALID_METADATA",
  0x11000001: "ZMTP_CRYPTOGRAPHIC",
  0x11000002: "ZMTP_MECHANISM_MISMATCH",
  0x20000000: "ZAP_UNSPECIFIED",
  0x20000001: "ZAP_MALFORMED_REPLY",
  0x20000002: "ZAP_BAD_REQUEST_ID",
  0x20000003: "ZAP_BAD_VERSION",
  0x20000004: "ZAP_INVALID_STATUS_CODE",
  0x20000005: "ZAP_INVALID_METADATA",
  0x30000000: "WS_UNSPECIFIED",
};

/** The details of a {@link SocketEvent}. */
export interface SocketEventInit {
  /** The endpoint the event is about. */
  endpoint: string;
  /** libzmq's raw event value (an fd, errno, interval or status code). */
  value: number;
  /** For `*:error` events carrying an errno: that error. */
  error?: ZmqError;
  /** For `connect:retry`: ms until the next attempt. */
  interval?: number;
  /** For `handshake:error:protocol`: the ZMTP/ZAP error, e.g. "ZMTP_MECHANISM_MISMATCH". */
  protocolError?: string;
  /** For `handshake:error:auth`: the ZAP status code (e.g. 400). */
  status?: number;
}

/**
 * One event of a socket.
 *
 * @example
 * ```ts
 * import { Pull } from "@deno-zmq/zmq";
 * using pull = new Pull();
 * pull.events.addEventListener("bind", (event) => console.log("listening on", event.endpoint));
 * await pull.bind("tcp://127.0.0.1:*");
 * ```
 */
export class SocketEvent extends Event {
  /** The endpoint the event is about. */
  readonly endpoint: string;
  /** libzmq's raw event value. */
  readonly value: number;
  /** For `*:error` events carrying an errno: that error. */
  readonly error?: ZmqError;
  /** For `connect:retry`: ms until the next attempt. */
  readonly interval?: number;
  /** For `handshake:error:protocol`: the protocol error name. */
  readonly protocolError?: string;
  /** For `handshake:error:auth`: the ZAP status code. */
  readonly status?: number;

  /**
   * Creates an event (done by the library).
   *
   * @example
   * ```ts
   * import { SocketEvent } from "@deno-zmq/zmq";
   * new SocketEvent("connect", { endpoint: "tcp://127.0.0.1:5555", value: 12 });
   * ```
   */
  constructor(type: SocketEventType, init: SocketEventInit) {
    super(type);
    this.endpoint = init.endpoint;
    this.value = init.value;
    if (init.error) this.error = init.error;
    if (init.interval !== undefined) this.interval = init.interval;
    if (init.protocolError !== undefined) {
      this.protocolError = init.protocolError;
    }
    if (init.status !== undefined) this.status = init.status;
  }

  /** The event's kind. */
  override get type(): SocketEventType {
    return super.type as SocketEventType;
  }
}

let monitors = 0;

/**
 * The events of one socket (`socket.events`): an `EventTarget` and an async
 * iterable. It ends (an "end" event, iterators finish) when the socket closes.
 *
 * @example Iterate
 * ```ts
 * import { Push } from "@deno-zmq/zmq";
 * using push = new Push();
 * const events = push.events;
 * push.connect("tcp://127.0.0.1:5555");
 * for await (const event of events) {
 *   console.log(event.type, event.endpoint); // "connect:delay", then "connect:retry" ...
 *   if (event.type === "connect:retry") break;
 * }
 * ```
 */
export class SocketEvents
  extends EventHub<Record<SocketEventType, SocketEvent>> {
  readonly #pair: Socket & AsyncIterable<Uint8Array[]>;

  /**
   * Starts monitoring a socket; use `socket.events` instead.
   *
   * @example
   * ```ts
   * import { Pull, SocketEvents } from "@deno-zmq/zmq";
   * using pull = new Pull();
   * const events = new SocketEvents(pull);
   * ```
   */
  constructor(socket: Socket) {
    super();
    const { backend, handle, onClose, context } = socketInternals(socket);
    if (!backend.socketMonitor) {
      throw new ZmqError(
        "ENOTSUP",
        backend.errnos.ENOTSUP,
        `Socket events are not available on the ${backend.kind} backend`,
      );
    }
    const endpoint = `inproc://deno-zmq.monitor.${++monitors}`;
    if (backend.socketMonitor(handle, endpoint, 0xffff) !== 0) {
      throw zmqError(backend, { endpoint });
    }
    // libzmq bound the name (as a PAIR): tell the context, which defers
    // connects to inproc names nobody bound yet (see inproc.ts).
    context.inproc.bound(endpoint, this, SocketType.Pair);
    onClose(() => context.inproc.forget(this));
    const Pair = socketClassOf(SocketType.Pair)!;
    this.#pair = new Pair({ context: socket.context }) as
      & Socket
      & AsyncIterable<Uint8Array[]>;
    this.#pair.connect(endpoint);
    // Not stopped at close: libzmq reports the closing of the socket's
    // listeners ("close") as it reaps the socket, then a final "end".
    void this.#run(backend);
  }

  async #run(backend: Parameters<typeof errnoName>[0]): Promise<void> {
    try {
      for await (const [head, endpointBytes] of this.#pair) {
        const view = new DataView(
          head.buffer,
          head.byteOffset,
          head.byteLength,
        );
        const id = view.getUint16(0, true);
        const value = view.getUint32(2, true);
        const type = EVENT_TYPES[id] ?? "unknown";
        const init: SocketEventInit = {
          endpoint: new TextDecoder().decode(endpointBytes),
          value,
        };
        if (ERRNO_EVENTS.has(type)) {
          init.error = new ZmqError(
            errnoName(backend, value),
            value,
            backend.strerror(value),
            {
              endpoint: init.endpoint,
            },
          );
        }
        if (type === "connect:retry") init.interval = value;
        if (type === "handshake:error:protocol") {
          init.protocolError = PROTOCOL_ERRORS[value] ??
            `0x${value.toString(16)}`;
        }
        if (type === "handshake:error:auth") init.status = value;
        this.emit(new SocketEvent(type, init));
        if (type === "end") break;
      }
    } catch {
      // The context was closed under us: nothing more will come.
    } finally {
      this.#pair.close();
      this.end();
    }
  }
}
